"""Self-organised groups: a signed-in person proposes a group around something they care
about and follows their proposals; hub staff and organisers answer them. An approved group's
organisers then run it from the core's group page and Connect's requests to join."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path

from hubsite.forms import show_service_errors
from hubsite.people.rules import EVERYONE_SIGNED_IN, STAFF, has_role, role_required

from ..forms.groups import APPROVE, ProposalDecisionForm, ProposalForm
from ..models import GroupProposal
from ..rules import PROPOSAL_DECIDERS
from ..selectors import groups as selectors
from ..services import groups as services


def _page(request, queryset):
    return Paginator(queryset, settings.PAGE_SIZE).get_page(request.GET.get("page"))


def _posted(request):
    """The data of a POST, even an empty one (which must be refused, not shown as new)."""
    return request.POST if request.method == "POST" else None


@role_required(*EVERYONE_SIGNED_IN)
def proposal_create(request):
    person = getattr(request.user, "person", None)
    if person is None:
        return render(request, "organise/groups/no_person.html", status=403)
    form = ProposalForm(_posted(request))
    if form.is_bound and form.is_valid():
        try:
            proposal = services.proposal_create(person=person, **form.cleaned_data)
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(
                request,
                f"Thank you: your proposal of “{proposal.name}” has gone to the hub's staff "
                "and organisers. You will hear their answer by email.",
            )
            return redirect("organise:proposal_mine")
    return render(
        request,
        "organise/groups/proposal_form.html",
        {"form": form, "limit": services.PENDING_LIMIT},
        status=400 if form.is_bound else 200,
    )


@role_required(*EVERYONE_SIGNED_IN)
def proposal_mine(request):
    person = getattr(request.user, "person", None)
    page = _page(request, selectors.proposals_of(person))
    is_staff = has_role(request.user, STAFF)
    for proposal in page.object_list:
        # The core's group page opens to staff, and to the organisers of a self-organised
        # group whatever their account role (rules.can_manage_group).
        proposal.can_manage = proposal.group_id is not None and (is_staff or proposal.is_organiser)
    return render(request, "organise/groups/proposal_mine.html", {"page": page, "person": person})


STATUS_FILTERS = {"": "All", **dict(GroupProposal.Status.choices)}


@role_required(*PROPOSAL_DECIDERS)
def proposal_list(request):
    status = request.GET.get("status", "")
    status = status if status in STATUS_FILTERS else ""
    proposals = selectors.proposal_list(request.user)
    if status:
        proposals = proposals.filter(status=status)
    return render(
        request,
        "organise/groups/proposal_list.html",
        {
            "page": _page(request, proposals),
            "status": status,
            "statuses": STATUS_FILTERS.items(),
            "viewer_is_staff": has_role(request.user, STAFF),
        },
    )


@role_required(*PROPOSAL_DECIDERS)
def proposal_detail(request, pk):
    """A proposal, and the form that approves or declines it while it waits."""
    proposal = get_object_or_404(selectors.proposal_list(request.user), pk=pk)
    if request.method == "POST" and proposal.status != GroupProposal.Status.PENDING:
        messages.error(request, "This proposal has already been answered.")
        return redirect("organise:proposal_detail", pk=pk)
    form = ProposalDecisionForm(_posted(request))
    if form.is_bound and form.is_valid():
        decide = (
            services.proposal_approve
            if form.cleaned_data["decision"] == APPROVE
            else services.proposal_decline
        )
        try:
            proposal = decide(
                proposal=proposal, decided_by=request.user, answer=form.cleaned_data["answer"]
            )
        except ValidationError as error:
            if getattr(error, "code", None) != "decided":
                show_service_errors(form, error)
            else:  # answered meanwhile, here or elsewhere: the page shows the answer
                messages.error(request, " ".join(error.messages))
                return redirect("organise:proposal_detail", pk=pk)
        else:
            if proposal.status == GroupProposal.Status.APPROVED:
                outcome = (
                    f"“{proposal.name}” is approved: the group is made, with "
                    f"{proposal.proposed_by.full_name} as its organiser. We have emailed them."
                )
            else:
                outcome = f"“{proposal.name}” is declined. We have emailed your answer."
            messages.success(request, outcome)
            return redirect("organise:proposal_detail", pk=pk)
    proposer = proposal.proposed_by
    pending = proposal.status == GroupProposal.Status.PENDING
    return render(
        request,
        "organise/groups/proposal_detail.html",
        {
            "proposal": proposal,
            "form": form,
            "pending": pending,
            "own": proposer is not None and proposer.user_id == request.user.pk,
            "name_clash": pending
            and selectors.name_taken(proposal.name, exclude_pk=proposal.pk) in ("group", "private"),
            "viewer_is_staff": has_role(request.user, STAFF),
        },
        status=400 if form.is_bound else 200,
    )


urlpatterns = [
    path("groups/propose/", proposal_create, name="proposal_create"),
    path("groups/proposals/", proposal_list, name="proposal_list"),
    path("groups/proposals/mine/", proposal_mine, name="proposal_mine"),
    path("groups/proposals/<int:pk>/", proposal_detail, name="proposal_detail"),
]
