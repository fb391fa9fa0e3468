"""Writes of the hub's accountability to its members: calling a meeting (a members' meeting,
the AGM, or a group's own), writing its agenda and minutes, recording what it decided (who
decided, who sees it through, when it comes back for review) and reviewing each decision.

A decision always has an owner and a review date not before its meeting. When the review
date comes, the owner gets one reminder for that date (its outbox key names the date), so
the daily task may run as often as it likes; a decision moved to a later date is reminded
again then."""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.dateformat import format as date_format

from hubsite.notify.models import OutboxMessage
from hubsite.notify.services import message_queue, site_url

from ..models import Decision, Meeting
from ..rules import (
    can_manage_meeting,
    can_review_decision,
    can_run_group_meetings,
    can_see_meeting,
    is_staff,
)
from ..selectors.meetings import decision_link, owner_choices

REVIEW_KEY_PREFIX = "organise:decision-review:"
MAX_ATTENDANCE = 100_000
MAX_TEXT = 20_000
TITLE_MAX = Meeting._meta.get_field("title").max_length
PLACE_MAX = Meeting._meta.get_field("place").max_length
SUMMARY_MAX = Decision._meta.get_field("summary").max_length
DECIDED_BY_MAX = Decision._meta.get_field("decided_by").max_length


def _line(value):
    """One line of text: a line break in a title would break an email's subject."""
    return " ".join((value or "").split())


def _day(value):
    return date_format(value, "j F Y")


def _text(value):
    return (value or "").strip().replace("\r\n", "\n")


# Meetings ------------------------------------------------------------------------------


def _clean_meeting(*, title, kind, group, held_on, place, agenda, minutes, attendance):
    title, place = _line(title), _line(place)
    agenda, minutes = _text(agenda), _text(minutes)
    errors = {}
    if not title:
        errors["title"] = "Give the meeting a title."
    elif len(title) > TITLE_MAX:
        errors["title"] = f"Keep the title to {TITLE_MAX} characters."
    if kind not in Meeting.Kind.values:
        errors["kind"] = "Choose a members' meeting, the AGM or a group's meeting."
    elif kind == Meeting.Kind.GROUP and group is None:
        errors["group"] = "Choose the group whose meeting it is."
    elif kind != Meeting.Kind.GROUP and group is not None:
        errors["group"] = (
            "A members' meeting or the AGM belongs to the whole hub: leave the group empty."
        )
    if held_on is None:
        errors["held_on"] = "Enter the date of the meeting."
    if len(place) > PLACE_MAX:
        errors["place"] = f"Keep the place to {PLACE_MAX} characters."
    if len(agenda) > MAX_TEXT:
        errors["agenda"] = f"Keep the agenda to {MAX_TEXT:,} characters."
    if len(minutes) > MAX_TEXT:
        errors["minutes"] = f"Keep the minutes to {MAX_TEXT:,} characters."
    if attendance is not None and not 0 <= attendance <= MAX_ATTENDANCE:
        errors["attendance"] = f"Enter how many came, from 0 to {MAX_ATTENDANCE:,}."
    if errors:
        raise ValidationError(errors)
    return {
        "title": title,
        "kind": kind,
        "group": group if kind == Meeting.Kind.GROUP else None,
        "held_on": held_on,
        "place": place,
        "agenda": agenda,
        "minutes": minutes,
        "attendance": attendance,
    }


def _check_may_run(user, kind, group):
    if kind == Meeting.Kind.GROUP:
        if not can_run_group_meetings(user, group):
            raise ValidationError(
                {"group": "Only the group's organisers or hub staff can run its meetings."}
            )
    elif not is_staff(user):
        raise ValidationError({"kind": "Only hub staff can call a members' meeting or the AGM."})


@transaction.atomic
def meeting_create(
    *,
    created_by,
    title,
    kind,
    held_on,
    group=None,
    place="",
    agenda="",
    minutes="",
    attendance=None,
):
    fields = _clean_meeting(
        title=title,
        kind=kind,
        group=group,
        held_on=held_on,
        place=place,
        agenda=agenda,
        minutes=minutes,
        attendance=attendance,
    )
    _check_may_run(created_by, fields["kind"], fields["group"])
    return Meeting.objects.create(created_by=created_by, **fields)


@transaction.atomic
def meeting_edit(
    *,
    meeting,
    edited_by,
    title,
    kind,
    held_on,
    group=None,
    place="",
    agenda="",
    minutes="",
    attendance=None,
):
    """Change a meeting: its agenda before, its minutes and attendance after. Whoever runs
    it now and will run it after the change must be the one editing. Its decisions keep
    their rules: none reviewed before the meeting, no owner left outside its group."""
    meeting = (
        Meeting.objects.select_for_update(of=("self",)).select_related("group").get(pk=meeting.pk)
    )
    if not can_manage_meeting(edited_by, meeting):
        raise ValidationError("Only the people who run this meeting can change it.")
    fields = _clean_meeting(
        title=title,
        kind=kind,
        group=group,
        held_on=held_on,
        place=place,
        agenda=agenda,
        minutes=minutes,
        attendance=attendance,
    )
    _check_may_run(edited_by, fields["kind"], fields["group"])
    decisions = Decision.objects.filter(meeting=meeting)
    new_group_id = fields["group"].pk if fields["group"] else None
    if new_group_id != meeting.group_id and decisions.exists():
        raise ValidationError(
            {
                "group": "This meeting has recorded decisions, whose owners were chosen for it: "
                "it cannot move to another group or between a group and the whole hub."
            }
        )
    early = decisions.filter(review_on__lt=fields["held_on"]).order_by("review_on").first()
    if early is not None:
        raise ValidationError(
            {
                "held_on": f"The decision “{early.summary}” comes up for review on "
                f"{_day(early.review_on)}, before this date: move its review first."
            }
        )
    for name, value in fields.items():
        setattr(meeting, name, value)
    meeting.save()
    return meeting


# Decisions -----------------------------------------------------------------------------


def _clean_decision(*, meeting, summary, decided_by, owner, review_on, status, outcome, current):
    summary, decided_by, outcome = _line(summary), _line(decided_by), _text(outcome)
    errors = {}
    if not summary:
        errors["summary"] = "Say what was decided."
    elif len(summary) > SUMMARY_MAX:
        errors["summary"] = f"Keep what was decided to {SUMMARY_MAX} characters."
    if not decided_by:
        errors["decided_by"] = "Say who decided, e.g. members at the AGM, by 34 votes to 2."
    elif len(decided_by) > DECIDED_BY_MAX:
        errors["decided_by"] = f"Keep who decided to {DECIDED_BY_MAX} characters."
    if owner is None:
        errors["owner"] = "Choose who will see this decision through: a decision needs an owner."
    elif not owner_choices(meeting, current=current).filter(pk=owner.pk).exists():
        errors["owner"] = (
            "Choose someone from the group."
            if meeting.group_id
            else "Choose someone with an account on the hub."
        )
    if review_on is None:
        errors["review_on"] = "Choose when the decision comes back for review."
    elif review_on < meeting.held_on:
        errors["review_on"] = (
            f"The review date cannot be before the meeting ({_day(meeting.held_on)})."
        )
    if status not in Decision.Status.values:
        errors["status"] = "Choose whether it is in hand, done or dropped."
    if len(outcome) > MAX_TEXT:
        errors["outcome"] = f"Keep what came of it to {MAX_TEXT:,} characters."
    if errors:
        raise ValidationError(errors)
    return {
        "summary": summary,
        "decided_by": decided_by,
        "owner": owner,
        "review_on": review_on,
        "status": status,
        "outcome": outcome,
    }


def _check_may_manage(user, meeting):
    if not can_manage_meeting(user, meeting):
        raise ValidationError("Only the people who run this meeting can record its decisions.")


@transaction.atomic
def decision_create(
    *,
    meeting,
    created_by,
    summary,
    decided_by,
    owner,
    review_on,
    status=Decision.Status.OPEN,
    outcome="",
):
    """Record what a meeting decided. Nothing is saved without an owner, or with a review
    date before the meeting."""
    meeting = (
        Meeting.objects.select_for_update(of=("self",)).select_related("group").get(pk=meeting.pk)
    )
    _check_may_manage(created_by, meeting)
    fields = _clean_decision(
        meeting=meeting,
        summary=summary,
        decided_by=decided_by,
        owner=owner,
        review_on=review_on,
        status=status,
        outcome=outcome,
        current=None,
    )
    if fields["status"] != Decision.Status.OPEN:
        fields["reviewed_on"] = timezone.localdate()
    return Decision.objects.create(meeting=meeting, **fields)


@transaction.atomic
def decision_edit(
    *,
    decision,
    edited_by,
    summary,
    decided_by,
    owner,
    review_on,
    status,
    outcome="",
):
    decision = (
        Decision.objects.select_for_update(of=("self",))
        .select_related("meeting__group", "owner")
        .get(pk=decision.pk)
    )
    meeting = decision.meeting
    _check_may_manage(edited_by, meeting)
    fields = _clean_decision(
        meeting=meeting,
        summary=summary,
        decided_by=decided_by,
        owner=owner,
        review_on=review_on,
        status=status,
        outcome=outcome,
        current=decision.owner,
    )
    if fields["status"] != decision.status and fields["status"] != Decision.Status.OPEN:
        fields["reviewed_on"] = timezone.localdate()
    for name, value in fields.items():
        setattr(decision, name, value)
    decision.save()
    return decision


@transaction.atomic
def decision_review(*, decision, reviewed_by, status, outcome="", review_on=None, today=None):
    """The review of a decision: what came of it, and whether it is done, dropped, or still
    in hand until a new review date (after today)."""
    today = today or timezone.localdate()
    decision = (
        Decision.objects.select_for_update(of=("self",))
        .select_related("meeting__group", "owner")
        .get(pk=decision.pk)
    )
    if not can_review_decision(reviewed_by, decision):
        raise ValidationError(
            "Only the decision's owner or the people who run its meeting can review it."
        )
    outcome = _text(outcome)
    errors = {}
    if status not in Decision.Status.values:
        errors["status"] = "Choose whether it is done, dropped or still in hand."
    elif status == Decision.Status.OPEN:
        if review_on is None:
            errors["review_on"] = "Choose when it comes back for review."
        elif review_on <= today:
            errors["review_on"] = "Choose a new review date after today."
        elif review_on < decision.meeting.held_on:
            errors["review_on"] = (
                f"The review date cannot be before the meeting ({_day(decision.meeting.held_on)})."
            )
    elif not outcome:
        errors["outcome"] = "Say what came of it, for the members who decided it."
    if len(outcome) > MAX_TEXT:
        errors["outcome"] = f"Keep what came of it to {MAX_TEXT:,} characters."
    if errors:
        raise ValidationError(errors)
    decision.status = status
    if outcome:
        decision.outcome = outcome
    if status == Decision.Status.OPEN:
        decision.review_on = review_on
    decision.reviewed_on = today
    decision.save(update_fields=["status", "outcome", "review_on", "reviewed_on"])
    return decision


# Review reminders ----------------------------------------------------------------------


def review_key(decision):
    return f"{REVIEW_KEY_PREFIX}{decision.pk}:{decision.review_on.isoformat()}"


@transaction.atomic
def decision_review_remind(*, decision_id, today=None):
    """Remind a decision's owner that its review has come: once per decision and review
    date, never for one done or dropped, nor to an owner without an email address or whose
    account is closed. Returns the outbox row, or None."""
    today = today or timezone.localdate()
    decision = (
        Decision.objects.select_related("owner__user", "meeting__group")
        .filter(
            pk=decision_id,
            status=Decision.Status.OPEN,
            review_on__lte=today,
            owner__isnull=False,
        )
        .first()
    )
    if decision is None or not decision.owner.email:
        return None
    owner = decision.owner
    user = owner.user
    if user is not None and not user.is_active:
        return None
    # An owner without an account signs in from the link, as anyone would.
    can_open = user is None or can_see_meeting(user, decision.meeting)
    context = {
        "owner": owner,
        "decision": decision,
        "meeting": decision.meeting,
        "link": site_url() + decision_link(decision, can_open_meeting=can_open),
        "today": today,
        "hub_name": settings.HUB_NAME,
    }
    return message_queue(
        key=review_key(decision),
        to_email=owner.email,
        # A line break in a subject would make the email unsendable.
        subject=f"[{settings.HUB_NAME}] Time to review: {_line(decision.summary)}"[:255],
        body_text=render_to_string("organise/email/decision_review.txt", context),
        person=owner,
        # They took the decision on: reminding them of it is part of that role.
        category=OutboxMessage.Category.WORK,
    )


def review_message_still_wanted(message):
    """The outbox's last check before sending a review reminder (``notify.registry``, for
    the prefix ``organise:decision-review:``): the decision is still open, its review date
    is still the one reminded of, and it still belongs to the person written to."""
    try:
        pk, review_on = message.key.removeprefix(REVIEW_KEY_PREFIX).split(":")
        pk, review_on = int(pk), date.fromisoformat(review_on)
    except ValueError:
        return True
    return Decision.objects.filter(
        pk=pk,
        status=Decision.Status.OPEN,
        review_on=review_on,
        owner_id=message.person_id,
        owner__isnull=False,
    ).exists()
