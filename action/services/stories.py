"""Writes of stories: telling one, the teller editing it and giving or withdrawing consent to
publish, and staff moderating it. A story is public only while it is approved and its teller
consents; every change to either is made under a row lock, so an approval can never land on a
story whose consent was withdrawn a moment before.

Decisions kept here:
* A visitor without an account proves their address *before* writing: they ask for a link,
  and the signed link opens the story form. So staff never see a story from an unproven
  address, no Person is added for an address nobody confirmed, and no extra state is needed
  on the model.
* An edit by the teller sends the story back to staff (status submitted, unpublished): staff
  approved the words as they were. A rejected story stays rejected; its teller may tell a new
  one.
* Consent given again to an approved story sends it back to staff too: nothing becomes public
  without a decision staff took while consent held.
* A photo is checked (type, size, pixels) and re-encoded by Pillow before it is stored under a
  random name: what the camera wrote in it (place, owner's name) is never served. A phone's
  JPEG that carries extra pictures (Pillow reads it as "MPO": Samsung, iPhone gain maps) is
  kept as a plain JPEG of its first picture, and a photo larger than ``PHOTO_MAX_SIDE`` on its
  long side is scaled down to it.
* A link to tell a story works for a week and a signed-in teller needs no link, so the limit
  on new stories is per person: at most ``WAITING_MAX`` of theirs waiting for review at a time.
"""

import hashlib
import io
import uuid
import warnings

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from PIL import Image, ImageCms, ImageOps

from hubsite.notify.models import OutboxMessage
from hubsite.notify.services import message_queue, site_url
from hubsite.people.models import Person
from hubsite.people.selectors import person_by_email
from hubsite.people.services import person_create, person_link_user

from ..models import Story

WRITE_SALT = "action.story-write"
TELLER_SALT = "action.story-teller"
# How long the link that opens the story form for a visitor works.
WRITE_MAX_AGE = 60 * 60 * 24 * 7

TITLE_MAX = 140
TEXT_MIN = 20
TEXT_MAX = 10_000
# The largest photo file accepted and the most pixels decoded (settings.PHOTO_MAX_BYTES and
# PHOTO_MAX_PIXELS): beyond that a small file could take a lot of memory (a "pixel bomb").
PHOTO_MAX_BYTES = settings.PHOTO_MAX_BYTES
PHOTO_MAX_PIXELS = settings.PHOTO_MAX_PIXELS
# Pillow refuses anything larger as a decompression bomb, whoever opens it.
Image.MAX_IMAGE_PIXELS = PHOTO_MAX_PIXELS
# What Pillow reads, and the format and extension it is stored as.
PHOTO_FORMATS = {"JPEG": "jpg", "MPO": "jpg", "PNG": "png", "WEBP": "webp"}
PHOTO_SAVED_AS = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "WEBP": "WEBP"}
# Larger photos are scaled down to this many pixels on their long side: enough for any screen.
PHOTO_MAX_SIDE = 2000
PHOTO_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
PHOTO_INVALID = "This file is not a photo we can show: upload a JPEG, PNG or WebP image."

# How many of a person's stories may wait for review at a time: a link (or an account) cannot
# fill the staff's queue.
WAITING_MAX = 3

APPROVE, CHANGES, REJECT = "approve", "changes", "reject"
DECISIONS = {
    APPROVE: Story.Status.APPROVED,
    CHANGES: Story.Status.CHANGES,
    REJECT: Story.Status.REJECTED,
}
# From which states each decision may be taken.
DECIDABLE_FROM = {
    APPROVE: {Story.Status.SUBMITTED, Story.Status.CHANGES},
    CHANGES: {Story.Status.SUBMITTED, Story.Status.APPROVED},
    REJECT: {Story.Status.SUBMITTED, Story.Status.CHANGES, Story.Status.APPROVED},
}


# Links ----------------------------------------------------------------------------------


def write_token(*, email, first_name, last_name="", campaign=None):
    data = {"email": email, "first_name": first_name, "last_name": last_name}
    if campaign is not None:
        data["campaign"] = campaign.pk
    return signing.dumps(data, salt=WRITE_SALT)


def write_token_read(token):
    """Who a visitor's link was sent to (and the campaign it was asked from), or None."""
    try:
        data = signing.loads(token, salt=WRITE_SALT, max_age=WRITE_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not data.get("email") or not data.get("first_name"):
        return None
    return data


def teller_token(story):
    return signing.dumps({"story": story.pk, "person": story.person_id}, salt=TELLER_SALT)


def story_from_teller_token(token):
    """The story a teller's link is for. It does not expire: withdrawing consent must work
    from any email, however old (like an unsubscribe link)."""
    try:
        data = signing.loads(token, salt=TELLER_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    return (
        Story.objects.select_related("person", "campaign")
        .filter(pk=data.get("story"), person_id=data.get("person"))
        .first()
    )


def teller_url(story):
    return site_url() + reverse("action:story_teller", args=[teller_token(story)])


# Checks ---------------------------------------------------------------------------------


def _check_words(title, text):
    errors = {}
    if not title:
        errors["title"] = "Give your story a title."
    elif len(title) > TITLE_MAX:
        errors["title"] = f"Keep the title under {TITLE_MAX} characters."
    if not text:
        errors["text"] = "Tell your story: the box is empty."
    elif len(text) < TEXT_MIN:
        errors["text"] = f"Your story is very short: write at least {TEXT_MIN} characters."
    elif len(text) > TEXT_MAX:
        errors["text"] = (
            f"Your story is {len(text):,} characters long: please keep it under {TEXT_MAX:,}."
        )
    return errors


# What Pillow raises on a file it cannot read whole: not an image, cut short, a format it
# does not know, or a pixel bomb.
PHOTO_UNREADABLE = (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError)


def _photo_open(upload):
    """``upload`` opened by Pillow with its first picture fully decoded, or the reason in words
    a person understands (as a ``ValidationError``). Decoding it whole is the only proof that a
    file is the image it claims to be: a truncated or forged file fails here, before anything
    is stored. A pixel bomb is refused from its header, before it is decoded."""
    upload.seek(0)
    # Pillow reads its own copy: closing the image never closes the upload, which the form
    # field reads again. No more than the limit (and one byte to tell) is read.
    raw = upload.read(PHOTO_MAX_BYTES + 1)
    upload.seek(0)
    size = upload.size if upload.size is not None else len(raw)
    if size > PHOTO_MAX_BYTES:
        raise ValidationError(
            f"The photo is too big ({size / 1024 / 1024:.1f} MB): "
            f"the most is {PHOTO_MAX_BYTES // 1024 // 1024} MB."
        )
    too_many_pixels = ValidationError(
        "The photo has too many pixels: please send a smaller version."
    )
    with warnings.catch_warnings():
        # Pillow only warns between MAX_IMAGE_PIXELS and twice that: a refusal here.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(raw))
            if image.format not in PHOTO_FORMATS:
                raise ValidationError(PHOTO_INVALID)
            if image.width * image.height > PHOTO_MAX_PIXELS:
                raise too_many_pixels
            image.seek(0)
            image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise too_many_pixels from None
        except PHOTO_UNREADABLE:
            raise ValidationError(PHOTO_INVALID) from None
    return image


def photo_problem(upload):
    """What is wrong with an uploaded photo, in words a person understands, or None."""
    try:
        _photo_open(upload).close()
    except ValidationError as error:
        return error.messages[0]
    return None


def _in_srgb(image, icc_profile):
    """``image`` with its colours converted from its own profile to sRGB (the web's), so no
    profile needs to be kept; as it is when it has none or the profile cannot be read."""
    if not icc_profile or image.mode not in ("RGB", "RGBA", "CMYK"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
        target = "RGBA" if image.mode == "RGBA" else "RGB"
        return ImageCms.profileToProfile(
            image, source, ImageCms.createProfile("sRGB"), outputMode=target
        )
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image


def _photo_clean(upload):
    """The photo re-encoded without its metadata, turned the right way up, no larger than
    ``PHOTO_MAX_SIDE``, under a random name (a file name can hold a person's name). Only the
    first picture of a multi-picture JPEG is kept. Only the pixels are written, in sRGB: no
    EXIF (place, time, camera owner), XMP, comments or colour profile (which can hold any
    words)."""
    try:
        original = _photo_open(upload)
    except ValidationError as error:
        raise ValidationError({"photo": error.messages}) from None
    try:
        with original:
            kind = PHOTO_SAVED_AS[original.format]
            # A copy of the first picture alone, turned as the camera meant, so nothing of the
            # others (nor the orientation tag) is written. A colour profile can carry any
            # words: the pixels are converted to sRGB and no profile is written.
            image = _in_srgb(ImageOps.exif_transpose(original), original.info.get("icc_profile"))
            if "transparency" in image.info or image.mode == "P":
                image = image.convert("RGBA")  # transparency kept as pixels, not metadata
            image.info = {}
            if max(image.size) > PHOTO_MAX_SIDE:
                image.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE), Image.Resampling.LANCZOS)
            options = {}
            if kind in ("JPEG", "WEBP"):
                options["quality"] = 88
            if kind == "JPEG" and image.mode not in ("RGB", "L", "CMYK"):
                image = image.convert("RGB")
            out = io.BytesIO()
            image.save(out, format=kind, **options)
    except PHOTO_UNREADABLE:
        raise ValidationError({"photo": PHOTO_INVALID}) from None
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.{PHOTO_FORMATS[kind]}")


def _check(*, title, text, photo, photo_alt, credit, keeps_photo=False):
    errors = _check_words(title, text)
    if credit not in Story.Credit.values:
        errors["credit"] = "Choose how you want to be credited."
    if (photo or keeps_photo) and not photo_alt:
        errors["photo_alt"] = "Describe what the photo shows, for people who cannot see it."
    if len(photo_alt) > 250:
        errors["photo_alt"] = "Keep the description of the photo under 250 characters."
    if errors:
        raise ValidationError(errors)


def _forget_file_on_error(story):
    """A stored photo whose row did not make it must not stay on disk."""
    if story.photo:
        story.photo.storage.delete(story.photo.name)


def _delete_after_commit(name):
    if name:
        storage = Story._meta.get_field("photo").storage
        transaction.on_commit(lambda: storage.delete(name))


# Emails ---------------------------------------------------------------------------------


def _email_teller(story, purpose, subject, key):
    person = story.person
    if not person.email:
        return None
    context = {
        "story": story,
        "person": person,
        "purpose": purpose,
        "teller_url": teller_url(story),
        "story_url": site_url() + story.get_absolute_url(),
        "hub_name": settings.HUB_NAME,
    }
    return message_queue(
        key=key,
        to_email=person.email,
        subject=f"[{settings.HUB_NAME}] {subject}",
        body_text=render_to_string(f"action/email/story_{purpose}.txt", context),
        person=person,
        # The teller asked for this answer by telling their story.
        category=OutboxMessage.Category.ACCOUNT,
    )


def story_link_send(*, email, first_name, last_name="", campaign=None):
    """Email a visitor the link that opens the story form. The same answer whatever the
    address: the page says nothing about who is known; at most one email an hour."""
    email = email.strip().lower()
    first_name = " ".join(first_name.split())
    last_name = " ".join(last_name.split())
    token = write_token(email=email, first_name=first_name, last_name=last_name, campaign=campaign)
    person = person_by_email(email)
    context = {
        "first_name": first_name,
        "write_url": site_url() + reverse("action:story_write", args=[token]),
        "has_account": bool(person and person.user_id),
        "login_url": site_url() + reverse("account_login"),
        "days": WRITE_MAX_AGE // 86400,
        "hub_name": settings.HUB_NAME,
    }
    hour = timezone.now().strftime("%Y%m%d%H")
    digest = hashlib.sha256(email.encode()).hexdigest()[:24]
    return message_queue(
        key=f"action:story-link:{digest}:{hour}",
        to_email=email,
        subject=f"[{settings.HUB_NAME}] Your link to tell your story",
        body_text=render_to_string("action/email/story_link.txt", context),
        person=person,
        category=OutboxMessage.Category.ACCOUNT,
    )


# Telling --------------------------------------------------------------------------------


def _visitor_person(*, email, first_name, last_name):
    """The Person with this (proven) address, or a new one: never a duplicate."""
    person = person_by_email(email)
    if person is not None:
        return person
    try:
        with transaction.atomic():
            return person_create(
                first_name=first_name[:80],
                last_name=last_name[:80],
                email=email,
                first_contact=Person.FirstContact.ONLINE,
            )
    except ValidationError:  # added a moment ago by another request
        return person_by_email(email)


@transaction.atomic
def story_submit(
    *,
    title,
    text,
    credit=Story.Credit.FIRST_NAME,
    consent_to_publish=False,
    photo=None,
    photo_alt="",
    campaign=None,
    user=None,
    visitor=None,
):
    """Record a story for staff to review and send its teller the link to follow it.

    The teller is ``user`` (someone signed in: their Person) or ``visitor``: the data of the
    signed link that proved their address (``write_token_read``), matched to the Person with
    that address or a new one. Submitting the same words twice (a double click) returns the
    first story; a teller with ``WAITING_MAX`` stories waiting for review is asked to wait."""
    title = " ".join((title or "").split())
    text = (text or "").strip()
    photo_alt = " ".join((photo_alt or "").split())
    _check(title=title, text=text, photo=photo, photo_alt=photo_alt, credit=credit)
    if campaign is not None and not campaign.is_public:
        raise ValidationError({"campaign": "Choose a campaign that is public."})
    if (user is None) == (visitor is None):
        raise ValueError("story_submit needs a user or a visitor")
    if user is not None:
        person = person_link_user(user=user)
    else:
        person = _visitor_person(
            email=visitor["email"].strip().lower(),
            first_name=visitor["first_name"],
            last_name=visitor.get("last_name", ""),
        )
    # The teller's row is locked so that two submissions at once cannot both pass the limit.
    Person.objects.select_for_update().filter(pk=person.pk).first()
    waiting = Story.objects.filter(person=person, status=Story.Status.SUBMITTED)
    same = waiting.filter(title=title, text=text).first()
    if same is not None:
        return same
    if waiting.count() >= WAITING_MAX:
        raise ValidationError(
            f"You already have {WAITING_MAX} stories waiting for the hub's team to read. "
            "Please wait until they have read them before you tell another one: "
            "we will email you."
        )
    stored = _photo_clean(photo) if photo else None
    story = Story(
        person=person,
        campaign=campaign,
        title=title,
        text=text,
        photo_alt=photo_alt if stored else "",
        credit=credit,
        consent_to_publish=bool(consent_to_publish),
    )
    try:
        if stored:
            story.photo.save(stored.name, stored, save=False)
        story.save()
        _email_teller(
            story, "received", f"We have your story “{title}”", f"action:story:{story.pk}:received"
        )
    except BaseException:
        _forget_file_on_error(story)
        raise
    return story


def _locked(story):
    return (
        Story.objects.select_for_update(of=("self",))
        .select_related("person", "campaign")
        .get(pk=story.pk)
    )


@transaction.atomic
def story_update(
    *, story, title, text, credit, photo=None, photo_alt="", remove_photo=False, campaign=None
):
    """The teller changes their story. It goes back to staff, unpublished (see the module's
    docstring); a rejected story cannot be edited."""
    story = _locked(story)
    if story.status == Story.Status.REJECTED:
        raise ValidationError("This story was not published: tell a new one if you like.")
    title = " ".join((title or "").split())
    text = (text or "").strip()
    photo_alt = " ".join((photo_alt or "").split())
    keeps_photo = bool(story.photo) and not remove_photo and not photo
    _check(
        title=title,
        text=text,
        photo=photo,
        photo_alt=photo_alt,
        credit=credit,
        keeps_photo=keeps_photo,
    )
    if campaign is not None and not campaign.is_public and campaign.pk != story.campaign_id:
        raise ValidationError({"campaign": "Choose a campaign that is public."})
    stored = _photo_clean(photo) if photo else None
    old_photo = story.photo.name if (stored or remove_photo) else ""
    story.title, story.text, story.credit, story.campaign = title, text, credit, campaign
    story.photo_alt = photo_alt if (stored or keeps_photo) else ""
    story.status = Story.Status.SUBMITTED
    story.published_at = None
    try:
        if stored:
            story.photo.save(stored.name, stored, save=False)
        elif remove_photo:
            story.photo = ""
        story.save()
    except BaseException:
        if stored:
            _forget_file_on_error(story)
        raise
    _delete_after_commit(old_photo)
    return story


@transaction.atomic
def story_consent(*, story, give):
    """The teller gives or withdraws consent to publish. Withdrawing takes the story down at
    once; giving it again to an approved story sends it back to staff."""
    story = _locked(story)
    if give:
        if story.consent_to_publish:
            return story
        story.consent_to_publish = True
        if story.status == Story.Status.APPROVED:
            story.status = Story.Status.SUBMITTED
    else:
        story.consent_to_publish = False
    story.published_at = None
    story.save(update_fields=["consent_to_publish", "status", "published_at"])
    return story


# Moderating -----------------------------------------------------------------------------


@transaction.atomic
def story_moderate(*, story, by, decision, note=""):
    """Staff approve a story, ask its teller for changes (saying what, in ``note``) or
    reject it; the teller hears of it by email."""
    if decision not in DECISIONS:
        raise ValidationError({"decision": "Choose what to do with the story."})
    note = (note or "").strip()
    story = _locked(story)
    if story.status == DECISIONS[decision]:
        raise ValidationError(f"This story is already “{story.get_status_display()}”.")
    if story.status not in DECIDABLE_FROM[decision]:
        raise ValidationError(
            f"A story that is “{story.get_status_display()}” cannot be changed that way."
        )
    if decision == APPROVE and not story.consent_to_publish:
        raise ValidationError(
            "The teller has not given (or has withdrawn) consent to publish: "
            "it cannot be approved until they give it."
        )
    if decision == CHANGES and not note:
        raise ValidationError({"note": "Say what should change: the teller reads this note."})
    story.status = DECISIONS[decision]
    story.moderation_note = note
    story.moderated_by = by
    story.published_at = timezone.now() if decision == APPROVE else None
    story.save(update_fields=["status", "moderation_note", "moderated_by", "published_at"])
    subjects = {
        APPROVE: "Your story “{title}” is published",
        CHANGES: "A question about your story “{title}”",
        REJECT: "About your story “{title}”",
    }
    stamp = timezone.now().strftime("%Y%m%d%H%M%S%f")
    _email_teller(
        story,
        "moderated",
        subjects[decision].format(title=story.title),
        f"action:story:{story.pk}:{decision}:{stamp}",
    )
    return story


# Erasure --------------------------------------------------------------------------------


@transaction.atomic
def story_erase(*, person):
    """Delete a person's stories and, once that is committed, their photos' files (deleting
    the rows alone, or the Person's cascade, would leave the photos on disk)."""
    stories = Story.objects.filter(person=person)
    photos = [name for name in stories.values_list("photo", flat=True) if name]
    count, _ = stories.delete()
    for name in photos:
        _delete_after_commit(name)
    return count
