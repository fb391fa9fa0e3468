"""Staff screens of the core: people, groups, localities and communities of interest.
Views stay thin: they check access, call a selector or a service, and render."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.views.decorators.http import require_POST

from hubsite.forms import show_service_errors

from . import selectors, services
from .export import person_zip
from .filters import PersonFilter
from .forms import (
    AddToGroupForm,
    ConsentForm,
    GroupForm,
    InviteForm,
    LocalityForm,
    MembershipRoleForm,
    PersonForm,
    RoleForm,
    TagForm,
)
from .models import Group, GroupMembership, User
from .rules import EVERYONE_SIGNED_IN, STAFF, can_manage_group, has_role, role_required


def _page(request, queryset, *, count=None):
    paginator = Paginator(queryset, settings.PAGE_SIZE)
    if count is not None:  # known already: the paginator need not count the rows
        paginator.count = count
    return paginator.get_page(request.GET.get("page"))


# People ------------------------------------------------------------------------------


@role_required(*STAFF)
def person_list(request):
    people = PersonFilter(request.GET, queryset=selectors.person_list())
    # A filter value that does not validate is left out (django-filter skips it) and the
    # page says so, rather than showing nobody.
    found, count = people.qs, None
    if not found.query.where:
        count = selectors.people_total()
    elif people.form.cleaned_data.get("q"):
        count = found.count()
        found = selectors.person_list_searched(found, count)
    page = _page(request, found, count=count)
    template = "people/person_list.html"
    htmx = request.htmx
    swap = bool(htmx and not htmx.boosted and not htmx.history_restore_request)
    if swap:
        template += "#results"
    response = render(request, template, {"filter": people, "page": page, "swap": swap})
    patch_vary_headers(response, ["HX-Request"])
    return response


@role_required(*STAFF)
def person_detail(request, pk):
    person = get_object_or_404(selectors.person_detail_queryset(), pk=pk)
    return render(
        request,
        "people/person_detail.html",
        {
            "person": person,
            "consents": selectors.consent_current(person),
            "timeline": selectors.timeline_of(person, request.user, limit=50),
            "offers": list(selectors.offer_list(request.user, person=person)[:20]),
            # Its own ids: the account form on the same page has a "role" field too.
            "add_to_group_form": AddToGroupForm(auto_id="group_%s"),
            "invite_form": InviteForm(),
            "role_form": RoleForm(initial={"role": person.user.role if person.user else None}),
            "invitation_pending": selectors.invitation_pending(person.user),
        },
    )


@role_required(*STAFF)
def person_create(request):
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            person = services.person_create(created_by=request.user, **data)
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, f"{person} has been added.")
            return redirect(person)
    return render(request, "people/person_form.html", {"form": form})


@role_required(*STAFF)
def person_edit(request, pk):
    person = get_object_or_404(selectors.person_list(), pk=pk)
    form = PersonForm(request.POST or None, instance=person)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            person = services.person_update(person=person, **data)
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, f"{person}'s details have been saved.")
            return redirect(person)
    if form.is_bound:
        person.refresh_from_db()  # the heading names the person as saved, not as typed
    return render(request, "people/person_form.html", {"form": form, "person": person})


@role_required(*STAFF)
def consent_record(request, pk):
    person = get_object_or_404(selectors.person_detail_queryset(), pk=pk)
    form = ConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.consent_record(person=person, recorded_by=request.user, **form.cleaned_data)
        messages.success(request, "The consent has been recorded.")
        return redirect(person)
    return render(
        request,
        "people/consent_form.html",
        {"form": form, "person": person, "consents": selectors.consent_current(person)},
    )


@role_required(*STAFF)
@require_POST
def person_invite(request, pk):
    person = get_object_or_404(selectors.person_list(), pk=pk)
    form = InviteForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a role for the invitation.")
        return redirect(person)
    try:
        services.user_invite(
            person=person,
            role=form.cleaned_data["role"],
            invited_by=request.user,
            site_url=_site_url(request),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"An invitation has been sent to {person.email}.")
    return redirect(person)


@role_required(*STAFF)
@require_POST
def person_invite_resend(request, pk):
    person = get_object_or_404(selectors.person_list(), pk=pk)
    try:
        services.user_invite_resend(
            person=person, invited_by=request.user, site_url=_site_url(request)
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"The invitation has been sent again to {person.email}.")
    return redirect(person)


def _site_url(request):
    """The address links in emails start with: SITE_URL when set, else this request's."""
    return settings.SITE_URL or request.build_absolute_uri("/").rstrip("/")


@role_required(*STAFF)
@require_POST
def person_set_role(request, pk):
    person = get_object_or_404(selectors.person_list(), pk=pk)
    form = RoleForm(request.POST)
    if person.user is None or not form.is_valid():
        messages.error(request, "Choose a role for this person's account.")
    elif person.user == request.user and form.cleaned_data["role"] != person.user.role:
        messages.error(request, "You cannot change your own role.")
    else:
        services.user_set_role(
            user=person.user, role=form.cleaned_data["role"], changed_by=request.user
        )
        messages.success(request, f"{person} is now {person.user.get_role_display().lower()}.")
    return redirect(person)


@role_required(*STAFF)
@require_POST
def person_add_to_group(request, pk):
    person = get_object_or_404(selectors.person_list(), pk=pk)
    form = AddToGroupForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a group and a role.")
        return redirect(person)
    try:
        services.group_member_add(person=person, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{person} has joined {form.cleaned_data['group']}.")
    return redirect(person)


@role_required(*STAFF)
def person_export(request, pk):
    """Everything the hub holds about a person, from every app's provider (subject access),
    as a zip for staff to give them: the data as JSON, a page to read and a note."""
    person = get_object_or_404(selectors.person_list(), pk=pk)
    response = HttpResponse(person_zip(person, request.user), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="person-{person.pk}.zip"'
    return response


@role_required(*STAFF)
def offer_list(request):
    """Skills, time and talents people offered, wherever the hub heard them."""
    text = request.GET.get("q", "").replace("\x00", "").strip()[:100]
    page = _page(request, selectors.offer_list(request.user, text=text))
    people = selectors.person_list().in_bulk({row["person_id"] for row in page.object_list})
    offers = [dict(row, person=people.get(row["person_id"])) for row in page.object_list]
    return render(request, "people/offer_list.html", {"page": page, "offers": offers, "q": text})


# Invitations -----------------------------------------------------------------------


@login_not_required
def invite_accept(request, uidb64, token):
    """The link in an invitation email: set a password, and the account is ready."""
    try:
        user = User.objects.get(pk=force_str(urlsafe_base64_decode(uidb64)))
    except (User.DoesNotExist, ValueError, TypeError, OverflowError):
        user = None
    if user is None or not default_token_generator.check_token(user, token):
        return render(request, "people/invite_invalid.html", status=400)
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = services.invite_accept(user=user, password=form.cleaned_data["new_password1"])
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, "Welcome! Your account is ready.")
        return redirect("home")
    return render(request, "people/invite_accept.html", {"form": form, "invited": user})


# Groups ------------------------------------------------------------------------------


@role_required(*EVERYONE_SIGNED_IN)
def group_list(request):
    return render(
        request,
        "people/group_list.html",
        {
            "page": _page(request, selectors.group_list(request.user)),
            "viewer_is_staff": has_role(request.user, STAFF),
        },
    )


def _managed_group(request, slug):
    group = get_object_or_404(selectors.group_list(request.user), slug=slug)
    if not can_manage_group(request.user, group):
        raise PermissionDenied
    return group


@role_required(*EVERYONE_SIGNED_IN)
def group_detail(request, slug):
    group = _managed_group(request, slug)
    return render(
        request,
        "people/group_detail.html",
        {
            "group": group,
            "page": _page(request, selectors.group_members(group)),
            "roles": GroupMembership.Role.choices,
            "viewer_is_staff": has_role(request.user, STAFF),
            "self_organised": group.kind == Group.Kind.SELF_ORGANISED,
        },
    )


@role_required(*STAFF)
def group_create(request):
    form = GroupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            group = services.group_create(**form.cleaned_data)
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, f"{group} has been created.")
            return redirect(group)
    return render(request, "people/group_form.html", {"form": form})


@role_required(*EVERYONE_SIGNED_IN)
def group_edit(request, slug):
    group = _managed_group(request, slug)
    form = GroupForm(
        request.POST or None, instance=group, can_set_kind=has_role(request.user, STAFF)
    )
    if request.method == "POST" and form.is_valid():
        try:
            group = services.group_update(group=group, updated_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, f"{group} has been saved.")
            return redirect(group)
    if form.is_bound:
        group.refresh_from_db(fields=["name"])
    return render(request, "people/group_form.html", {"form": form, "group": group})


@role_required(*EVERYONE_SIGNED_IN)
@require_POST
def membership_update(request, slug, pk):
    group = _managed_group(request, slug)
    membership = get_object_or_404(
        GroupMembership.objects.select_related("person"), pk=pk, group=group
    )
    if "remove" in request.POST:
        try:
            services.group_member_remove(membership=membership)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"{membership.person} has left {group}.")
        return redirect(group)
    form = MembershipRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a role from the list.")
        return redirect(group)
    try:
        services.group_member_set_role(membership=membership, role=form.cleaned_data["role"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, f"{membership.person} is now {membership.get_role_display().lower()}."
        )
    return redirect(group)


# Localities and communities of interest ------------------------------------------------


@role_required(*STAFF)
def locality_list(request):
    return render(
        request, "people/locality_list.html", {"page": _page(request, selectors.locality_list())}
    )


@role_required(*STAFF)
def locality_detail(request, slug):
    locality = get_object_or_404(selectors.locality_list(), slug=slug)
    people = selectors.person_list().filter(locality=locality)
    return render(
        request,
        "people/locality_detail.html",
        {"locality": locality, "page": _page(request, people)},
    )


@role_required(*STAFF)
def locality_create(request):
    form = LocalityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            locality = services.locality_create(**form.cleaned_data)
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, f"{locality} has been added.")
            return redirect(locality)
    return render(request, "people/locality_form.html", {"form": form})


@role_required(*STAFF)
def locality_edit(request, slug):
    locality = get_object_or_404(selectors.locality_list(), slug=slug)
    form = LocalityForm(request.POST or None, instance=locality)
    if request.method == "POST" and form.is_valid():
        try:
            locality = services.locality_update(locality=locality, **form.cleaned_data)
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, f"{locality} has been saved.")
            return redirect(locality)
    return render(request, "people/locality_form.html", {"form": form, "locality": locality})


@role_required(*STAFF)
def tag_list(request):
    form = TagForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            tag = services.tag_create(**form.cleaned_data)
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, f"{tag} has been added.")
            return redirect("people:tag_list")
    return render(
        request,
        "people/tag_list.html",
        {"form": form, "page": _page(request, selectors.tag_list())},
    )
