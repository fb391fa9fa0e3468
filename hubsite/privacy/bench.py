"""Data protection's part of the benchmark hub (``manage.py seed_bench``, registered in
``apps.py``) and its pages that the benchmark measures (``bench/run.py``).

Three years of a hub's care for personal data: ``scale["people"] * 2`` audit entries of every
kind the hub writes (mostly consents recorded and sensitive notes read, a few exports,
erasures and role changes, a retention run every night), the data-protection requests people
made (most answered, some open, a few of those overdue, one or two extended) and the reports
of the latest retention runs.

The app is installed before the areas, so its generator runs first: it names the areas'
records only as the audit log does (``listening.conversation:42``), by numbers in the ranges
the areas' generators fill, and the same hub comes out whether it runs alone on a seeded
database or within ``seed_bench``.
"""

from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone

from hubsite.people.bench import bulk_insert
from hubsite.people.models import Person, Role, User

from .models import AuditEntry, DataRequest, RetentionRun
from .registry import retention_kinds
from .services import due_date

YEARS = 3
AUDIT_PER_PERSON = 2
REQUESTS_PER_HUB = 200  # at hub scale (20,000 people); ``factor`` scales it
OPEN_REQUESTS = 12  # however large the hub: staff answer them as they come
RUNS_KEPT = 14  # the reports of the latest nightly retention runs
Action, Kind, Status = AuditEntry.Action, DataRequest.Kind, DataRequest.Status

# (action, share of the entries): what a hub's audit log mostly holds.
ACTIONS = (
    (Action.CONSENT_CHANGED, 50),
    (Action.VIEWED_SENSITIVE, 30),
    (Action.EXPORTED, 4),
    (Action.DOWNLOADED_OWN, 4),
    (Action.ROLE_CHANGED, 3),
    (Action.REQUEST_LOGGED, 3),
    (Action.REQUEST_UPDATED, 3),
    (Action.ERASED, 2),
    (Action.RETENTION_CHANGED, 1),
)
PURPOSES = ("contact_email", "contact_sms", "contact_phone", "contact_post", "show_name")
METHODS = ("online", "verbal", "paper", "email")
ROLES = ("member", "volunteer", "organiser")
REASONS = ("erasure request", "asked by phone", "asked by letter", "duplicate record", "")
# (status, share) of the requests answered; their outcomes say what was done, never who.
CLOSED = (
    (Status.DONE, 85, "Done: sent the copy by email."),
    (Status.REFUSED, 5, "Refused: the same request answered last month."),
    (Status.WITHDRAWN, 10, ""),
)
DETAILS = {
    Kind.ACCESS: "A copy of everything the hub holds.",
    Kind.ERASURE: "Please erase everything.",
    Kind.CORRECTION: "The postcode on file is out of date.",
    Kind.OBJECTION: "No more newsletters by post.",
}


class Privacy:
    def __init__(self, scale, rng):
        self.scale, self.rng = scale, rng
        self.now = timezone.now().replace(microsecond=0)
        self.today = timezone.localdate()
        people = scale.get("people", 20_000)
        self.people = list(Person.objects.values_list("pk", flat=True).order_by("pk"))
        # Numbers of people erased since: past the ids the hub holds now.
        self.erased = range(people + 1, people + 1 + max(10, people // 100))
        users = User.objects.filter(is_active=True).order_by("pk")
        self.users = {
            role: list(users.filter(role=role).values_list("pk", flat=True)) for role in Role
        }
        self.own = list(
            Person.objects.filter(user__role=Role.MEMBER)
            .order_by("pk")
            .values_list("user_id", "pk")
        )
        # The areas' records, by the numbers their generators give them.
        self.conversations = max(1, scale.get("conversations", 100_000))

    def _moment(self, days_ago_most, days_ago_least=0):
        seconds = self.rng.randint(days_ago_least * 86_400, days_ago_most * 86_400)
        return self.now - timedelta(seconds=seconds)

    def _day(self, days_ago_most, days_ago_least=0):
        return self.today - timedelta(days=self.rng.randint(days_ago_least, days_ago_most))

    def _user(self, *roles):
        pool = [pk for role in roles for pk in self.users.get(role, [])]
        return self.rng.choice(pool) if pool else None

    # The audit log ----------------------------------------------------------------------

    def audit(self, count):
        rng = self.rng
        actions = [action for action, _ in ACTIONS]
        weights = [share for _, share in ACTIONS]
        rows = []
        for _ in range(count):
            action = rng.choices(actions, weights)[0]
            # A share of every day's work, today's included (the home page counts them).
            at = self._moment(1) if rng.random() < 0.002 else self._moment(365 * YEARS)
            rows.append(self._entry(action, at))
        for run_at in self._nights(365 * YEARS):
            rows.append(
                AuditEntry(
                    at=run_at,
                    action=Action.RETENTION_RUN,
                    target=f"privacy.retentionrun:{rng.randint(1, 365 * YEARS)}",
                    detail="nothing past its time"
                    if rng.random() < 0.7
                    else f"listening.conversations: {rng.randint(1, 40)}",
                )
            )
        rows.sort(key=lambda entry: entry.at)  # written in time, as the hub writes them
        return bulk_insert(AuditEntry, rows)

    def _nights(self, nights):
        midnight = datetime.combine(self.today, time(2, 30))
        return [timezone.make_aware(midnight - timedelta(days=n)) for n in range(1, nights + 1)]

    def _entry(self, action, at):
        rng = self.rng
        person = rng.choice(self.people) if self.people else None
        entry = AuditEntry(at=at, action=action, subject_id=person)
        if action == Action.CONSENT_CHANGED:
            given = rng.random() < 0.85
            method = rng.choice(METHODS)
            entry.actor_id = None if method == "online" else self._user(Role.STAFF, Role.VOLUNTEER)
            entry.target = f"people.consent:{rng.randint(1, len(self.people) * 2 or 1)}"
            entry.detail = f"{rng.choice(PURPOSES)} {'given' if given else 'withdrawn'} ({method})"
        elif action == Action.VIEWED_SENSITIVE:
            entry.actor_id = self._user(Role.STAFF, Role.VOLUNTEER, Role.VOLUNTEER)
            entry.target = f"listening.conversation:{rng.randint(1, self.conversations)}"
        elif action == Action.EXPORTED:
            entry.actor_id = self._user(Role.STAFF)
            entry.target = f"people.person:{person}"
        elif action == Action.DOWNLOADED_OWN and self.own:
            entry.actor_id, entry.subject_id = rng.choice(self.own)
            entry.target = f"people.person:{entry.subject_id}"
        elif action == Action.ROLE_CHANGED:
            before, after = rng.sample(ROLES, 2)
            entry.actor_id = self._user(Role.STAFF)
            entry.target = f"people.user:{self._user(*ROLES)}"
            entry.detail = f"{before} → {after}"
        elif action in (Action.REQUEST_LOGGED, Action.REQUEST_UPDATED):
            entry.actor_id = self._user(Role.STAFF)
            entry.target = f"privacy.datarequest:{rng.randint(1, self._request_count())}"
            entry.detail = (
                f"{rng.choice(Kind.values)} request received {at.date()}"
                if action == Action.REQUEST_LOGGED
                else f"closed: {rng.choice(CLOSED)[0]}"
            )
        elif action == Action.ERASED:
            entry.actor_id = self._user(Role.STAFF)
            entry.subject_id = rng.choice(self.erased)
            entry.target = f"people.person:{entry.subject_id}"
            entry.detail = rng.choice(REASONS)
        else:  # a change of a retention period
            entry.action = Action.RETENTION_CHANGED
            entry.subject_id = None
            entry.actor_id = self._user(Role.STAFF)
            entry.target = rng.choice(sorted(retention_kinds()) or ["listening.conversations"])
            entry.detail = f"{rng.choice((24, 36))} → {rng.choice((12, 18, 24))} months"
        return entry

    # Requests and retention runs --------------------------------------------------------

    def _request_count(self):
        return max(OPEN_REQUESTS + 4, round(REQUESTS_PER_HUB * self.scale.get("factor", 1)))

    def requests(self):
        rng, rows = self.rng, []
        staff = self.users.get(Role.STAFF) or [None]
        for n in range(self._request_count()):
            kind = rng.choices(Kind.values, weights=(50, 25, 15, 10))[0]
            still_held = rng.random() < 0.9 and self.people
            person = rng.choice(self.people) if still_held else None
            if n < OPEN_REQUESTS:
                # Open: received within the last ten weeks, so a few are past their month.
                received = self._day(70)
                extended = n % 6 == 5
                status, outcome, closed_on = Status.OPEN, "", None
            else:
                received = self._day(365 * YEARS, 31)
                extended = rng.random() < 0.05
                status, _, outcome = rng.choices(CLOSED, weights=[c[1] for c in CLOSED])[0]
                closed_on = received + timedelta(days=rng.randint(1, 28))
            rows.append(
                DataRequest(
                    kind=kind,
                    status=status,
                    channel=rng.choice(DataRequest.Channel.values),
                    person_id=person,
                    subject_id=person or rng.choice(self.erased),
                    received_on=received,
                    due_on=due_date(received, extended=extended),
                    extended=extended,
                    details=DETAILS[kind] if person else "",
                    outcome=outcome if person else "",
                    logged_by_id=rng.choice(staff),
                    logged_at=timezone.make_aware(datetime.combine(received, time(10))),
                    closed_by_id=rng.choice(staff) if closed_on else None,
                    closed_on=closed_on,
                )
            )
        # The bench member's own requests, for "Your data".
        member = self.own[0][1] if self.own else None
        for kind, received, status in (
            (Kind.ACCESS, self._day(400, 200), Status.DONE),
            (Kind.CORRECTION, self._day(20), Status.OPEN),
        ):
            rows.append(
                DataRequest(
                    kind=kind,
                    status=status,
                    channel=DataRequest.Channel.ONLINE,
                    person_id=member,
                    subject_id=member,
                    received_on=received,
                    due_on=due_date(received, extended=False),
                    details=DETAILS[kind],
                    outcome="Done: sent the copy by email." if status == Status.DONE else "",
                    closed_on=received + timedelta(days=9) if status == Status.DONE else None,
                )
            )
        return bulk_insert(DataRequest, rows)

    def runs(self):
        rng, kinds = self.rng, retention_kinds()
        rows = []
        for started in reversed(self._nights(RUNS_KEPT)):
            results = {}
            for kind, registered in sorted(kinds.items()):
                months = registered.default_months
                cutoff = (started - timedelta(days=30 * months)).date() if months else None
                count = rng.choice((0, 0, 0, 1, 2, 5)) if months else 0
                results[kind] = {
                    "months": months,
                    "cutoff": cutoff.isoformat() if cutoff else None,
                    "count": count,
                }
            rows.append(
                RetentionRun(
                    started_at=started,
                    finished_at=started + timedelta(seconds=rng.randint(2, 40)),
                    results=results,
                )
            )
        return bulk_insert(RetentionRun, rows)


def generate(*, scale, rng, stdout):
    privacy = Privacy(scale, rng)
    entries = privacy.audit(round(scale.get("people", 20_000) * AUDIT_PER_PERSON))
    requests = privacy.requests()
    runs = privacy.runs()
    stdout.write(
        f"privacy: {len(entries)} audit entries, {len(requests)} data-protection requests, "
        f"{len(runs)} retention runs"
    )


def pages(rng):
    """Staff's data-protection screens and a member's "Your data"."""
    today = timezone.localdate()
    searches = [
        {"action": Action.VIEWED_SENSITIVE, "since": today - timedelta(days=30), "until": today},
        {"action": Action.CONSENT_CHANGED, "since": today - timedelta(days=90)},
        {"action": Action.EXPORTED},
    ]
    audit = reverse("privacy:audit_list")
    return [
        {"name": "privacy: home", "as": "staff", "paths": [reverse("privacy:home")]},
        {"name": "privacy: requests", "as": "staff", "paths": [reverse("privacy:request_list")]},
        {"name": "privacy: audit log", "as": "staff", "paths": [audit]},
        {
            "name": "privacy: audit log search",
            "as": "staff",
            "paths": [f"{audit}?{_query(search)}" for search in searches],
        },
        {"name": "privacy: your data", "as": "member", "paths": [reverse("privacy:mine")]},
    ]


def _query(search):
    return urlencode(
        {
            key: value.isoformat() if isinstance(value, date) else value
            for key, value in search.items()
        }
    )
