"""Writes of self-organised groups: a signed-in person proposes a group around something they
care about; hub staff or an organiser approve it (the group is made, with the proposer as its
organiser) or decline it with an answer. Every email is an outbox row whose key names the
proposal, so none is ever written twice."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from hubsite.notify.models import OutboxMessage
from hubsite.notify.services import message_queue, site_url
from hubsite.people.models import Group, GroupMembership, Locality, Person, Role, User
from hubsite.people.services import group_create, group_member_add

from ..models import GroupProposal
from ..rules import can_decide_proposals
from ..selectors.groups import name_taken, proposals_pending_of

KEY_PREFIX = "organise:proposal:"
NAME_MAX_LENGTH = GroupProposal._meta.get_field("name").max_length
PURPOSE_MAX_LENGTH = 5_000
ANSWER_MAX_LENGTH = 5_000
# How many proposals one person may have waiting at once: enough for real ideas, too few
# to flood those who answer them.
PENDING_LIMIT = 3


def _clean(name, purpose):
    """The rules of a proposal's words, whatever the form let through: a one-line name (it
    becomes the group's name and an email's subject) and a purpose of bounded length."""
    name = " ".join((name or "").split())
    purpose = (purpose or "").strip().replace("\r\n", "\n")
    errors = {}
    if not name:
        errors["name"] = "Give the group a name."
    elif len(name) > NAME_MAX_LENGTH:
        errors["name"] = f"Keep the name to {NAME_MAX_LENGTH} characters."
    if not purpose:
        errors["purpose"] = "Say what the group is about and what it hopes to do."
    elif len(purpose) > PURPOSE_MAX_LENGTH:
        errors["purpose"] = f"Keep this to {PURPOSE_MAX_LENGTH:,} characters."
    if errors:
        raise ValidationError(errors)
    return name, purpose


def _check_name_free(name):
    taken = name_taken(name)
    if taken == "group":
        raise ValidationError(
            {"name": f"A group called “{name}” already exists. Choose another name."},
            code="name_taken",
        )
    if taken == "private":
        raise ValidationError(
            {"name": "This name is not available. Choose another name."}, code="name_taken"
        )
    if taken == "proposal":
        raise ValidationError(
            {
                "name": f"A group called “{name}” has already been proposed and is waiting "
                "for an answer. Choose another name."
            },
            code="name_taken",
        )


@transaction.atomic
def proposal_create(*, person, name, purpose, locality=None, public=True):
    """Propose a group. Staff are emailed; staff and organisers also find it on their
    dashboard. Returns the pending proposal."""
    if person is None:
        raise ValidationError(
            "Your account is not linked to a person in the hub yet, so it cannot propose a "
            "group. Ask the hub's staff to link it."
        )
    name, purpose = _clean(name, purpose)
    if locality is not None and not isinstance(locality, Locality):
        raise ValidationError({"locality": "Choose a place from the list."})
    # The proposer's row is locked, so two proposals sent at once take turns and cannot
    # both slip under the limit.
    Person.objects.select_for_update().filter(pk=person.pk).first()
    if proposals_pending_of(person).count() >= PENDING_LIMIT:
        raise ValidationError(
            f"You already have {PENDING_LIMIT} proposals waiting for an answer. Please wait "
            "until one is answered before proposing another.",
            code="too_many",
        )
    _check_name_free(name)
    try:
        with transaction.atomic():
            proposal = GroupProposal.objects.create(
                name=name,
                purpose=purpose,
                locality=locality,
                public=bool(public),
                proposed_by=person,
            )
    except IntegrityError:  # the same name proposed a moment ago by someone else
        _check_name_free(name)
        raise
    _tell_staff(proposal)
    return proposal


# Answering ------------------------------------------------------------------------------


def _locked(proposal):
    # Only the proposal's row is locked: PostgreSQL locks no row of an outer join.
    return (
        GroupProposal.objects.select_for_update(of=("self",))
        .select_related("proposed_by__user", "locality")
        .get(pk=proposal.pk)
    )


def _check_decidable(proposal, decided_by):
    if not can_decide_proposals(decided_by):
        raise ValidationError("Only hub staff and organisers answer proposals of groups.")
    if proposal.status != GroupProposal.Status.PENDING:
        raise ValidationError(
            f"This proposal has already been {proposal.get_status_display().lower()}; "
            "it cannot be answered again.",
            code="decided",
        )
    proposer = proposal.proposed_by
    if proposer is not None and proposer.user_id is not None and proposer.user_id == decided_by.pk:
        raise ValidationError(
            "You proposed this group, so someone else answers it: another organiser or a "
            "member of the hub's staff."
        )


def _clean_answer(answer):
    answer = (answer or "").strip().replace("\r\n", "\n")
    if len(answer) > ANSWER_MAX_LENGTH:
        raise ValidationError({"answer": f"Keep the answer to {ANSWER_MAX_LENGTH:,} characters."})
    return answer


def _decided(proposal, status, decided_by, answer, group=None):
    proposal.status = status
    proposal.answer = answer
    proposal.decided_by = decided_by
    proposal.decided_at = timezone.now()
    proposal.group = group
    proposal.save(update_fields=["status", "answer", "decided_by", "decided_at", "group"])


@transaction.atomic
def proposal_approve(*, proposal, decided_by, answer=""):
    """Make the group: a self-organised group with the proposal's name, purpose, place and
    public page, the proposer its organiser. A proposer whose account is a member's or a
    volunteer's becomes an organiser, which lets them run their own group (and only the
    groups they organise); staff stay staff. The proposer is emailed. All or nothing."""
    proposal = _locked(proposal)
    _check_decidable(proposal, decided_by)
    answer = _clean_answer(answer)
    proposer = proposal.proposed_by
    if proposer is None:
        raise ValidationError(
            "The person who proposed this group is no longer in the hub's records, so no "
            "one would organise it. Decline it instead."
        )
    clash = ValidationError(
        f"A group called “{proposal.name}” has been made since this proposal was sent, so "
        "it cannot be approved under this name. Decline it, suggesting another name or "
        "joining that group.",
        code="name_taken",
    )
    if Group.objects.filter(name__iexact=proposal.name).exists():
        raise clash
    try:
        group = group_create(
            name=proposal.name,
            kind=Group.Kind.SELF_ORGANISED,
            description=proposal.purpose,
            locality=proposal.locality,
            public=proposal.public,
        )
    except ValidationError:  # made a moment ago, between the check and the insert
        raise clash from None
    group_member_add(group=group, person=proposer, role=GroupMembership.Role.ORGANISER)
    _decided(proposal, GroupProposal.Status.APPROVED, decided_by, answer, group)
    _tell_proposer(proposal)
    return proposal


@transaction.atomic
def proposal_decline(*, proposal, decided_by, answer):
    """Decline a proposal, saying why to the proposer (by email)."""
    proposal = _locked(proposal)
    _check_decidable(proposal, decided_by)
    answer = _clean_answer(answer)
    if not answer:
        raise ValidationError(
            {"answer": "Say why the group is not approved: the proposer reads this answer."}
        )
    _decided(proposal, GroupProposal.Status.DECLINED, decided_by, answer)
    _tell_proposer(proposal)
    return proposal


# The emails -----------------------------------------------------------------------------


def _subject(text):
    # A name typed with a line break must not break an email's header.
    return f"[{settings.HUB_NAME}] " + " ".join(text.split())


def _tell_staff(proposal):
    """One email per active staff account (but the proposer's own): answering proposals is
    part of their role. Organisers find the proposal on their dashboard instead."""
    proposer = proposal.proposed_by
    staff = (
        User.objects.filter(role=Role.STAFF, is_active=True)
        .exclude(email="")
        .exclude(pk=proposer.user_id or 0)
        .select_related("person")
        .order_by("pk")
    )
    context = {
        "proposal": proposal,
        "proposer": proposer,
        "proposal_url": site_url() + reverse("organise:proposal_detail", args=[proposal.pk]),
        "hub_name": settings.HUB_NAME,
    }
    subject = _subject(f"A group is proposed: {proposal.name}")
    for user in staff:
        person = getattr(user, "person", None)
        message_queue(
            key=f"{KEY_PREFIX}{proposal.pk}:staff:{user.pk}",
            to_email=user.email,
            subject=subject,
            body_text=render_to_string(
                "organise/email/proposal_staff.txt", {**context, "recipient": person}
            ),
            person=person,
            category=OutboxMessage.Category.WORK,
        )


def _tell_proposer(proposal):
    """The answer, with the links an approved proposer needs to run their group. They asked
    for it, so it needs no consent to contact."""
    proposer = proposal.proposed_by
    if proposer is None or not proposer.email:
        return None
    group = proposal.group
    approved = proposal.status == GroupProposal.Status.APPROVED
    context = {
        "proposal": proposal,
        "proposer": proposer,
        "approved": approved,
        "group": group,
        "mine_url": site_url() + reverse("organise:proposal_mine"),
        "hub_name": settings.HUB_NAME,
    }
    if approved:
        context["group_url"] = site_url() + reverse("people:group_detail", args=[group.slug])
        if group.public:
            context["public_url"] = site_url() + reverse("connect:group_page", args=[group.slug])
            context["requests_url"] = site_url() + reverse("connect:join_requests")
    verb = "is approved" if approved else "is not approved"
    return message_queue(
        key=f"{KEY_PREFIX}{proposal.pk}:answer",
        to_email=proposer.email,
        subject=_subject(f"Your proposed group “{proposal.name}” {verb}"),
        body_text=render_to_string("organise/email/proposal_answer.txt", context),
        person=proposer,
        category=OutboxMessage.Category.ACCOUNT,
    )


def message_still_wanted(message):
    """The outbox's last check before sending (``notify.registry``): an email asking staff
    to answer a proposal is not sent once the proposal has been answered. The answer to
    the proposer is always sent."""
    try:
        _, _, pk, purpose, *_ = message.key.split(":")
        pk = int(pk)
    except ValueError:
        return True
    if purpose != "staff":
        return True
    return GroupProposal.objects.filter(pk=pk, status=GroupProposal.Status.PENDING).exists()
