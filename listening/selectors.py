"""Read queries of Listening. Every list starts from what its viewer may see
(``conversation_visible``/``round_visible``), never from everything, and brings what its page
needs already joined, so a page costs the same few queries at any length."""

import operator
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import reduce

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.core.cache import cache
from django.db import connection
from django.db.models import (
    BooleanField,
    CharField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Concat, StrIndex, Substr, TruncMonth
from django.db.models.lookups import Contains
from django.urls import reverse
from django.utils import timezone

from hubsite.notify.models import OutboxMessage
from hubsite.people.models import Locality, Person, Role
from hubsite.people.rules import has_role
from hubsite.people.selectors import people_matching

from .models import Conversation, FollowUp, ListeningRound, Theme
from .rules import LISTENERS, is_staff

SEARCH_FIELDS = ("concerns", "hopes", "needs", "talents")


# Who sees what ------------------------------------------------------------------------


def round_visible(viewer):
    rounds = ListeningRound.objects.all()
    if is_staff(viewer):
        return rounds
    if has_role(viewer, (Role.ORGANISER,)):
        return rounds.filter(
            Q(pk__in=ListeningRound.objects.filter(organisers=viewer).values("pk"))
            | Q(pk__in=ListeningRound.objects.filter(volunteers=viewer).values("pk"))
        )
    if has_role(viewer, (Role.VOLUNTEER,)):
        return rounds.filter(pk__in=ListeningRound.objects.filter(volunteers=viewer).values("pk"))
    return rounds.none()


def rounds_to_log_in(viewer):
    """The rounds a person may log a conversation in: those they run or are on (all for
    staff), still open today."""
    today = timezone.localdate()
    rounds = ListeningRound.objects.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
    if is_staff(viewer):
        return rounds
    if not has_role(viewer, LISTENERS):
        return rounds.none()
    return rounds.filter(
        Q(pk__in=ListeningRound.objects.filter(organisers=viewer).values("pk"))
        | Q(pk__in=ListeningRound.objects.filter(volunteers=viewer).values("pk"))
    )


def _ways_to_open(viewer):
    """The ways a viewer who is not staff opens a conversation (see ``rules``), one condition
    each: they logged it, or (an organiser) they run its round. None for anyone else."""
    if has_role(viewer, (Role.ORGANISER,)):
        return [
            Q(logged_by=viewer),
            Q(round__in=ListeningRound.objects.filter(organisers=viewer).values("pk")),
        ]
    if has_role(viewer, (Role.VOLUNTEER,)):
        return [Q(logged_by=viewer)]
    return []


def conversation_visible(viewer):
    """The conversations ``viewer`` may open (see ``rules``), sensitive notes left unread."""
    conversations = Conversation.objects.defer("sensitive_notes")
    if is_staff(viewer):
        return conversations
    ways = _ways_to_open(viewer)
    return conversations.filter(reduce(operator.or_, ways)) if ways else conversations.none()


def conversation_ids_visible(viewer):
    """The ids of the conversations ``viewer`` (not staff) may open, for other rows to be
    matched against: a union of one query per way of opening them, each read from its own
    index (the volunteer's conversations, the round's), where the one condition "logged it or
    runs its round" has PostgreSQL read every conversation of the hub to answer."""
    ids = [
        Conversation.objects.filter(way).order_by().values("pk") for way in _ways_to_open(viewer)
    ]
    if not ids:
        return Conversation.objects.none().values("pk")
    return ids[0].union(*ids[1:]) if len(ids) > 1 else ids[0]


# Rounds -------------------------------------------------------------------------------


def round_list(viewer):
    return (
        round_visible(viewer)
        # Counted per round on the page (a correlated subquery on the round index), not by
        # aggregating every conversation before the page is cut.
        .annotate(
            conversation_count=Coalesce(
                Subquery(
                    Conversation.objects.filter(round=OuterRef("pk"))
                    .order_by()
                    .values("round")
                    # COUNT(*), not of ids: PostgreSQL then reads the round's index only,
                    # never the conversations themselves (index-only scan).
                    .annotate(n=Count("*"))
                    .values("n")[:1]
                ),
                0,
            )
        )
        .prefetch_related("localities")
        .order_by("-starts_on", "name")
    )


def round_detail_queryset(viewer):
    return round_visible(viewer).prefetch_related(
        "localities",
        Prefetch("organisers", queryset=_users()),
        Prefetch("volunteers", queryset=_users()),
    )


def _users():
    from hubsite.people.models import User

    return User.objects.select_related("person").order_by("person__first_name", "email")


@dataclass
class RoundProgress:
    total: int
    target: int
    by_locality: list = field(default_factory=list)  # (name, count)
    by_volunteer: list = field(default_factory=list)  # (name, count)

    @property
    def percent(self):
        return min(100, round(100 * self.total / self.target)) if self.target else 0


def round_progress(round_):
    """Conversations so far against the target, by locality and by volunteer: counts only,
    so everyone on the round may see them."""
    conversations = Conversation.objects.filter(round=round_).order_by()
    by_locality = (
        conversations.values("locality__name")
        .annotate(n=Count("id"))
        .order_by("-n", "locality__name")
    )
    by_volunteer = (
        conversations.values("logged_by__person__first_name", "logged_by__person__last_name")
        .annotate(n=Count("id"))
        .order_by("-n", "logged_by__person__first_name")
    )
    by_locality = [(row["locality__name"] or "Not recorded", row["n"]) for row in by_locality]
    return RoundProgress(
        total=sum(n for _, n in by_locality),
        target=round_.target,
        by_locality=by_locality,
        by_volunteer=[
            (
                " ".join(
                    filter(
                        None,
                        [
                            row["logged_by__person__first_name"],
                            row["logged_by__person__last_name"],
                        ],
                    )
                )
                or "A former volunteer",
                row["n"],
            )
            for row in by_volunteer
        ],
    )


# Conversations ------------------------------------------------------------------------


def conversation_list(viewer):
    return (
        conversation_visible(viewer)
        .select_related("person", "locality", "round", "logged_by__person")
        .prefetch_related("themes")
        .order_by("-held_on", "-id")
    )


def conversation_detail_queryset(viewer):
    """One conversation with everything its page shows. Sensitive notes are loaded only
    when the page may show them (``rules.can_see_sensitive_notes``)."""
    return conversation_list(viewer).prefetch_related(
        Prefetch("follow_ups", queryset=FollowUp.objects.select_related("owner__person"))
    )


def conversation_search(queryset, text):
    """Conversations whose concerns, hopes, needs or talents match ``text``: PostgreSQL's
    full-text search (stemmed English, web-search syntax) there, word by word elsewhere.
    Sensitive notes are never searched."""
    text = text.strip()
    if not text:
        return queryset
    if connection.vendor == "postgresql":
        # An alias, not an annotation: the words are matched (on the index), never selected,
        # so counting the matches does not work out every matching conversation's vector.
        return queryset.alias(search=SearchVector(*SEARCH_FIELDS, config="english")).filter(
            search=SearchQuery(text, search_type="websearch", config="english")
        )
    for word in text.split()[:6]:
        matches = Q()
        for name in SEARCH_FIELDS:
            matches |= Q(**{f"{name}__icontains": word})
        queryset = queryset.filter(matches)
    return queryset


def people_to_pick(text, limit=8):
    """People whose name or postcode matches ``text``, for the quick pick on the logging form.
    It shows names and localities only: volunteers do not see contact details."""
    people = Person.objects.select_related("locality")
    return people_matching(people, text, by_email=False, limit=limit)


def person_picked(value):
    """The person chosen on a logging form sent back with errors, to show them still chosen."""
    if not value or not (str(value).isascii() and str(value).isdigit()):
        return None
    return Person.objects.select_related("locality").filter(pk=value).first()


# Themes -------------------------------------------------------------------------------


def theme_list():
    return Theme.objects.annotate(conversation_count=Count("conversations")).order_by("name")


@dataclass
class ThemeCounts:
    """Counts of conversations by theme and month, and by theme and locality."""

    themes: list  # Theme objects with .total, most talked about first
    months: list  # first days of the months, in order
    by_month: dict  # theme id -> [count per month]
    localities: list  # Locality objects (and None for "not recorded") with any count
    by_locality: dict  # theme id -> [count per locality]
    counted_at: datetime = field(default_factory=timezone.now)
    key: str = ""  # names this counting (whose, which filters, when) for the page's tables
    kept_for: int = 0  # seconds it is shown before the conversations are counted again

    @property
    def expires_at(self):
        return self.counted_at + timedelta(seconds=self.kept_for)


# The theme counts aggregate every conversation their viewer may read, a cost that grows with
# the years of listening. So a counting is kept for a short while, as the dashboard's figures
# are (``DASHBOARD_FIGURES_SECONDS``, a minute), for each scope (everything for staff, their
# own for anyone else) and choice of filters, and the page says when it was made: a
# conversation logged since is counted within the minute. Renaming or merging a theme forgets
# every counting at once (``theme_counts_forget``), so no name or link of a theme that is
# gone is ever shown.
THEME_COUNTS_KEY = "listening:theme-counts"
THEME_COUNTS_GENERATION = f"{THEME_COUNTS_KEY}:generation"


def theme_counts_forget():
    """Forget every kept theme counting: the next page counts afresh."""
    cache.set(THEME_COUNTS_GENERATION, time.time_ns(), None)


def theme_counts(viewer, *, round=None, date_from=None, date_to=None, locality=None):
    """Counts of the conversations ``viewer`` may see, by theme over time and by place, in
    four queries whatever the number of conversations, or none while a counting is kept."""
    seconds = settings.DASHBOARD_FIGURES_SECONDS
    scope = "all" if is_staff(viewer) else f"{viewer.role}-{viewer.pk}"
    chosen = (getattr(round, "pk", None), getattr(locality, "pk", None), date_from, date_to)
    generation = cache.get(THEME_COUNTS_GENERATION, 0)
    key = f"{THEME_COUNTS_KEY}:{generation}:{scope}:" + ":".join(str(v or "") for v in chosen)
    counts = cache.get(key) if seconds else None
    if counts is None:
        counts = _theme_counts(
            viewer, round=round, date_from=date_from, date_to=date_to, locality=locality
        )
        counts.key = f"{key}:{counts.counted_at.timestamp()}"
        counts.kept_for = seconds
        if seconds:
            cache.set(key, counts, seconds)
    return counts


def _theme_counts(viewer, *, round, date_from, date_to, locality):
    links = Conversation.themes.through.objects.order_by()
    if not is_staff(viewer):  # staff see every conversation: no subquery to filter by
        links = links.filter(conversation__in=conversation_ids_visible(viewer))
    # The filters join the conversation once, the same join the counts by month use.
    if round is not None:
        links = links.filter(conversation__round=round)
    if locality is not None:
        links = links.filter(conversation__locality=locality)
    if date_from:
        links = links.filter(conversation__held_on__gte=date_from)
    if date_to:
        links = links.filter(conversation__held_on__lte=date_to)
    month_rows = list(
        links.annotate(month=TruncMonth("conversation__held_on"))
        .values_list("theme_id", "month")
        .annotate(n=Count("*"))
    )
    place_rows = list(
        links.values_list("theme_id", "conversation__locality_id").annotate(n=Count("*"))
    )
    totals = {}
    for theme_id, _, n in month_rows:
        totals[theme_id] = totals.get(theme_id, 0) + n
    themes = list(Theme.objects.filter(pk__in=totals))
    for theme in themes:
        theme.total = totals[theme.pk]
    themes.sort(key=lambda theme: (-theme.total, theme.name))

    months = _month_range([_as_date(month) for _, month, _ in month_rows])
    month_index = {month: i for i, month in enumerate(months)}
    by_month = {theme.pk: [0] * len(months) for theme in themes}
    for theme_id, month, n in month_rows:
        by_month[theme_id][month_index[_as_date(month)]] += n

    locality_ids = {locality_id for _, locality_id, _ in place_rows}
    # Only the names the tables show: a locality's boundary can be a long polygon.
    localities = list(
        Locality.objects.filter(pk__in=locality_ids - {None}).only("name").order_by("name")
    )
    if None in locality_ids:
        localities.append(None)
    place_index = {(place.pk if place else None): i for i, place in enumerate(localities)}
    by_locality = {theme.pk: [0] * len(localities) for theme in themes}
    for theme_id, locality_id, n in place_rows:
        by_locality[theme_id][place_index[locality_id]] += n
    return ThemeCounts(themes, months, by_month, localities, by_locality)


def _as_date(value):
    return value.date() if hasattr(value, "date") and callable(value.date) else value


def _month_range(months):
    if not months:
        return []
    first, last = min(months), max(months)
    result, current = [], date(first.year, first.month, 1)
    while current <= last:
        result.append(current)
        current = date(current.year + current.month // 12, current.month % 12 + 1, 1)
    return result


# Follow-ups ---------------------------------------------------------------------------


def follow_ups_open(owner):
    return (
        FollowUp.objects.filter(owner=owner, done_at__isnull=True)
        .select_related("conversation__person", "conversation__locality")
        .order_by("due_on", "id")
    )


def _can_open_conversation(viewer):
    """Whether ``viewer`` may open a follow-up's conversation: an owner may keep a promise
    made in a conversation someone else logged, which they cannot open."""
    visible = conversation_visible(viewer).values("pk")
    return Exists(visible.filter(pk=OuterRef("conversation_id")))


def follow_up_list(viewer):
    """The follow-ups ``viewer`` may see: their own, and those of conversations they see,
    each with ``can_open_conversation``."""
    follow_ups = FollowUp.objects.all()
    if is_staff(viewer):
        # Staff open every conversation: no subquery over all of them to say so.
        follow_ups = follow_ups.annotate(can_open_conversation=Value(True))
    else:
        # The ids of the conversations they open are read once, from their own index, and
        # each follow-up is looked up among them (a hashed set), never a conversation each.
        opens = Q(conversation__in=conversation_ids_visible(viewer))
        follow_ups = follow_ups.filter(Q(owner=viewer) | opens).annotate(
            can_open_conversation=ExpressionWrapper(opens, output_field=BooleanField())
        )
    return (
        follow_ups.select_related("owner__person", "conversation__person", "conversation__locality")
        # The list names who the promise is for, never what was said or noted.
        .defer(*(f"conversation__{name}" for name in (*SEARCH_FIELDS, "sensitive_notes")))
        .order_by("done_at", "due_on", "id")
    )


def follow_ups_due(on):
    """Open follow-ups due on ``on``, for the reminder task."""
    return FollowUp.objects.filter(done_at__isnull=True, due_on=on).order_by("id")


def follow_up_owners_overdue(today):
    """Owners with open follow-ups due before ``today``, for the morning digest."""
    return (
        FollowUp.objects.filter(done_at__isnull=True, due_on__lt=today)
        .values_list("owner_id", flat=True)
        .distinct()
        .order_by("owner_id")
    )


# Contributions to the core ------------------------------------------------------------


def dashboard_figures(viewer):
    from hubsite.framework.registry import Figure
    from hubsite.framework.selectors import aggregates_at_once

    if not has_role(viewer, LISTENERS):
        return []
    today = timezone.localdate()
    conversations = conversation_visible(viewer)
    counts = aggregates_at_once(  # one query, and one for the themes
        this_month=(conversations.filter(held_on__gte=today.replace(day=1)), Count("pk")),
        people=(conversations, Count("person", distinct=True)),
        open_follow_ups=(follow_up_list(viewer).filter(done_at__isnull=True), Count("pk")),
    )
    open_follow_ups = counts["open_follow_ups"]
    if is_staff(viewer):
        # Staff see every conversation: each theme's are counted on the themes' index alone
        # (an index-only count per theme), not by joining every conversation's themes.
        links = Conversation.themes.through.objects.filter(theme=OuterRef("pk")).order_by()
        counted = links.values("theme").annotate(n=Count("*")).values("n")
        themes = Theme.objects.annotate(n=Coalesce(Subquery(counted), 0))
    else:
        themes = Theme.objects.filter(conversations__in=conversations.values("pk")).annotate(
            n=Count("conversations")
        )
    top = [theme for theme in themes.order_by("-n", "name")[:3] if theme.n]
    url = reverse("listening:conversation_list")
    figures = [
        Figure(
            "listening",
            "Conversations this month",
            counts["this_month"],
            f"{url}?held_from={today.replace(day=1).isoformat()}",
        ),
        Figure("listening", "People heard", counts["people"], url),
        Figure(
            "listening", "Open follow-ups", open_follow_ups, reverse("listening:follow_up_list")
        ),
    ]
    figures += [
        Figure(
            "listening",
            f"Conversations about {theme.name.lower()}",
            theme.n,
            f"{url}?theme={theme.slug}",
        )
        for theme in top
    ]
    return figures


def dashboard_tasks(viewer):
    from hubsite.framework.registry import Task

    if not has_role(viewer, LISTENERS):
        return []
    mine = reverse("listening:follow_up_list") + "?status=mine"
    follow_ups = follow_ups_open(viewer).annotate(
        can_open_conversation=_can_open_conversation(viewer)
    )
    return [
        Task(
            area="listening",
            title=f"{follow_up.action} ({follow_up.conversation.heard_from})",
            url=follow_up.conversation.get_absolute_url()
            if follow_up.can_open_conversation
            else mine,
            due_on=follow_up.due_on,
        )
        for follow_up in follow_ups[:20]
    ]


def person_timeline(person, viewer, *, read=None):
    """The person's conversations that ``viewer`` may open, with their themes: one source
    of the core's timeline, read by ``read`` (by default now, in one query; see
    ``hubsite.people.registry``)."""
    from django.db.models import StringAgg

    from hubsite.people.registry import TimelineSource
    from hubsite.people.selectors import timeline_read

    themes = (
        Conversation.themes.through.objects.filter(conversation=OuterRef("pk"))
        .values("conversation")
        .annotate(names=StringAgg("theme__name", Value(THEME_SEPARATOR)))
        .values("names")
    )
    conversations = TimelineSource(
        rows=conversation_visible(viewer).filter(person=person),
        columns={
            "day": F("held_on"),
            "ref": F("pk"),
            "code": F("method"),
            "other_ref": F("round_id"),
            "name": F("round__name"),
            "text": Subquery(themes),
        },
        entry=_conversation_entry,
    )
    return (read or timeline_read)([conversations])


THEME_SEPARATOR = "\x1f"  # never in a theme's name


def _conversation_entry(row):
    from hubsite.people.registry import TimelineEntry

    conversation = Conversation(pk=row["ref"], method=row["code"])
    themes = sorted(row["text"].split(THEME_SEPARATOR)) if row["text"] else []
    return TimelineEntry(
        when=timezone.make_aware(
            timezone.datetime.combine(row["day"], timezone.datetime.min.time())
        ),
        area="listening",
        title=f"Conversation ({conversation.get_method_display().lower()})"
        + (f" in {row['name']}" if row["other_ref"] is not None else ""),
        url=conversation.get_absolute_url(),
        detail=", ".join(themes),
    )


def person_data_export(person, viewer=None):
    """A person's conversations for subject access. Sensitive notes are included only in an
    export made by staff."""
    with_notes = is_staff(viewer) if viewer is not None else False
    conversations = (
        Conversation.objects.filter(person=person)
        .select_related("round", "locality", "logged_by")
        .prefetch_related("themes", "follow_ups")
        .order_by("held_on", "id")
    )
    if not with_notes:
        conversations = conversations.defer("sensitive_notes")
    data = []
    for conversation in conversations:
        entry = {
            "held_on": conversation.held_on.isoformat(),
            "round": str(conversation.round) if conversation.round_id else None,
            "locality": str(conversation.locality) if conversation.locality_id else None,
            "place": conversation.place,
            "method": conversation.get_method_display(),
            "concerns": conversation.concerns,
            "hopes": conversation.hopes,
            "needs": conversation.needs,
            "talents": conversation.talents,
            "willingness": conversation.get_willingness_display(),
            "themes": [theme.name for theme in conversation.themes.all()],
            "agreed_to_be_contacted_again": conversation.contact_again,
            "follow_ups": [
                {"action": f.action, "due_on": f.due_on.isoformat(), "done": not f.is_open}
                for f in conversation.follow_ups.all()
            ],
        }
        if with_notes:
            entry["sensitive_notes"] = conversation.sensitive_notes
        data.append(entry)
    return data


def talents_offered(viewer, *, person=None, text=""):
    """The talents people said they would share, for the core's list of offers (read from
    the conversations, never copied)."""
    conversations = conversation_visible(viewer).filter(person__isnull=False).exclude(talents="")
    if person is not None:
        conversations = conversations.filter(person=person)
    for word in text.split()[:5]:
        conversations = conversations.filter(talents__icontains=word)
    return conversations.order_by().values("person_id", what=F("talents"), offered_on=F("held_on"))


# The framework's registries: conversations tagged with practices, rounds as subjects ----


def conversation_described(viewer, object_id):
    """A conversation as the framework names it on tags, if ``viewer`` may open it. The label
    names no one: the area page lists tags to people who may not open the conversation."""
    from hubsite.framework.registry import Described

    conversation = (
        conversation_visible(viewer).filter(pk=object_id).only("pk", "held_on", "method").first()
    )
    if conversation is None:
        return None
    return Described(
        label=f"Conversation: {conversation.held_on:%-d %b %Y}, "
        f"{conversation.get_method_display().lower()}",
        url=conversation.get_absolute_url(),
    )


def round_subjects(viewer, limit=50):
    """The latest rounds ``viewer`` is on, runs or (staff) sees, for a learning to be about."""
    from hubsite.framework.registry import Subject

    rounds = round_visible(viewer).only("pk", "name").order_by("-starts_on", "name")[:limit]
    return [
        Subject(key=f"listening.round:{round_.pk}", label=f"Listening round: {round_.name}")
        for round_ in rounds
    ]


DIGEST_KEY = "listening:follow-up-digest:"


def digests_quoting(follow_ups):
    """The overdue digests (keyed ``listening:follow-up-digest:<owner>:<day>``) that quote one
    of ``follow_ups`` to its owner: each digest is compared only with its own owner's
    follow-ups, so the query grows with each owner's share, not with every digest times
    every follow-up, and another owner's digest is never taken for a like promise."""
    start = len(DIGEST_KEY) + 1
    rest = Substr("key", start)
    owner = Substr("key", start, StrIndex(Concat(rest, Value(":")), Value(":")) - 1)
    owners = follow_ups.order_by().annotate(_key=Cast("owner_id", CharField())).values("_key")
    candidates = (
        OutboxMessage.objects.filter(key__startswith=DIGEST_KEY)
        .annotate(_owner=owner)
        .filter(_owner__in=owners)
    )
    quoting = (
        follow_ups.order_by()
        .annotate(_key=Cast("owner_id", CharField()))
        .exclude(action="")
        .filter(_key=OuterRef("_owner"))
        .filter(Contains(OuterRef("body_text"), F("action")))
    )
    return OutboxMessage.objects.filter(pk__in=candidates.filter(Exists(quoting)).values("pk"))
