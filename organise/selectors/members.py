"""Read queries of membership for staff: the kinds of membership, the members list and a
member's page, the people who could be made members, and the growth figures. Each returns
what its page needs already joined or counted in SQL, so a page costs the same few queries
at any number of members."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Prefetch, Q
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone

from hubsite.framework.registry import Task
from hubsite.people.models import Person
from hubsite.people.selectors import people_matching

from ..models import Contribution, JoinApplication, Membership, MembershipEvent, MembershipType
from ..services.membership import REMIND_DAYS_BEFORE, RENEW_MONTHS_AHEAD, add_months

# Applications not confirmed within this many days are no longer counted as waiting.
APPLICATION_DAYS = 30
# How far ahead a member's renewal shows among their tasks on the dashboard.
RENEW_SOON_DAYS = 30
# The growth page's window: this many months, up to the current one.
GROWTH_MONTHS = 24


# Kinds of membership -------------------------------------------------------------------


def membership_type_list():
    """Every kind, with how many members hold it now and in all."""
    return MembershipType.objects.annotate(
        active_count=Count("memberships", filter=Q(memberships__status=Membership.Status.ACTIVE)),
        member_count=Count("memberships"),
    ).order_by("order", "name")


def membership_types_open():
    return MembershipType.objects.filter(open_to_join=True).order_by("order", "name")


# Members -------------------------------------------------------------------------------


def member_list():
    return Membership.objects.select_related("person__locality", "type")


def member_status_counts(memberships):
    """How many of ``memberships`` are in each status, every status named (one query)."""
    rows = memberships.order_by().values("status").annotate(n=Count("id"))
    counts = dict.fromkeys(Membership.Status.values, 0)
    for row in rows:
        counts[row["status"]] = row["n"]
    return [(status, label, counts[status]) for status, label in Membership.Status.choices]


def join_applications_waiting_count():
    """Join applications whose email is not confirmed yet, made in the last 30 days."""
    now = timezone.now()
    return JoinApplication.objects.filter(
        confirmed_at__isnull=True, created_at__gte=now - timedelta(days=APPLICATION_DAYS)
    ).count()


def member_detail_queryset():
    return member_list().prefetch_related(
        Prefetch(
            "events",
            queryset=MembershipEvent.objects.select_related("type", "locality").order_by(
                "-on", "-id"
            ),
        ),
        Prefetch(
            "contributions",
            queryset=Contribution.objects.select_related("recorded_by__person").order_by(
                "-received_on", "-id"
            ),
        ),
    )


def renewal_due_soon(membership, today=None):
    """Whether staff can renew the membership now (membership_renew's own rule)."""
    today = today or timezone.localdate()
    if membership.status == Membership.Status.LAPSED:
        return True
    return membership.status == Membership.Status.ACTIVE and membership.renews_on <= add_months(
        today, RENEW_MONTHS_AHEAD
    )


def people_to_make_members(text, limit=10):
    """People whose name, email or postcode matches ``text`` and who are not active
    members, for the person search of "Add a member"."""
    people = Person.objects.select_related("locality", "membership").exclude(
        membership__status=Membership.Status.ACTIVE
    )
    return people_matching(people, text, limit=limit)


def person_to_make_member(value):
    """The person chosen by id (from a link or the form), with their membership if any."""
    if not value or not (str(value).isascii() and str(value).isdigit()):
        return None
    return Person.objects.select_related("locality", "membership").filter(pk=value).first()


# Reminders -----------------------------------------------------------------------------


def memberships_due_reminder(today):
    """Active memberships whose renewal date is within REMIND_DAYS_BEFORE days from
    ``today``, and not past."""
    return (
        Membership.objects.filter(
            status=Membership.Status.ACTIVE,
            renews_on__gte=today,
            renews_on__lte=today + timedelta(days=REMIND_DAYS_BEFORE),
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def memberships_lapsed_since(day):
    return (
        Membership.objects.filter(status=Membership.Status.LAPSED, ended_on__gte=day)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


# The member's own dashboard -----------------------------------------------------------


def dashboard_tasks(viewer):
    """ "Renew your membership" when the viewer's active membership renews within
    RENEW_SOON_DAYS or has lapsed, for the dashboard
    (``hubsite.framework.registry.register_tasks``): one query at most."""
    if not viewer.is_authenticated or not viewer.is_active:
        return []
    soon = timezone.localdate() + timedelta(days=RENEW_SOON_DAYS)
    membership = (
        Membership.objects.filter(person__user=viewer)
        .filter(
            Q(status=Membership.Status.ACTIVE, renews_on__lte=soon)
            | Q(status=Membership.Status.LAPSED)
        )
        .only("renews_on")
        .first()
    )
    if membership is None:
        return []
    return [
        Task(
            area="organise",
            title="Renew your membership",
            url=reverse("organise:my_membership"),
            due_on=membership.renews_on,
        )
    ]


# Growth --------------------------------------------------------------------------------


@dataclass
class GrowthMonth:
    month: date  # its first day
    joined: int = 0  # joined and rejoined
    renewed: int = 0
    lapsed: int = 0
    left: int = 0

    @property
    def net(self):
        return self.joined - self.lapsed - self.left


@dataclass
class Community:
    """A community of interest's memberships now, by status."""

    pk: int
    name: str
    counts: list  # per status, in Membership.Status order
    total: int


@dataclass
class Growth:
    months: list  # GrowthMonth, oldest first
    totals: GrowthMonth  # the sums over the months (its month is the first one)
    statuses: list  # (status, label, count) of memberships now
    localities: list  # (locality name or None, [count per status], total), most active
    # first, the place not recorded last
    communities: list  # Community, most active first
    counted_at: datetime = field(default_factory=timezone.now)
    kept_for: int = 0  # seconds it is shown before the memberships are counted again


def _as_date(value):
    return value.date() if hasattr(value, "date") and callable(value.date) else value


# The growth figures aggregate every membership and two years of their history, a cost that
# grows with the hub. So a counting is kept for a short while, as the dashboard's figures
# are (``DASHBOARD_FIGURES_SECONDS``, a minute), for each choice of filters and day, and the
# page says when it was made: a change since is counted within the minute.
GROWTH_KEY = "organise:growth"


def growth(*, locality=None, tag=None, type=None, today=None):
    """Joined (and rejoined), renewed, lapsed and left per month over the last 24 months,
    counted from the dated MembershipEvents (where the place is kept on the event); and the
    memberships now by status, by locality and by community of interest. Three queries
    whatever the numbers, or none while a counting is kept."""
    today = today or timezone.localdate()
    seconds = settings.DASHBOARD_FIGURES_SECONDS
    chosen = (getattr(row, "pk", None) or "" for row in (locality, tag, type))
    key = f"{GROWTH_KEY}:{today.isoformat()}:" + ":".join(map(str, chosen))
    figures = cache.get(key) if seconds else None
    if figures is None:
        figures = _growth(locality=locality, tag=tag, type=type, today=today)
        figures.kept_for = seconds
        if seconds:
            cache.set(key, figures, seconds)
    return figures


def _growth(*, locality, tag, type, today):
    first = add_months(today.replace(day=1), -(GROWTH_MONTHS - 1))
    events = MembershipEvent.objects.filter(on__gte=first, on__lte=today)
    if locality is not None:
        events = events.filter(locality=locality)
    if tag is not None:
        events = events.filter(membership__person__tags=tag)
    if type is not None:
        events = events.filter(type=type)
    rows = (
        events.order_by()
        .annotate(month=TruncMonth("on"))
        .values("month", "kind")
        .annotate(n=Count("id"))
    )
    months = [GrowthMonth(add_months(first, n)) for n in range(GROWTH_MONTHS)]
    by_month = {month.month: month for month in months}
    column = {
        MembershipEvent.Kind.JOINED: "joined",
        MembershipEvent.Kind.REJOINED: "joined",
        MembershipEvent.Kind.RENEWED: "renewed",
        MembershipEvent.Kind.LAPSED: "lapsed",
        MembershipEvent.Kind.LEFT: "left",
    }
    for row in rows:
        month = by_month.get(_as_date(row["month"]))
        if month is not None:
            name = column[row["kind"]]
            setattr(month, name, getattr(month, name) + row["n"])
    totals = GrowthMonth(first)
    for month in months:
        for name in ("joined", "renewed", "lapsed", "left"):
            setattr(totals, name, getattr(totals, name) + getattr(month, name))

    memberships = Membership.objects.all()
    if locality is not None:
        memberships = memberships.filter(person__locality=locality)
    if tag is not None:
        memberships = memberships.filter(person__tags=tag)
    if type is not None:
        memberships = memberships.filter(type=type)
    place_rows = (
        memberships.order_by().values("person__locality__name", "status").annotate(n=Count("id"))
    )
    status_counts = dict.fromkeys(Membership.Status.values, 0)
    places = {}
    for row in place_rows:
        status_counts[row["status"]] += row["n"]
        counts = places.setdefault(
            row["person__locality__name"], dict.fromkeys(Membership.Status.values, 0)
        )
        counts[row["status"]] += row["n"]
    ordered = sorted(
        places.items(),
        key=lambda place: (place[0] is None, -place[1][Membership.Status.ACTIVE], place[0] or ""),
    )
    localities = [
        (name, [counts[status] for status in Membership.Status.values], sum(counts.values()))
        for name, counts in ordered
    ]
    statuses = [
        (status, label, status_counts[status]) for status, label in Membership.Status.choices
    ]
    return Growth(months, totals, statuses, localities, _by_community(memberships))


def _by_community(memberships):
    """The memberships by community of interest and status, in one query: a member in two
    communities counts in each; filtered by a community, only that one is counted."""
    rows = (
        memberships.order_by()
        .values("person__tags", "person__tags__name", "status")
        .annotate(n=Count("id"))
    )
    names, counts = {}, {}
    for row in rows:
        pk = row["person__tags"]
        if pk is None:  # members in no community
            continue
        names[pk] = row["person__tags__name"]
        by_status = counts.setdefault(pk, dict.fromkeys(Membership.Status.values, 0))
        by_status[row["status"]] += row["n"]
    ordered = sorted(
        counts.items(),
        key=lambda item: (-item[1][Membership.Status.ACTIVE], names[item[0]], item[0]),
    )
    return [
        Community(
            pk,
            names[pk],
            [by_status[status] for status in Membership.Status.values],
            sum(by_status.values()),
        )
        for pk, by_status in ordered
    ]
