"""Writes of Listening, one function per use case, each in one transaction. Each re-checks
the rules it owns and raises a ValidationError a person can read; nothing is half-saved."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from hubsite.notify.models import OutboxMessage
from hubsite.notify.selectors import messages_keyed
from hubsite.notify.services import message_queue, site_url
from hubsite.people.models import Consent, Person, Role, User
from hubsite.people.selectors import consent_given, person_by_email
from hubsite.people.services import consent_record, person_create, unique_slug
from hubsite.privacy.models import AuditEntry
from hubsite.privacy.services import audit_record

from .models import Conversation, FollowUp, ListeningRound, Theme
from .rules import LISTENERS
from .selectors import (
    conversation_visible,
    digests_quoting,
    follow_ups_open,
    rounds_to_log_in,
    theme_counts_forget,
)

# Themes --------------------------------------------------------------------------------


def _theme_name(name):
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": "Enter a name for the theme."})
    if len(name) > Theme._meta.get_field("name").max_length:
        raise ValidationError({"name": "Keep the theme's name under 80 characters."})
    return name[0].upper() + name[1:]


def theme_get_or_create(*, name):
    """The theme called ``name`` (whatever its case), created when it is new."""
    name = _theme_name(name)
    theme = Theme.objects.filter(name__iexact=name).first()
    if theme:
        return theme
    try:
        with transaction.atomic():
            return Theme.objects.create(name=name, slug=unique_slug(Theme, name))
    except IntegrityError:  # someone added it a moment ago
        return Theme.objects.get(name__iexact=name)


@transaction.atomic
def theme_rename(*, theme, name):
    name = _theme_name(name)
    if Theme.objects.filter(name__iexact=name).exclude(pk=theme.pk).exists():
        raise ValidationError(
            {"name": "Another theme already has this name: merge the two instead."}
        )
    theme.name = name
    theme.slug = unique_slug(Theme, name, exclude_pk=theme.pk)
    try:
        with transaction.atomic():
            theme.save()
    except IntegrityError:
        raise ValidationError({"name": "Another theme already has this name."}) from None
    transaction.on_commit(theme_counts_forget)  # the kept counts name it
    return theme


@transaction.atomic
def theme_merge(*, source, target):
    """Move every conversation of ``source`` to ``target`` and remove ``source``. Returns how
    many conversations were about ``source`` (all of them are now about ``target``; one
    that had both themes keeps a single link)."""
    if source.pk == target.pk:
        raise ValidationError({"target": "Choose a different theme to merge into."})
    links = Conversation.themes.through.objects
    already = links.filter(theme=target).values("conversation_id")
    kept, _ = links.filter(theme=source, conversation_id__in=already).delete()
    moved = links.filter(theme=source).update(theme=target)
    source.delete()
    transaction.on_commit(theme_counts_forget)  # the kept counts still show ``source``
    return kept + moved


# Rounds --------------------------------------------------------------------------------


def _check_round(*, starts_on, ends_on, target, **_):
    if ends_on and ends_on < starts_on:
        raise ValidationError({"ends_on": "The round cannot end before it starts."})
    if target is not None and target < 1:
        raise ValidationError({"target": "Aim for at least one conversation."})


def _check_people(organisers, volunteers):
    for field, users in (("organisers", organisers), ("volunteers", volunteers)):
        if any(not user.is_active or user.role not in LISTENERS for user in users):
            raise ValidationError(
                {field: "Only hub staff, organisers and volunteers can be on a round."}
            )


@transaction.atomic
def round_create(*, created_by, localities=(), organisers=(), volunteers=(), **fields):
    """Start a listening round. An organiser who starts one runs it."""
    _check_round(**fields)
    organisers, volunteers = list(organisers), list(volunteers)
    _check_people(organisers, volunteers)
    name = " ".join(fields.pop("name", "").split())
    if ListeningRound.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": "A round with this name already exists."})
    try:
        with transaction.atomic():
            round_ = ListeningRound.objects.create(name=name, **fields)
    except IntegrityError:
        raise ValidationError({"name": "A round with this name already exists."}) from None
    round_.localities.set(localities)
    if created_by.role == Role.ORGANISER and created_by not in organisers:
        organisers.append(created_by)
    round_.organisers.set(organisers)
    round_.volunteers.set(volunteers)
    return round_


@transaction.atomic
def round_update(*, round_, localities=None, organisers=None, volunteers=None, **fields):
    _check_round(
        starts_on=fields.get("starts_on", round_.starts_on),
        ends_on=fields.get("ends_on", round_.ends_on),
        target=fields.get("target", round_.target),
    )
    _check_people(list(organisers or ()), list(volunteers or ()))
    if "name" in fields:
        fields["name"] = " ".join(fields["name"].split())
        if (
            ListeningRound.objects.filter(name__iexact=fields["name"])
            .exclude(pk=round_.pk)
            .exists()
        ):
            raise ValidationError({"name": "A round with this name already exists."})
    for name, value in fields.items():
        setattr(round_, name, value)
    try:
        with transaction.atomic():
            round_.save()
    except IntegrityError:
        raise ValidationError({"name": "A round with this name already exists."}) from None
    if localities is not None:
        round_.localities.set(localities)
    if organisers is not None:
        round_.organisers.set(organisers)
    if volunteers is not None:
        round_.volunteers.set(volunteers)
    return round_


# Conversations -------------------------------------------------------------------------

ANSWERS = ("concerns", "hopes", "needs", "talents")
# How someone met at a conversation first came into contact with the hub.
FIRST_CONTACT = {
    Conversation.Method.DOOR_KNOCK: Person.FirstContact.DOORSTEP,
    Conversation.Method.STREET_STALL: Person.FirstContact.STALL,
    Conversation.Method.GROUP_SESSION: Person.FirstContact.EVENT,
    Conversation.Method.ONLINE: Person.FirstContact.ONLINE,
}


def _check_conversation(*, logged_by, round, held_on, **answers):
    errors = {}
    if held_on > timezone.localdate():
        errors["held_on"] = "The date cannot be in the future."
    if not any((answers.get(name) or "").strip() for name in ANSWERS):
        errors["concerns"] = "Write down at least what they care about, hope for, need or offer."
    if round is not None:
        if not rounds_to_log_in(logged_by).filter(pk=round.pk).exists():
            errors["round"] = "You are not on this round, or it has ended."
        elif held_on < round.starts_on or (round.ends_on and held_on > round.ends_on):
            errors["held_on"] = "This date is outside the round's dates."
    if errors:
        raise ValidationError(errors)


def _person_for(*, who, person, new_person, logged_by):
    """The person the conversation is with: the one picked, a new one, or nobody for an
    anonymous conversation. A "new" person with an address the hub already knows is refused
    without naming anyone: typing an address must not reveal, or write into, someone's
    record (and never makes a duplicate)."""
    if who == "anonymous":
        return None
    if who == "existing":
        if person is None:
            raise ValidationError({"person": "Choose the person from the search results."})
        return person
    first_name = (new_person.get("first_name") or "").strip()
    if not first_name:
        raise ValidationError({"first_name": "Enter their first name, or log it anonymously."})
    email = (new_person.get("email") or "").strip().lower()
    if email and person_by_email(email):
        raise ValidationError(
            {
                "email": "Someone the hub knows already has this address: choose “Someone the "
                "hub knows” and find them by name, or leave the address out."
            }
        )
    return person_create(
        first_name=first_name,
        last_name=(new_person.get("last_name") or "").strip(),
        email=email,
        phone=(new_person.get("phone") or "").strip(),
        locality=new_person.get("locality"),
        first_contact=new_person.get("first_contact", ""),
        created_by=logged_by,
    )


@transaction.atomic
def conversation_log(
    *,
    logged_by,
    who,
    person=None,
    new_person=None,
    keep_record=False,
    contact_again=False,
    themes=(),
    new_themes=(),
    follow_up=None,
    round=None,
    locality=None,
    held_on=None,
    **fields,
):
    """Record a conversation. A named person must have agreed that the hub keeps a record
    (recorded as their consent); their agreement to be contacted again is recorded too.
    ``follow_up`` is an optional dict (action, owner, due_on) for a promise made."""
    held_on = held_on or timezone.localdate()
    if who not in ("existing", "new", "anonymous"):
        raise ValidationError({"who": "Choose who you spoke with."})
    _check_conversation(logged_by=logged_by, round=round, held_on=held_on, **fields)
    if who != "anonymous" and not keep_record:
        raise ValidationError(
            {
                "keep_record": "Ask whether the hub may keep a record of what they shared, or "
                "log the conversation anonymously."
            }
        )
    if who == "anonymous" and locality is None:
        raise ValidationError({"locality": "Choose where this was, so the conversation counts."})
    if follow_up:
        _check_follow_up(**follow_up)
    first_contact = FIRST_CONTACT.get(fields.get("method"), Person.FirstContact.OTHER)
    person = _person_for(
        who=who,
        person=person,
        new_person=dict(new_person or {}, locality=locality, first_contact=first_contact),
        logged_by=logged_by,
    )
    if person is not None:
        locality = locality or person.locality
        consent_record(
            person=person,
            purpose=Consent.Purpose.KEEP_RECORD,
            given=True,
            method=Consent.Method.VERBAL,
            recorded_by=logged_by,
            note="Asked in a listening conversation",
        )
        if contact_again:
            for purpose, detail in (
                (Consent.Purpose.CONTACT_EMAIL, person.email),
                (Consent.Purpose.CONTACT_PHONE, person.phone),
            ):
                if detail:
                    consent_record(
                        person=person,
                        purpose=purpose,
                        given=True,
                        method=Consent.Method.VERBAL,
                        recorded_by=logged_by,
                        note="Agreed in a listening conversation",
                    )
    conversation = Conversation.objects.create(
        logged_by=logged_by,
        person=person,
        round=round,
        locality=locality,
        held_on=held_on,
        contact_again=bool(contact_again and person is not None),
        **{
            name: (value or "").strip() if isinstance(value, str) else value
            for name, value in fields.items()
        },
    )
    theme_objects = list(themes) + [theme_get_or_create(name=name) for name in new_themes]
    conversation.themes.set(theme_objects)
    if follow_up:
        FollowUp.objects.create(conversation=conversation, **follow_up)
    return conversation


EDITABLE = (
    "held_on",
    "place",
    "method",
    "locality",
    "concerns",
    "hopes",
    "needs",
    "talents",
    "willingness",
    "sensitive_notes",
)


@transaction.atomic
def conversation_update(*, conversation, themes=None, new_themes=(), **fields):
    """Correct what was logged (its author or staff). Who it was with does not change."""
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValueError(f"Cannot change {', '.join(sorted(unknown))} here")
    if conversation.anonymised_at:
        raise ValidationError(
            "The person asked the hub to erase their details: this conversation stays a count."
        )
    values = {name: getattr(conversation, name) for name in EDITABLE if name != "sensitive_notes"}
    values.update({k: v for k, v in fields.items() if k != "sensitive_notes"})
    errors = {}
    round_ = conversation.round
    held_on = values["held_on"]
    if round_ and (held_on < round_.starts_on or (round_.ends_on and held_on > round_.ends_on)):
        errors["held_on"] = "This date is outside the round's dates."
    if values["held_on"] > timezone.localdate():
        errors["held_on"] = "The date cannot be in the future."
    if not any((values.get(name) or "").strip() for name in ANSWERS):
        errors["concerns"] = "Write down at least what they care about, hope for, need or offer."
    if conversation.person_id is None and values["locality"] is None:
        errors["locality"] = "Choose where this was, so the conversation counts."
    if errors:
        raise ValidationError(errors)
    for name, value in fields.items():
        setattr(conversation, name, value.strip() if isinstance(value, str) else value)
    conversation.save()
    if themes is not None:
        conversation.themes.set(list(themes) + [theme_get_or_create(name=n) for n in new_themes])
    return conversation


# Follow-ups ----------------------------------------------------------------------------


def _check_follow_up(*, action, owner, due_on):
    errors = {}
    if not (action or "").strip():
        errors["action"] = "Say what was promised."
    if due_on is None:
        errors["due_on"] = "Choose when it is due."
    elif due_on < timezone.localdate():
        errors["due_on"] = "The due date cannot be in the past."
    if owner is None or not owner.is_active or owner.role not in LISTENERS:
        errors["owner"] = "Choose someone from the hub to keep this promise."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def follow_up_add(*, conversation, action, owner, due_on):
    _check_follow_up(action=action, owner=owner, due_on=due_on)
    return FollowUp.objects.create(
        conversation=conversation, action=action.strip(), owner=owner, due_on=due_on
    )


@transaction.atomic
def follow_up_done(*, follow_up):
    """Mark a promise kept (once: a second click changes nothing)."""
    FollowUp.objects.filter(pk=follow_up.pk, done_at__isnull=True).update(done_at=timezone.now())
    follow_up.refresh_from_db(fields=["done_at"])
    return follow_up


def _consent_withdrawn(person):
    """True when the person behind a follow-up no longer wants the hub to keep their record
    or to contact them: the promise is then not chased."""
    if person is None:
        return False
    if not consent_given(person, Consent.Purpose.KEEP_RECORD):
        return True
    contact = [Consent.Purpose.CONTACT_EMAIL, Consent.Purpose.CONTACT_PHONE]
    statements = person.consents.filter(purpose__in=contact)
    return statements.exists() and not any(consent_given(person, p) for p in contact)


@transaction.atomic
def follow_up_remind(*, follow_up_id, today=None):
    """Email a follow-up's owner on its due date: once per follow-up and due date, never
    for a promise kept or for a person who has withdrawn their consent."""
    today = today or timezone.localdate()
    follow_up = (
        FollowUp.objects.select_related(
            "owner__person", "conversation__person", "conversation__locality"
        )
        .filter(pk=follow_up_id, done_at__isnull=True, due_on=today)
        .first()
    )
    if follow_up is None or _consent_withdrawn(follow_up.conversation.person):
        return None
    owner = follow_up.owner
    if not owner.is_active:
        return None
    # The owner may keep a promise made in a conversation they cannot open.
    if conversation_visible(owner).filter(pk=follow_up.conversation_id).exists():
        link = follow_up.conversation.get_absolute_url()
    else:
        link = reverse("listening:follow_up_list") + "?status=mine"
    context = {
        "owner": owner,
        "follow_up": follow_up,
        "link": site_url() + link,
        "hub_name": settings.HUB_NAME,
    }
    # A line break in a subject would make the email unsendable.
    action = " ".join(follow_up.action.split())
    return message_queue(
        key=f"listening:follow-up:{follow_up.pk}:due:{follow_up.due_on.isoformat()}",
        to_email=owner.email,
        subject=f"[{settings.HUB_NAME}] Due today: {action}"[:255],
        body_text=render_to_string("listening/email/follow_up_due.txt", context),
        person=getattr(owner, "person", None),
        category=OutboxMessage.Category.WORK,
    )


@transaction.atomic
def follow_up_digest(*, owner_id, today=None):
    """The morning email listing an owner's overdue follow-ups: once per owner and day."""
    today = today or timezone.localdate()
    owner = User.objects.filter(pk=owner_id, is_active=True).select_related("person").first()
    if owner is None:
        return None
    overdue = [
        follow_up
        for follow_up in follow_ups_open(owner).filter(due_on__lt=today)
        if not _consent_withdrawn(follow_up.conversation.person)
    ]
    if not overdue:
        return None
    context = {
        "owner": owner,
        "overdue": overdue,
        "link": site_url() + reverse("listening:follow_up_list"),
        "hub_name": settings.HUB_NAME,
    }
    return message_queue(
        key=f"listening:follow-up-digest:{owner.pk}:{today.isoformat()}",
        to_email=owner.email,
        subject=f"[{settings.HUB_NAME}] {len(overdue)} overdue follow-up"
        + ("s" if len(overdue) != 1 else ""),
        body_text=render_to_string("listening/email/follow_up_digest.txt", context),
        person=getattr(owner, "person", None),
        category=OutboxMessage.Category.WORK,
    )


def follow_up_still_wanted(message):
    """The outbox's last check before sending a due-date reminder: the promise is still open
    and the person behind it has not withdrawn their consent (``notify.registry``)."""
    try:
        pk = int(message.key.split(":")[2])
    except (IndexError, ValueError):
        return True
    follow_up = FollowUp.objects.select_related("conversation__person").filter(pk=pk).first()
    return bool(
        follow_up
        and follow_up.done_at is None
        and not _consent_withdrawn(follow_up.conversation.person)
    )


# Contributions to the core -------------------------------------------------------------


def conversations_anonymise(conversations):
    """Anonymise ``conversations`` (a queryset) as erasure and retention do: each stays as an
    anonymous count (date, area, method, themes, willingness) with every word said, every
    note, the place and the person removed, its history rows deleted, and the follow-ups
    promised with the emails quoting them gone; in a fixed number of queries. Returns how
    many conversations changed."""
    ids = conversations.values("pk")
    # The history kept copies of every word: those rows go.
    Conversation.history.filter(id__in=ids).delete()
    follow_ups = FollowUp.objects.filter(conversation__in=ids)
    # The reminders quoted the promise ("call Alice back…"): they go with it.
    messages_keyed("listening:follow-up:", follow_ups).delete()
    digests_quoting(follow_ups).delete()
    follow_ups.delete()
    return Conversation.objects.filter(pk__in=ids).update(
        person=None,
        place="",
        concerns="",
        hopes="",
        needs="",
        talents="",
        sensitive_notes="",
        contact_again=False,
        anonymised_at=timezone.now(),
    )


def person_data_erase(person):
    """Erasure: the person's conversations stay as anonymous counts, without them, their
    words or the promises made to them (``conversations_anonymise``)."""
    conversations_anonymise(Conversation.objects.filter(person=person))


def sensitive_notes_read(*, conversation, viewer):
    """The conversation's sensitive notes for ``viewer`` (who may read them: see
    ``rules.can_see_sensitive_notes``), recorded in the audit log whenever there are any."""
    conversation.refresh_from_db(fields=["sensitive_notes"])
    if conversation.sensitive_notes:
        audit_record(
            actor=viewer,
            action=AuditEntry.Action.VIEWED_SENSITIVE,
            subject=conversation.person_id,
            target=f"listening.conversation:{conversation.pk}",
        )
    return conversation.sensitive_notes
