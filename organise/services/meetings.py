"""Writes of the hub's accountability to its members: calling a meeting (a members' meeting,
the AGM, or a group's own), writing its agenda and minutes, recording what it decided (who
decided, who sees it through, when it comes back for review) and reviewing each decision.

A decision always has an owner and a review date not before its meeting. When the review
date comes, the owner gets one reminder for that date (its outbox key names the decision,
the date and the owner), so the daily task may run as often as it likes; a decision moved
to a later date, or handed to someone else, is reminded again.

A form sent twice (a double click, a reload) records one meeting or decision, not two: an
identical one made a moment before is returned instead."""

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.dateformat import format as date_format

from hubsite.notify.models import OutboxMessage
from hubsite.notify.services import message_queue, site_url
from hubsite.people.models import Consent, User
from hubsite.people.selectors import consent_given

from ..models import Decision, Meeting
from ..rules import (
    can_manage_meeting,
    can_review_decision,
    can_run_group_meetings,
    can_see_meeting,
    is_staff,
)
from ..selectors.meetings import decision_link, decisions_due_review, owner_choices

REVIEW_KEY_PREFIX = "organise:decision-review:"
MAX_ATTENDANCE = 100_000
MAX_TEXT = 20_000
TITLE_MAX = Meeting._meta.get_field("title").max_length
PLACE_MAX = Meeting._meta.get_field("place").max_length
SUMMARY_MAX = Decision._meta.get_field("summary").max_length
DECIDED_BY_MAX = Decision._meta.get_field("decided_by").max_length
# How long a meeting or decision just made counts as the same one sent again.
RESUBMIT_WINDOW = timedelta(minutes=1)


def _line(value):
    """One line of text: a line break in a title would break an email's subject."""
    return " ".join((value or "").split())


def _day(value):
    return date_format(value, "j F Y")


def _text(value):
    return (value or "").strip().replace("\r\n", "\n")


def _lock_author(user):
    """Take the author's row for the rest of the transaction: a form sent twice at once by
    the same person runs its two requests one after the other, so the second sees the first."""
    list(User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True))


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
    _lock_author(created_by)
    just_called = (
        Meeting.objects.filter(
            title=fields["title"],
            kind=fields["kind"],
            group=fields["group"],
            held_on=fields["held_on"],
            created_at__gte=timezone.now() - RESUBMIT_WINDOW,
        )
        .order_by("-id")
        .first()
    )
    if just_called is not None:  # the same form sent twice: one meeting
        return just_called
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
    date before the meeting. The same decision (meeting, words and owner) recorded a moment
    before is returned rather than recorded twice: the meeting's row is locked, so even two
    requests at once make one."""
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
    just_recorded = (
        Decision.objects.filter(
            meeting=meeting,
            summary=fields["summary"],
            owner=fields["owner"],
            created_at__gte=timezone.now() - RESUBMIT_WINDOW,
        )
        .order_by("-id")
        .first()
    )
    if just_recorded is not None:
        return just_recorded
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


def closed_message(decision):
    """Why an owner may no longer review their decision."""
    return (
        f"This decision is marked {decision.get_status_display().lower()}: only the people "
        "who run its meeting can reopen it or change what came of it."
    )


@transaction.atomic
def decision_review(*, decision, reviewed_by, status, outcome="", review_on=None, today=None):
    """The review of a decision: what came of it, and whether it is done, dropped, or still
    in hand until a new review date (after today). Once it is done or dropped, what came of
    it may be on the public "You said, we did" page: only the people who run its meeting
    may then reopen it or change its outcome, not its owner alone."""
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
    if decision.status != Decision.Status.OPEN and not can_manage_meeting(
        reviewed_by, decision.meeting
    ):
        raise ValidationError(closed_message(decision))
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


def _review_key(pk, review_on, owner_id):
    return f"{REVIEW_KEY_PREFIX}{pk}:{review_on.isoformat()}:{owner_id}"


def review_key(decision):
    """One reminder per decision, review date and owner: handed to someone else on the
    day, the decision is reminded to its new owner too."""
    return _review_key(decision.pk, decision.review_on, decision.owner_id)


def _organisers_address(meeting):
    """Where an owner without an account replies: the person who called the meeting."""
    user = meeting.created_by
    return user.email if user is not None and user.is_active and user.email else ""


@transaction.atomic
def decision_review_remind(*, decision_id, today=None):
    """Remind a decision's owner that its review has come: once per decision, review date
    and owner, never for one done or dropped, nor to an owner without an email address or
    whose account is closed. Returns the outbox row, or None.

    An owner with an account took the decision on as part of their role with the hub: the
    reminder is their work, and links to where they review it. One without an account (a
    group's member) has no page to open: they hear from the hub only if they agreed to, and
    are asked to reply to the meeting's organisers (or speak with them)."""
    today = today or timezone.localdate()
    decision = (
        Decision.objects.select_related("owner__user", "meeting__group", "meeting__created_by")
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
    owner, meeting = decision.owner, decision.meeting
    user = owner.user
    if user is not None and not user.is_active:
        return None
    if user is None:
        category = OutboxMessage.Category.CONTACT
        if not consent_given(owner, Consent.Purpose.CONTACT_EMAIL):
            return None  # the outbox would refuse it too; no need to write it out first
        link, reply_to = "", _organisers_address(meeting)
    else:
        category = OutboxMessage.Category.WORK
        can_open = can_see_meeting(user, meeting)
        link = site_url() + decision_link(decision, can_open_meeting=can_open)
        reply_to = ""
    context = {
        "owner": owner,
        "decision": decision,
        "meeting": meeting,
        "link": link,
        "reply_to": reply_to,
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
        category=category,
        reply_to=reply_to,
    )


def decisions_review_remind(*, today=None):
    """The daily round of reminders: each open decision whose review has come and whose
    owner has not yet been reminded of it (one query finds those already written, so an
    overdue decision is not written out again every day). Returns how many were written."""
    today = today or timezone.localdate()
    due = {
        pk: _review_key(pk, review_on, owner_id)
        for pk, review_on, owner_id in decisions_due_review(today).values_list(
            "pk", "review_on", "owner_id"
        )
    }
    written = set(OutboxMessage.objects.filter(key__in=due.values()).values_list("key", flat=True))
    count = 0
    for pk, key in due.items():
        if key in written:
            continue
        message = decision_review_remind(decision_id=pk, today=today)
        if message is not None and message.key not in written:
            written.add(message.key)
            count += 1
    return count


def review_message_still_wanted(message):
    """The outbox's last check before sending a review reminder (``notify.registry``, for
    the prefix ``organise:decision-review:``): the decision is still open, its review date
    is still the one reminded of, and it still belongs to the owner its key names (the
    person written to)."""
    parts = message.key.removeprefix(REVIEW_KEY_PREFIX).split(":")
    if len(parts) not in (2, 3):
        return True
    try:
        pk, review_on = int(parts[0]), date.fromisoformat(parts[1])
        # A key written before keys named the owner: the person written to.
        owner_id = int(parts[2]) if len(parts) == 3 else message.person_id
    except ValueError:
        return True
    return Decision.objects.filter(
        pk=pk,
        status=Decision.Status.OPEN,
        review_on=review_on,
        owner_id=owner_id,
        owner__isnull=False,
    ).exists()
