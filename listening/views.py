"""Views of the Listening area. They stay thin: each checks the role, takes its objects from a
selector that already holds only what the viewer may see, calls a service, and renders."""

import calendar
import hashlib

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.functional import SimpleLazyObject, cached_property
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_POST

from hubsite.forms import show_service_errors
from hubsite.framework.registry import Offer
from hubsite.framework.selectors import area_get, offers_for
from hubsite.framework.selectors.tags import area_page, tag_form_context
from hubsite.people.models import Role
from hubsite.people.rules import EVERYONE_SIGNED_IN, STAFF, role_required

from . import rules, selectors, services
from .filters import ConversationFilter
from .forms import (
    ConversationEditForm,
    ConversationForm,
    FollowUpForm,
    RoundForm,
    ThemeCountsForm,
    ThemeMergeForm,
    ThemeRenameForm,
)
from .models import Theme
from .rules import LISTENERS, ROUND_RUNNERS

OFFERS = [
    Offer("Log a conversation", "listening:conversation_log", LISTENERS),
    Offer("Conversations", "listening:conversation_list", LISTENERS),
    Offer("Listening rounds", "listening:round_list", LISTENERS),
    Offer("What people talk about", "listening:theme_counts", LISTENERS),
    Offer("Follow-ups", "listening:follow_up_list", LISTENERS),
    Offer("Manage themes", "listening:theme_list", (Role.STAFF,)),
]


class ListPaginator(Paginator):
    """Pages of a list whose count reads at most ``LIVE_UP_TO`` + 1 of its rows, in one
    query whatever the list holds: a total up to ``LIVE_UP_TO`` is exact and counted afresh
    each time. A larger one (every conversation of the hub, for staff) would mean reading
    every row of the list, a cost that grows with the hub, while a page reads only its own
    rows: it is counted in full once and kept for a short while (``DASHBOARD_FIGURES_SECONDS``,
    a minute) for everyone who asks for the same list, and ``kept`` says so, for the page to
    tell. It is never invalidated: it expires."""

    LIVE_UP_TO = 10_000
    KEY = "listening:list-total:"

    kept = False

    @cached_property
    def count(self):
        queryset = self.object_list
        counted = queryset.order_by()[: self.LIVE_UP_TO + 1].count()
        seconds = settings.DASHBOARD_FIGURES_SECONDS
        if counted <= self.LIVE_UP_TO:
            return counted
        if not seconds:
            return queryset.count()
        sql, params = queryset.query.sql_with_params()  # names the list and its filters
        key = self.KEY + hashlib.sha256(repr((sql, params)).encode()).hexdigest()
        total = cache.get(key)
        if total is None:
            total = queryset.count()
            cache.set(key, total, seconds)
        self.kept = True
        return total

    def page(self, number):
        number = self.validate_number(number)
        if not self.kept:
            return super().page(number)
        # A kept total may be behind the list: a page holds its whole share of what is there
        # now, not what the total says was there.
        bottom = (number - 1) * self.per_page
        return self._get_page(self.object_list[bottom : bottom + self.per_page], number, self)


def _page(request, queryset):
    return ListPaginator(queryset, settings.PAGE_SIZE).get_page(request.GET.get("page"))


def _swap(request):
    """An htmx request that replaces the results only (not a boosted page or history)."""
    htmx = request.htmx
    return bool(htmx and not htmx.boosted and not htmx.history_restore_request)


@role_required(*EVERYONE_SIGNED_IN)
def home(request):
    return render(
        request,
        "framework/area_home.html",
        {
            "area": area_get("listening"),
            "offers": offers_for(OFFERS, request.user),
            "practice_activity": area_page("listening", request.user),
        },
    )


# Rounds --------------------------------------------------------------------------------


@role_required(*LISTENERS)
def round_list(request):
    return render(
        request,
        "listening/round_list.html",
        {
            "page": _page(request, selectors.round_list(request.user)),
            "can_start": request.user.role in ROUND_RUNNERS,
        },
    )


@role_required(*LISTENERS)
def round_detail(request, pk):
    round_ = get_object_or_404(selectors.round_detail_queryset(request.user), pk=pk)
    return render(
        request,
        "listening/round_detail.html",
        {
            "round": round_,
            "progress": selectors.round_progress(round_),
            "can_manage": rules.can_manage_round(request.user, round_),
            "can_log": selectors.rounds_to_log_in(request.user).filter(pk=pk).exists(),
        },
    )


@role_required(*ROUND_RUNNERS)
def round_create(request):
    form = RoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            round_ = services.round_create(created_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, f"The round “{round_}” has started.")
            return redirect(round_)
    return render(request, "listening/round_form.html", {"form": form})


@role_required(*ROUND_RUNNERS)
def round_edit(request, pk):
    round_ = get_object_or_404(selectors.round_visible(request.user), pk=pk)
    if not rules.can_manage_round(request.user, round_):
        raise PermissionDenied
    form = RoundForm(request.POST or None, instance=round_)
    if request.method == "POST" and form.is_valid():
        try:
            round_ = services.round_update(round_=round_, **form.cleaned_data)
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, f"The round “{round_}” has been saved.")
            return redirect(round_)
    if form.is_bound:
        round_.refresh_from_db(fields=["name"])
    return render(request, "listening/round_form.html", {"form": form, "round": round_})


# Conversations -------------------------------------------------------------------------


@role_required(*LISTENERS)
def conversation_list(request):
    conversations = ConversationFilter(
        request.GET, queryset=selectors.conversation_list(request.user), viewer=request.user
    )
    swap = _swap(request)
    template = "listening/conversation_list.html" + ("#results" if swap else "")
    response = render(
        request,
        template,
        {"filter": conversations, "page": _page(request, conversations.qs), "swap": swap},
    )
    patch_vary_headers(response, ["HX-Request"])
    return response


@role_required(*LISTENERS)
def conversation_log(request):
    rounds = selectors.rounds_to_log_in(request.user).order_by("-starts_on", "name")
    initial = {}
    if round_id := request.GET.get("round"):
        valid = round_id.isascii() and round_id.isdigit()
        initial["round"] = rounds.filter(pk=round_id if valid else 0).first()
    elif len(open_rounds := list(rounds[:2])) == 1:
        initial["round"] = open_rounds[0]  # the one round they are on: no need to choose
    form = ConversationForm(request.POST or None, user=request.user, rounds=rounds, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            conversation = services.conversation_log(
                logged_by=request.user, **form.service_arguments()
            )
        except ValidationError as error:
            show_service_errors(
                form,
                error,
                {
                    "action": "follow_up_action",
                    "due_on": "follow_up_due_on",
                    "owner": "follow_up_owner",
                    "email": "email",
                },
            )
        else:
            messages.success(
                request,
                f"Your conversation with {conversation.heard_from} has been logged. Thank you!",
            )
            if "another" in request.POST:
                url = reverse("listening:conversation_log")
                if conversation.round_id:
                    url += "?" + urlencode({"round": conversation.round_id})
                return redirect(url)
            return redirect(conversation)
    picked = form["person"].value() if form.is_bound else None
    return render(
        request,
        "listening/conversation_form.html",
        {
            "form": form,
            "picked": selectors.person_picked(picked),
            "has_rounds": rounds.exists(),
            "has_themes": Theme.objects.exists(),
        },
    )


@role_required(*LISTENERS)
def person_pick(request):
    """The quick search of the logging form: names and localities only."""
    text = request.GET.get("person_q", "")
    return render(
        request,
        "listening/conversation_form.html#pick-results",
        {"people": selectors.people_to_pick(text), "searched": len(text.strip()) >= 2},
    )


def _conversation(request, pk):
    return get_object_or_404(selectors.conversation_detail_queryset(request.user), pk=pk)


@role_required(*LISTENERS)
def conversation_detail(request, pk):
    conversation = _conversation(request, pk)
    sensitive_notes = None
    if rules.can_see_sensitive_notes(request.user, conversation):
        sensitive_notes = services.sensitive_notes_read(
            conversation=conversation, viewer=request.user
        )
    return render(
        request,
        "listening/conversation_detail.html",
        {
            "conversation": conversation,
            "sensitive_notes": sensitive_notes,
            "can_see_sensitive_notes": sensitive_notes is not None,
            "can_edit": rules.can_edit_conversation(request.user, conversation),
            "follow_ups": [
                (follow_up, rules.can_manage_follow_up(request.user, follow_up))
                for follow_up in conversation.follow_ups.all()
            ],
            "follow_up_form": FollowUpForm(user=request.user),
            "practice_tags": tag_form_context(
                request.user, "listening.conversation", conversation.pk
            ),
        },
    )


@role_required(*LISTENERS)
def conversation_edit(request, pk):
    conversation = _conversation(request, pk)
    if not rules.can_edit_conversation(request.user, conversation):
        raise PermissionDenied
    conversation.refresh_from_db(fields=["sensitive_notes"])
    form = ConversationEditForm(request.POST or None, instance=conversation)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.conversation_update(
                conversation=conversation,
                themes=data.pop("themes"),
                new_themes=data.pop("new_themes"),
                **data,
            )
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, "The conversation has been saved.")
            return redirect(conversation)
    return render(
        request,
        "listening/conversation_edit.html",
        {"form": form, "conversation": conversation},
    )


# Follow-ups ----------------------------------------------------------------------------


@role_required(*LISTENERS)
@require_POST
def follow_up_add(request, pk):
    conversation = _conversation(request, pk)
    form = FollowUpForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            services.follow_up_add(conversation=conversation, **form.cleaned_data)
        except ValidationError as error:
            show_service_errors(form, error)
    if form.errors:
        return render(
            request,
            "listening/follow_up_form.html",
            {"form": form, "conversation": conversation},
            status=400,
        )
    messages.success(request, "The follow-up has been added.")
    return redirect(conversation)


@role_required(*LISTENERS)
def follow_up_list(request):
    status = request.GET.get("status", "open")
    follow_ups = selectors.follow_up_list(request.user)
    if status == "mine":
        follow_ups = follow_ups.filter(owner=request.user, done_at__isnull=True)
    elif status == "done":
        # The latest kept first, in the order of the follow-ups' index read backwards
        # (done_at, due_on, id): a page is read from it, not sorted from all of them.
        follow_ups = follow_ups.filter(done_at__isnull=False).order_by("-done_at", "-due_on", "-id")
    else:
        status = "open"
        follow_ups = follow_ups.filter(done_at__isnull=True)
    page = _page(request, follow_ups)
    for follow_up in page.object_list:
        follow_up.can_manage = rules.can_manage_follow_up(request.user, follow_up)
    return render(request, "listening/follow_up_list.html", {"page": page, "status": status})


@role_required(*LISTENERS)
@require_POST
def follow_up_done(request, pk):
    follow_up = get_object_or_404(selectors.follow_up_list(request.user), pk=pk)
    if not rules.can_manage_follow_up(request.user, follow_up):
        raise PermissionDenied
    services.follow_up_done(follow_up=follow_up)
    messages.success(request, f"“{follow_up.action}” is done.")
    next_url = request.POST.get("next", "")
    if next_url.startswith("/") and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(next_url)
    if follow_up.can_open_conversation:
        return redirect(follow_up.conversation)
    return redirect(reverse("listening:follow_up_list") + "?status=mine")


# Themes --------------------------------------------------------------------------------


@role_required(*LISTENERS)
def theme_counts(request):
    form = ThemeCountsForm(request.GET or None, viewer=request.user)
    form.is_valid()  # the fields that validate still filter; the others show their errors
    filters = getattr(form, "cleaned_data", {})
    counts = selectors.theme_counts(request.user, **filters)
    base = {
        key: value
        for key, value in (
            ("round", filters.get("round") and filters["round"].pk),
            ("locality", filters.get("locality") and filters["locality"].pk),
        )
        if value
    }
    return render(
        request,
        "listening/theme_counts.html",
        {
            "form": form,
            "counts": counts,
            # The tables' rows (a link for every count) are built only when the tables are
            # drawn afresh, not while the page keeps those of the same counting (its cache).
            "month_rows": SimpleLazyObject(lambda: _month_rows(counts, base, filters)),
            "place_rows": SimpleLazyObject(lambda: _place_rows(counts, base, filters)),
            "chart": _chart_data(counts),
            "can_manage": rules.is_staff(request.user),
        },
    )


def _list_url(url, **params):
    """``url`` (the conversations list's, reversed once per page) with the filters given."""
    return url + "?" + urlencode({key: value for key, value in params.items() if value})


def _month_rows(counts, base, filters):
    """Each theme with its count per month (a link to those conversations, none for a zero)
    and the link to all of them."""
    url, rows = reverse("listening:conversation_list"), []
    date_from, date_to = filters.get("date_from"), filters.get("date_to")
    for theme in counts.themes:
        cells = []
        for month, n in zip(counts.months, counts.by_month[theme.pk], strict=True):
            if not n:
                cells.append((month, n, None))
                continue
            last = month.replace(day=calendar.monthrange(month.year, month.month)[1])
            start = max(month, date_from) if date_from else month
            end = min(last, date_to) if date_to else last
            link = _list_url(
                url, **base, theme=theme.slug, held_from=start.isoformat(), held_to=end.isoformat()
            )
            cells.append((month, n, link))
        rows.append((theme, cells, _list_url(url, **base, theme=theme.slug, **_dates(filters))))
    return rows


def _place_rows(counts, base, filters):
    """Each theme with its count per locality (a link to those conversations, none for a
    zero)."""
    url, rows, dates = reverse("listening:conversation_list"), [], _dates(filters)
    for theme in counts.themes:
        cells = []
        for place, n in zip(counts.localities, counts.by_locality[theme.pk], strict=True):
            params = dict(base, locality=place.pk if place is not None else "null")
            link = _list_url(url, **params, theme=theme.slug, **dates) if n else None
            cells.append((place, n, link))
        rows.append((theme, cells))
    return rows


def _dates(filters):
    return {
        "held_from": filters.get("date_from") and filters["date_from"].isoformat(),
        "held_to": filters.get("date_to") and filters["date_to"].isoformat(),
    }


def _chart_data(counts):
    return {
        "labels": [month.strftime("%b %Y") for month in counts.months],
        "datasets": [
            {"label": theme.name, "data": counts.by_month[theme.pk]} for theme in counts.themes[:8]
        ],
    }


@role_required(*STAFF)
def theme_list(request):
    return render(
        request,
        "listening/theme_list.html",
        {"page": _page(request, selectors.theme_list())},
    )


@role_required(*STAFF)
def theme_edit(request, pk):
    theme = get_object_or_404(selectors.theme_list(), pk=pk)  # with its conversation_count
    rename_form = ThemeRenameForm(initial={"name": theme.name}, prefix="rename")
    merge_form = ThemeMergeForm(theme=theme, prefix="merge")
    if request.method == "POST" and "rename-name" in request.POST:
        rename_form = ThemeRenameForm(request.POST, prefix="rename")
        if rename_form.is_valid():
            try:
                services.theme_rename(theme=theme, name=rename_form.cleaned_data["name"])
            except ValidationError as error:
                show_service_errors(rename_form, error)
            else:
                messages.success(request, f"The theme is now called “{theme}”.")
                return redirect("listening:theme_list")
        theme.refresh_from_db()
    elif request.method == "POST":
        merge_form = ThemeMergeForm(request.POST, theme=theme, prefix="merge")
        if merge_form.is_valid():
            target = merge_form.cleaned_data["target"]
            try:
                moved = services.theme_merge(source=theme, target=target)
            except ValidationError as error:
                show_service_errors(merge_form, error)
            else:
                messages.success(
                    request,
                    f"“{theme}” has been merged into “{target}”: {moved} conversation"
                    f"{'s' if moved != 1 else ''} moved.",
                )
                return redirect("listening:theme_list")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "listening/theme_edit.html",
        {"theme": theme, "rename_form": rename_form, "merge_form": merge_form},
        status=status,
    )
