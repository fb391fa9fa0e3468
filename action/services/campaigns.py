"""Writes of campaigns and their public sign-ups. A sign-up counts only once its email is
confirmed by the signed link sent to it (double opt-in); confirming creates or matches the
Person of the core, never a duplicate. Nothing a visitor sees tells whether an address had
signed before: that answer goes to the address itself, by email."""

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from hubsite.notify.models import OutboxMessage
from hubsite.notify.services import message_queue, site_url
from hubsite.people.models import Consent, Person
from hubsite.people.selectors import person_by_email
from hubsite.people.services import consent_record, person_create, unique_slug

from ..models import Campaign, Signup
from ..rules import is_staff
from ..selectors.campaigns import groups_to_back

CONFIRM_SALT = "action.signup-confirm"
UNSUBSCRIBE_SALT = "action.signup-unsubscribe"
# How long a confirmation link works.
CONFIRM_MAX_AGE = 60 * 60 * 24 * 14


# Campaigns -------------------------------------------------------------------------------

ENDED = (Campaign.Status.WON, Campaign.Status.LOST)


def _mark_ended(campaign):
    """Date the end when the status becomes won or lost (kept while it stays ended, even if
    it turns from won to lost), and clear it when the campaign is reopened."""
    if campaign.status not in ENDED:
        campaign.ended_at = None
    elif campaign.ended_at is None:
        campaign.ended_at = timezone.now()


def _check_groups(user, groups, current=()):
    """An organiser puts only groups they organise behind a campaign, and never takes away
    a group they do not organise (a joint campaign stays joint); staff choose freely."""
    if is_staff(user):
        return
    allowed = set(groups_to_back(user).values_list("pk", flat=True))
    chosen, before = {group.pk for group in groups}, {group.pk for group in current}
    if not chosen or (chosen - before) - allowed:
        raise ValidationError({"groups": "Choose among the groups you organise."})
    if (before - chosen) - allowed:
        raise ValidationError(
            {"groups": "Only that group's organisers or staff can take it off the campaign."}
        )


@transaction.atomic
def campaign_create(*, created_by, groups=(), themes=(), partners=(), endorsements=(), **fields):
    groups = list(groups)
    _check_groups(created_by, groups)
    name = " ".join(fields.pop("name").split())
    if Campaign.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": "A campaign with this name already exists."})
    try:
        with transaction.atomic():
            campaign = Campaign(
                name=name, slug=unique_slug(Campaign, name), created_by=created_by, **fields
            )
            _mark_ended(campaign)
            campaign.save(force_insert=True)
    except IntegrityError:
        raise ValidationError({"name": "A campaign with this name already exists."}) from None
    campaign.groups.set(groups)
    campaign.themes.set(themes)
    campaign.partners.set(partners)
    campaign.endorsements.set(endorsements)
    return campaign


@transaction.atomic
def campaign_update(
    *, campaign, edited_by, groups=None, themes=None, partners=None, endorsements=None, **fields
):
    if groups is not None:
        _check_groups(edited_by, list(groups), current=list(campaign.groups.all()))
    if "name" in fields:
        fields["name"] = " ".join(fields["name"].split())
        if Campaign.objects.filter(name__iexact=fields["name"]).exclude(pk=campaign.pk).exists():
            raise ValidationError({"name": "A campaign with this name already exists."})
    if endorsements is not None and any(other.pk == campaign.pk for other in endorsements):
        raise ValidationError({"endorsements": "A campaign cannot endorse itself."})
    for name, value in fields.items():
        setattr(campaign, name, value)
    _mark_ended(campaign)
    try:
        with transaction.atomic():
            campaign.save()
    except IntegrityError:
        raise ValidationError({"name": "A campaign with this name already exists."}) from None
    for relation, values in (
        ("groups", groups),
        ("themes", themes),
        ("partners", partners),
        ("endorsements", endorsements),
    ):
        if values is not None:
            getattr(campaign, relation).set(values)
    return campaign


# Sign-ups --------------------------------------------------------------------------------


def confirm_token(signup):
    return signing.dumps({"signup": signup.pk}, salt=CONFIRM_SALT)


def unsubscribe_token(signup):
    return signing.dumps({"signup": signup.pk}, salt=UNSUBSCRIBE_SALT)


def signup_from_token(token, *, salt, max_age=None):
    try:
        data = signing.loads(token, salt=salt, max_age=max_age)
    except signing.BadSignature:
        return None
    pk = data.get("signup") if isinstance(data, dict) else None
    return Signup.objects.select_related("campaign", "person").filter(pk=pk).first()


def _email(signup, purpose, subject, key_suffix=""):
    context = {
        "signup": signup,
        "campaign": signup.campaign,
        "purpose": purpose,
        "campaign_url": site_url() + signup.campaign.get_absolute_url(),
        "confirm_url": site_url() + reverse("action:signup_confirm", args=[confirm_token(signup)]),
        "unsubscribe_url": site_url()
        + reverse("action:unsubscribe", args=[unsubscribe_token(signup)]),
        "hub_name": settings.HUB_NAME,
    }
    return message_queue(
        key=f"action:signup:{signup.pk}:{purpose}{key_suffix}",
        to_email=signup.email,
        subject=f"[{settings.HUB_NAME}] " + subject.format(campaign=signup.campaign.name),
        body_text=render_to_string("action/email/signup.txt", context),
        person=signup.person,
        # The address asked for this answer itself: no contact consent is needed for it.
        category=OutboxMessage.Category.ACCOUNT,
    )


@transaction.atomic
def signup_create(
    *,
    campaign,
    first_name,
    email,
    last_name="",
    postcode="",
    locality=None,
    comment="",
    show_name=False,
    consent_contact=False,
    invited_from=None,
):
    """Record a sign-up waiting for its email to be confirmed, and send the link. Signing
    again changes nothing on the page: a pending sign-up gets its link again; a confirmed
    one gets a short thank-you saying it already counts (at most once a day)."""
    if not campaign.is_public or campaign.status in ENDED:
        raise ValidationError("This campaign is not taking sign-ups.")
    email = email.strip().lower()
    signup = Signup.objects.filter(campaign=campaign, email__iexact=email).first()
    if signup is None:
        try:
            with transaction.atomic():
                signup = Signup.objects.create(
                    campaign=campaign,
                    first_name=first_name.strip(),
                    last_name=last_name.strip(),
                    email=email,
                    postcode=postcode,
                    locality=locality,
                    comment=comment.strip(),
                    show_name=show_name,
                    consent_contact=consent_contact,
                    invited_from=invited_from,
                )
        except IntegrityError:  # the same address a moment ago
            signup = Signup.objects.get(campaign=campaign, email__iexact=email)
        else:
            _email(signup, "confirm", "Please confirm your name on {campaign}")
            return signup
    today = timezone.localdate().isoformat()
    if signup.status == Signup.Status.PENDING:
        # Whoever holds the address confirms what was typed last, shown on the confirm page:
        # a stranger's earlier attempt never speaks for them.
        signup.first_name, signup.last_name = first_name.strip(), last_name.strip()
        signup.postcode, signup.locality, signup.comment = postcode, locality, comment.strip()
        signup.show_name, signup.consent_contact = show_name, consent_contact
        signup.invited_from = invited_from
        signup.save()
    if signup.status == Signup.Status.CONFIRMED:
        _email(signup, "already", "You have already signed {campaign}", f":{today}")
    else:
        _email(signup, "confirm", "Please confirm your name on {campaign}", f":{today}")
    return signup


@transaction.atomic
def signup_confirm(*, signup):
    """Count a sign-up: its person is found by email or created, and their choices (to be
    contacted, to show their name) are recorded as consent. Confirming twice is harmless."""
    signup = Signup.objects.select_for_update().select_related("campaign").get(pk=signup.pk)
    if signup.status == Signup.Status.CONFIRMED:
        return signup
    person = person_by_email(signup.email)
    if person is None:
        try:
            with transaction.atomic():
                person = person_create(
                    first_name=signup.first_name,
                    last_name=signup.last_name,
                    email=signup.email,
                    postcode=signup.postcode,
                    locality=signup.locality,
                    first_contact=Person.FirstContact.ONLINE,
                )
        except ValidationError:  # created a moment ago by another confirmation
            person = person_by_email(signup.email)
    signup.person = person
    signup.status = Signup.Status.CONFIRMED
    signup.confirmed_at = timezone.now()
    signup.save(update_fields=["person", "status", "confirmed_at"])
    note = f"Signing “{signup.campaign}”"
    if signup.consent_contact:
        consent_record(
            person=person,
            purpose=Consent.Purpose.CONTACT_EMAIL,
            given=True,
            method=Consent.Method.ONLINE,
            note=note,
        )
    if signup.show_name:
        consent_record(
            person=person,
            purpose=Consent.Purpose.SHOW_NAME,
            given=True,
            method=Consent.Method.ONLINE,
            note=note,
        )
    return signup


@transaction.atomic
def signup_unsubscribe(*, signup):
    """Stop updates from this campaign to this supporter (their name still counts)."""
    Signup.objects.filter(pk=signup.pk, unsubscribed_at__isnull=True).update(
        unsubscribed_at=timezone.now()
    )
    signup.refresh_from_db(fields=["unsubscribed_at"])
    return signup
