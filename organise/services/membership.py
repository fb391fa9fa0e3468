"""Writes of membership terms: starting (joining or rejoining), renewing, leaving, and the
daily lapse of those not renewed in time. Each change is dated in a MembershipEvent, which
the growth figures count."""

import calendar
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format

from hubsite.people.models import Person

from ..models import Membership, MembershipEvent, MembershipType

# A membership not renewed lapses this long after its renewal date.
GRACE_DAYS = 30
# How many days before the renewal date the member is reminded.
REMIND_DAYS_BEFORE = 14
# How early a member may renew.
RENEW_MONTHS_AHEAD = 3


def add_months(day, months):
    """The same day ``months`` later (the month's last day when it is shorter)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    last_day = calendar.monthrange(year, month)[1]
    return day.replace(year=year, month=month, day=min(day.day, last_day))


def _event(membership, kind, on):
    return MembershipEvent.objects.create(
        membership=membership,
        kind=kind,
        on=on,
        locality_id=membership.person.locality_id,
        type_id=membership.type_id,
    )


@transaction.atomic
def membership_start(*, person, type, today=None):
    """Make ``person`` an active member with a fresh term of ``type``. A member already
    active keeps their term (joining twice changes nothing); a lapsed or departed member
    rejoins. Returns ``(membership, kind)`` where kind is the MembershipEvent kind written,
    or None when nothing changed."""
    today = today or timezone.localdate()
    if not isinstance(type, MembershipType):
        raise ValidationError({"type": "Choose a kind of membership."})
    # Before a first join there is no membership row to lock: the person's row is, so two
    # joins at once (a double click, staff and the person together) take turns.
    Person.objects.select_for_update().filter(pk=person.pk).first()
    membership = Membership.objects.select_for_update().filter(person=person).first()
    renews_on = add_months(today, type.term_months)
    if membership is None:
        try:
            with transaction.atomic():
                membership = Membership.objects.create(
                    person=person,
                    type=type,
                    status=Membership.Status.ACTIVE,
                    joined_on=today,
                    term_started_on=today,
                    renews_on=renews_on,
                )
        except IntegrityError:
            # Made a member a moment ago by another request (on a database without row
            # locks): that join stands, this one changes nothing.
            membership = Membership.objects.select_for_update().filter(person=person).first()
            if membership is None:
                raise
            return membership, None
        _event(membership, MembershipEvent.Kind.JOINED, today)
        return membership, MembershipEvent.Kind.JOINED
    if membership.status == Membership.Status.ACTIVE:
        return membership, None
    kind = (
        MembershipEvent.Kind.JOINED
        if membership.status == Membership.Status.PENDING
        else MembershipEvent.Kind.REJOINED
    )
    if membership.status == Membership.Status.PENDING:
        membership.joined_on = today
    membership.type = type
    membership.status = Membership.Status.ACTIVE
    membership.term_started_on, membership.renews_on, membership.ended_on = today, renews_on, None
    membership.save()
    _event(membership, kind, today)
    return membership, kind


@transaction.atomic
def membership_renew(*, membership, today=None, expected_renews_on=None):
    """Another term: from the renewal date when renewed early (no days lost), from today
    when it had lapsed. A member who left must join again instead.

    ``expected_renews_on`` is the renewal date the page showed: when it has changed since
    (the form sent twice, or renewed meanwhile by someone else), nothing is renewed again."""
    today = today or timezone.localdate()
    membership = (
        Membership.objects.select_for_update()
        .select_related("type", "person")
        .get(pk=membership.pk)
    )
    if membership.status == Membership.Status.LEFT:
        raise ValidationError("This membership has ended; join again to become a member.")
    if membership.status == Membership.Status.PENDING:
        raise ValidationError("This membership has not started yet.")
    if expected_renews_on is not None and membership.renews_on != expected_renews_on:
        raise ValidationError(
            "This membership is already renewed until "
            f"{date_format(membership.renews_on, 'j F Y')}.",
            code="renewed_already",
        )
    if membership.status == Membership.Status.ACTIVE:
        if membership.renews_on > add_months(today, RENEW_MONTHS_AHEAD):
            raise ValidationError("This membership is not due for renewal yet.")
        start = membership.renews_on
    else:
        start = today
    kind = (
        MembershipEvent.Kind.RENEWED
        if membership.status == Membership.Status.ACTIVE
        else MembershipEvent.Kind.REJOINED
    )
    membership.status = Membership.Status.ACTIVE
    membership.term_started_on = start
    membership.renews_on = add_months(start, membership.type.term_months)
    membership.ended_on = None
    membership.save()
    _event(membership, kind, today)
    return membership


@transaction.atomic
def membership_leave(*, membership, today=None):
    """The member leaves the hub. Their record stays (with its history) until they ask for
    it to be erased; leaving twice changes nothing."""
    today = today or timezone.localdate()
    membership = (
        Membership.objects.select_for_update().select_related("person").get(pk=membership.pk)
    )
    if membership.status == Membership.Status.LEFT:
        return membership
    membership.status = Membership.Status.LEFT
    membership.ended_on = today
    membership.save(update_fields=["status", "ended_on", "updated_at"])
    _event(membership, MembershipEvent.Kind.LEFT, today)
    return membership


@transaction.atomic
def membership_change_type(*, membership, type):
    if membership.status == Membership.Status.LEFT:
        raise ValidationError("This membership has ended; join again to choose a kind.")
    if not type.open_to_join and type.pk != membership.type_id:
        raise ValidationError({"type": "This kind of membership is no longer offered."})
    membership.type = type
    membership.save(update_fields=["type", "updated_at"])
    return membership


def memberships_lapse_due(*, today=None):
    """Mark lapsed each active membership whose renewal date is more than GRACE_DAYS past.
    Each lapses once: the status filter finds it no more the next day. Returns the ids."""
    today = today or timezone.localdate()
    lapsed = []
    due = Membership.objects.filter(
        status=Membership.Status.ACTIVE, renews_on__lt=today - timedelta(days=GRACE_DAYS)
    ).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            membership = (
                Membership.objects.select_for_update(skip_locked=True)
                .select_related("person")
                .filter(pk=pk, status=Membership.Status.ACTIVE)
                .first()
            )
            if membership is None:
                continue
            membership.status = Membership.Status.LAPSED
            membership.ended_on = today
            membership.save(update_fields=["status", "ended_on", "updated_at"])
            _event(membership, MembershipEvent.Kind.LAPSED, today)
            lapsed.append(pk)
    return lapsed
