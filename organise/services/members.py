"""Writes of membership that staff make (the kinds of membership, a member added by hand,
the contributions members make) and the emails of the membership's terms: the reminder
before the renewal date and the notice that a membership lapsed, each written once."""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from hubsite.notify.models import OutboxMessage
from hubsite.notify.services import message_queue, site_url
from hubsite.people.services import unique_slug

from ..models import Contribution, Membership, MembershipType
from ..selectors.members import memberships_due_reminder, memberships_lapsed_since
from .membership import GRACE_DAYS, memberships_lapse_due

RENEWAL_KEY_PREFIX = "organise:renewal:"
LAPSED_KEY_PREFIX = "organise:lapsed:"
# A lapse notice not written on the day (a worker that died) is still written this long after.
LAPSE_NOTICE_DAYS = 7
NOTE_MAX_LENGTH = Contribution._meta.get_field("note").max_length
NAME_MAX_LENGTH = MembershipType._meta.get_field("name").max_length
LARGEST_AMOUNT = Decimal("999999.99")
LARGEST_SUGGESTION = Decimal("99999.99")


# Kinds of membership -------------------------------------------------------------------


def _type_fields(*, name, description, suggested_contribution, term_months, open_to_join, order):
    name = " ".join((name or "").split())
    errors = {}
    if not name:
        errors["name"] = "Give the kind of membership a name."
    elif len(name) > NAME_MAX_LENGTH:
        errors["name"] = f"Keep the name to {NAME_MAX_LENGTH} characters."
    if suggested_contribution is not None and not (
        Decimal(0) <= suggested_contribution <= LARGEST_SUGGESTION
    ):
        errors["suggested_contribution"] = (
            "The suggested contribution is £0 or more (leave it empty for a free membership)."
        )
    if term_months is None or not 1 <= term_months <= 120:
        errors["term_months"] = "A term lasts from 1 to 120 months."
    if order is None or order < 0:
        errors["order"] = "The order is a number, 0 or more."
    if errors:
        raise ValidationError(errors)
    return {
        "name": name,
        "description": (description or "").strip(),
        # £0 and empty both mean free: the hub shows no suggestion for either.
        "suggested_contribution": suggested_contribution or None,
        "term_months": term_months,
        "open_to_join": bool(open_to_join),
        "order": order,
    }


def _name_taken(name, exclude_pk=None):
    others = MembershipType.objects.filter(name__iexact=name)
    if exclude_pk:
        others = others.exclude(pk=exclude_pk)
    return others.exists()


def _name_taken_error():
    return ValidationError({"name": "There is already a kind of membership with this name."})


@transaction.atomic
def membership_type_create(
    *, name, description="", suggested_contribution=None, term_months=12, open_to_join=True, order=0
):
    fields = _type_fields(
        name=name,
        description=description,
        suggested_contribution=suggested_contribution,
        term_months=term_months,
        open_to_join=open_to_join,
        order=order,
    )
    if _name_taken(fields["name"]):
        raise _name_taken_error()
    try:
        with transaction.atomic():
            return MembershipType.objects.create(
                slug=unique_slug(MembershipType, fields["name"]), **fields
            )
    except IntegrityError:  # the same name, saved a moment ago by someone else
        raise _name_taken_error() from None


@transaction.atomic
def membership_type_update(
    *, type, name, description, suggested_contribution, term_months, open_to_join, order
):
    """Change a kind of membership. A new term length applies from each member's next
    renewal; the terms already running keep their dates."""
    fields = _type_fields(
        name=name,
        description=description,
        suggested_contribution=suggested_contribution,
        term_months=term_months,
        open_to_join=open_to_join,
        order=order,
    )
    type = MembershipType.objects.select_for_update().get(pk=type.pk)
    if _name_taken(fields["name"], exclude_pk=type.pk):
        raise _name_taken_error()
    if fields["name"] != type.name:
        type.slug = unique_slug(MembershipType, fields["name"], exclude_pk=type.pk)
    for field, value in fields.items():
        setattr(type, field, value)
    try:
        with transaction.atomic():
            type.save()
    except IntegrityError:
        raise _name_taken_error() from None
    return type


# Members -------------------------------------------------------------------------------


@transaction.atomic
def contribution_record(*, membership, amount, received_on, note="", recorded_by, today=None):
    """Record a contribution a member made (the hub takes no payments: this is the record
    of one made in cash, by standing order…)."""
    today = today or timezone.localdate()
    note = " ".join((note or "").split())
    errors = {}
    if amount is None or amount <= 0:
        errors["amount"] = "Enter an amount of more than £0."
    elif amount > LARGEST_AMOUNT:
        errors["amount"] = "That amount is too large to record."
    elif amount != amount.quantize(Decimal("0.01")):
        errors["amount"] = "Enter the amount in pounds and pence, e.g. 12.50."
    if received_on is None:
        errors["received_on"] = "Enter the date it was received."
    elif received_on > today:
        errors["received_on"] = "The date it was received cannot be in the future."
    if len(note) > NOTE_MAX_LENGTH:
        errors["note"] = f"Keep the note to {NOTE_MAX_LENGTH} characters."
    if errors:
        raise ValidationError(errors)
    return Contribution.objects.create(
        membership=membership,
        amount=amount,
        received_on=received_on,
        note=note,
        recorded_by=recorded_by,
    )


# The emails of a membership's terms ----------------------------------------------------


def _my_membership_url():
    return site_url() + reverse("organise:my_membership")


def _subject(text):
    return " ".join(f"[{settings.HUB_NAME}] {text}".split())[:255]


def renewal_key(membership):
    return f"{RENEWAL_KEY_PREFIX}{membership.pk}:{membership.renews_on.isoformat()}"


def lapsed_key(membership):
    return f"{LAPSED_KEY_PREFIX}{membership.pk}:{membership.ended_on.isoformat()}"


def _membership_for_email(membership_id):
    return (
        Membership.objects.select_related("person", "type")
        .filter(pk=membership_id)
        .exclude(person__email="")
        .first()
    )


@transaction.atomic
def renewal_remind(*, membership_id, today=None):
    """Remind a member that their membership falls for renewal: once per term (the key
    names the renewal date), only while it is active and due within REMIND_DAYS_BEFORE
    days. Returns the outbox row, or None when no reminder is due."""
    today = today or timezone.localdate()
    membership = _membership_for_email(membership_id)
    if membership is None or not memberships_due_reminder(today).filter(pk=membership.pk).exists():
        return None
    context = {
        "membership": membership,
        "person": membership.person,
        "type": membership.type,
        "renews_on": membership.renews_on,
        "link": _my_membership_url(),
        "hub_name": settings.HUB_NAME,
    }
    return message_queue(
        key=renewal_key(membership),
        to_email=membership.person.email,
        subject=_subject(f"Your membership renews on {date_format(membership.renews_on, 'j F Y')}"),
        body_text=render_to_string("organise/email/renewal.txt", context),
        person=membership.person,
        # About the membership the person holds: they asked for it by joining.
        category=OutboxMessage.Category.ACCOUNT,
    )


def renewal_reminders_send(*, today=None):
    """The daily tick: a reminder to each member whose renewal is due soon. Each is its own
    transaction, and the keys make a second run (or a second tick) write nothing more.
    Returns how many reminders were written or found already written."""
    today = today or timezone.localdate()
    sent = [renewal_remind(membership_id=pk, today=today) for pk in memberships_due_reminder(today)]
    return sum(1 for message in sent if message)


def renewal_message_still_wanted(message):
    """The outbox's last check before sending a renewal reminder (registered for
    ``organise:renewal:``): the membership is still active with the same renewal date, so
    not renewed, left or lapsed since the reminder was written."""
    try:
        membership_pk, renews_on = message.key.removeprefix(RENEWAL_KEY_PREFIX).split(":")
        return Membership.objects.filter(
            pk=int(membership_pk), status=Membership.Status.ACTIVE, renews_on=renews_on
        ).exists()
    except (ValueError, ValidationError):
        return True  # not a key this module wrote


@transaction.atomic
def lapse_notice_send(*, membership_id):
    """Tell a member their membership has lapsed and how to renew it: once per lapse (the
    key names the day it lapsed). Returns the outbox row, or None."""
    membership = _membership_for_email(membership_id)
    if membership is None or membership.status != Membership.Status.LAPSED:
        return None
    if membership.ended_on is None:
        return None
    context = {
        "membership": membership,
        "person": membership.person,
        "type": membership.type,
        "link": _my_membership_url(),
        "grace_days": GRACE_DAYS,
        "hub_name": settings.HUB_NAME,
    }
    return message_queue(
        key=lapsed_key(membership),
        to_email=membership.person.email,
        subject=_subject("Your membership has lapsed"),
        body_text=render_to_string("organise/email/lapsed.txt", context),
        person=membership.person,
        category=OutboxMessage.Category.ACCOUNT,
    )


def lapse_notices_send(*, today=None):
    """The daily tick: lapse the memberships not renewed within the grace period, then tell
    each lapsed member once. Those lapsed in the last few days are told too, so a notice
    is not lost when a worker died between the lapse and its email. Returns the ids of the
    memberships lapsed by this run."""
    today = today or timezone.localdate()
    lapsed = memberships_lapse_due(today=today)
    recent = memberships_lapsed_since(today - timedelta(days=LAPSE_NOTICE_DAYS))
    for pk in sorted(set(lapsed) | set(recent)):
        lapse_notice_send(membership_id=pk)
    return lapsed


def lapse_message_still_wanted(message):
    """The outbox's last check before sending a lapse notice (``organise:lapsed:``): the
    membership is still lapsed since the same day, so not renewed or rejoined meanwhile."""
    try:
        membership_pk, ended_on = message.key.removeprefix(LAPSED_KEY_PREFIX).split(":")
        return Membership.objects.filter(
            pk=int(membership_pk), status=Membership.Status.LAPSED, ended_on=ended_on
        ).exists()
    except (ValueError, ValidationError):
        return True
