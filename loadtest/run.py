"""``make loadtest`` (``python -m loadtest.run``): the hub under a crowd for a bounded time.

It makes a PostgreSQL database of its own for the run (``hub_load``), a copy of the
benchmark's hub-scale data (``hub_bench``) when that is there and idle, otherwise a hub a
tenth of that size seeded on the spot by the benchmark's generators. It opens three public
campaigns, serves the hub with gunicorn as production would behind a TLS proxy (DEBUG off,
Redis, per-visitor addresses in X-Forwarded-For read with ``TRUSTED_PROXY_COUNT=1``), and
runs locust headless (``loadtest/locustfile.py``): visitors reading and signing campaigns,
visitors answering events, staff reading the people list, volunteers logging conversations.

It prints and writes ``loadtest/results.md`` (requests, failures, p50 and p95 per endpoint
and overall) and exits 1 when any request failed or when what the crowd sent was not all
saved (sign-ups, RSVPs and conversations are counted in the database afterwards).
"""

import argparse
import http.client
import json
import os
import re
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

from bench.run import DATABASES as BENCH_DATABASES
from bench.run import SERVER, bench_env, serve, stop

BASE_DIR = Path(__file__).resolve().parent.parent
VAR = BASE_DIR / "var" / "loadtest"
RESULTS_MD = BASE_DIR / "loadtest" / "results.md"
SCENARIO = VAR / "scenario.json"
GUNICORN_LOG = VAR / "gunicorn.log"
LOCUST_LOG = VAR / "locust.log"
STATS = VAR / "locust.json"  # the figures, written by locustfile.py when locust stops

DATABASE = "hub_load"
SOURCE = BENCH_DATABASES["hub"]
PORTS = range(8790, 8800)  # loopback only
REDIS = "redis://127.0.0.1:6379/9"  # a Redis database of the load test's own, emptied after
# Every address the crowd types ends so; nothing reaches a real person.
VISITOR_DOMAIN = "visitors.example.org"
CAMPAIGNS = (
    (
        "Safe crossing on Kingsway",
        "A zebra crossing by the school gates before someone is hurt.",
        "Children cross four lanes of traffic to reach school.",
        "The council installs a crossing on Kingsway by September.",
    ),
    (
        "Keep the Brookside library open",
        "The library is the only warm, free place on the estate: keep it open.",
        "The council plans to close the library in the spring.",
        "Keep the library open five days a week.",
    ),
    (
        "Fix the damp in Larkrise flats",
        "Tenants of Larkrise have lived with black mould for three winters.",
        "Damp and mould make children ill and landlords do not act.",
        "Every damp flat surveyed and repaired within six months.",
    ),
)
# The endpoints whose POSTs must each leave one row behind (locustfile.py's names).
SAVED = {
    "campaign: sign (POST)": "campaign sign-ups",
    "event: RSVP (POST)": "RSVPs",
    "conversation: log (POST)": "conversations",
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=int(os.environ.get("LOADTEST_USERS") or 50))
    parser.add_argument("--spawn-rate", type=float, default=10, help="users started a second")
    parser.add_argument(
        "--time", default=os.environ.get("LOADTEST_TIME") or "5m", help="e.g. 90s, 5m, 1h"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=2 * (os.cpu_count() or 1) + 1,
        help="gunicorn's sync workers (default 2 × cores + 1)",
    )
    parser.add_argument(
        "--source",
        default=SOURCE,
        help=f"the benchmark's database to copy when it is there (default {SOURCE})",
    )
    return parser.parse_args(argv)


# The database ----------------------------------------------------------------------------


def _admin():
    import psycopg

    return psycopg.connect(f"{SERVER}/postgres", autocommit=True)


def _holds_bench_data(name):
    """Whether ``name`` exists and holds the benchmark's logins."""
    import psycopg

    from hubsite.people.management.commands.seed_bench import BENCH_ACCOUNTS
    from hubsite.people.models import Role

    staff = BENCH_ACCOUNTS[Role.STAFF].email
    try:
        with psycopg.connect(f"{SERVER}/{name}", connect_timeout=5) as connection:
            return bool(
                connection.execute("SELECT 1 FROM people_user WHERE email = %s", [staff]).fetchone()
            )
    except psycopg.Error:
        return False


def fresh_database(source):
    """Drop the last run's database and make this run's: a copy of the benchmark's data in
    ``source`` when it can be copied (no one connected to it), else an empty one. Returns
    how it was made, or None for an empty one."""
    import psycopg

    with _admin() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        if _holds_bench_data(source):
            try:
                admin.execute(f'CREATE DATABASE "{DATABASE}" TEMPLATE "{source}"')
            except psycopg.errors.ObjectInUse:
                print(f"{source} is in use (a benchmark running?): seeding a small hub instead.")
            else:
                return f"a copy of the benchmark's data in {source}"
        admin.execute(f'CREATE DATABASE "{DATABASE}"')
    return None


def seed_small(source):
    """A tenth of the benchmark's hub scale, from the same generators (a few seconds)."""
    from django.core.management.base import OutputWrapper
    from django.db import connection

    from hubsite.people.management.commands.seed_bench import HUB, generate_all

    scale = {key: max(1, value // 10) for key, value in HUB.items()} | {"factor": 1}
    started = time.monotonic()
    generate_all(scale=scale, stdout=OutputWrapper(sys.stdout))
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return (
        f"a small hub seeded for the run in {time.monotonic() - started:.0f} s "
        f"({scale['people']:,} people, {scale['conversations']:,} conversations, "
        f"{scale['events']:,} events; {source} was not there to copy)"
    )


# The scenario's data ---------------------------------------------------------------------


def _sessions(users, count):
    """``count`` signed-in sessions (session keys), shared round the ``users``, made by the
    sign-in itself (Django's ``login``) so that they are what a browser would hold."""
    from django.conf import settings
    from django.test import Client

    keys = []
    for n in range(count):
        client = Client()
        client.force_login(users[n % len(users)])
        keys.append(client.cookies[settings.SESSION_COOKIE_NAME].value)
    return keys


def prepare(users):
    """Open the campaigns, choose the events, sign in the staff and volunteers, and write
    what the locustfile needs to ``SCENARIO``. Returns the volunteers' ids (whose
    conversations are counted)."""
    from datetime import timedelta

    from django.conf import settings
    from django.urls import reverse
    from django.utils import timezone

    from action.models import Campaign
    from action.services.campaigns import campaign_create
    from connect.models import Event
    from hubsite.people.management.commands.seed_bench import BENCH_DOMAIN
    from hubsite.people.models import Person, Role, User

    def accounts(role):
        found = list(
            User.objects.filter(role=role, is_active=True, email__endswith=f"@{BENCH_DOMAIN}")
            .exclude(person=None)
            .order_by("pk")
        )
        if not found:
            raise SystemExit(f"The database holds no {role} login to sign in as.")
        return found

    staff, volunteers = accounts(Role.STAFF), accounts(Role.VOLUNTEER)
    campaigns = []
    for name, summary, need, demand in CAMPAIGNS:
        campaign = Campaign.objects.filter(name=name).first() or campaign_create(
            created_by=staff[0],
            name=name,
            summary=summary,
            need=need,
            demand=demand,
            status=Campaign.Status.ACTIVE,
        )
        campaigns.append(campaign.get_absolute_url())
    # Public events still to come (after the run too), so that every RSVP is taken.
    events = Event.objects.filter(
        visibility=Event.Visibility.PUBLIC,
        status=Event.Status.SCHEDULED,
        starts_at__gte=timezone.now() + timedelta(days=1),
    ).order_by("starts_at")[:10]
    events = [
        {"page": event.get_absolute_url(), "rsvp": reverse("connect:rsvp", args=[event.pk])}
        for event in events
    ]
    if not events:
        raise SystemExit("The database holds no public event to come.")
    people = Person.objects.count()
    scenario = {
        "campaigns": campaigns,
        "events": events,
        "people_list": reverse("people:person_list"),
        "people_pages": max(1, -(-people // settings.PAGE_SIZE)),
        "conversation_log": reverse("listening:conversation_log"),
        "staff_sessions": _sessions(staff, users),
        "volunteer_sessions": _sessions(volunteers, users),
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "visitor_domain": VISITOR_DOMAIN,
    }
    SCENARIO.write_text(json.dumps(scenario, indent=2))
    return [user.pk for user in volunteers]


def saved_counts(volunteer_ids):
    from action.models import Signup
    from connect.models import Rsvp
    from hubsite.notify.models import OutboxMessage
    from listening.models import Conversation

    return {
        "campaign sign-ups": Signup.objects.filter(email__endswith=f"@{VISITOR_DOMAIN}").count(),
        "RSVPs": Rsvp.objects.filter(person__email__endswith=f"@{VISITOR_DOMAIN}").count(),
        "conversations": Conversation.objects.filter(logged_by__in=volunteer_ids).count(),
        "emails": OutboxMessage.objects.filter(to_email__endswith=f"@{VISITOR_DOMAIN}").count(),
    }


# Serving and the crowd -------------------------------------------------------------------


def free_port():
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise SystemExit(f"No free port between {PORTS[0]} and {PORTS[-1]}.")


def _reachable(url):
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port or 6379), timeout=1):
            return True
    except OSError:
        return False


def hub_env(database_url, redis_url):
    """Production's settings as behind a TLS proxy on this machine: the benchmark's (DEBUG
    off, a real secret key, persistent connections) without its query counter, with the
    client address taken from the proxy's X-Forwarded-For, and the staff's second factor
    off (the crowd signs in with sessions made before the run)."""
    env = bench_env(database_url, redis_url)
    del env["HUB_BENCH"]
    return env | {
        "ALLOWED_HOSTS": "127.0.0.1",
        "HUB_VAR_DIR": str(VAR),
        "STATIC_ROOT": str(VAR / "static"),
        "CACHE_KEY_PREFIX": "loadtest",
        "TRUSTED_PROXY_COUNT": "1",
        "STAFF_MFA_REQUIRED": "0",
        # Warnings and tracebacks of the workers, for a failure's cause.
        "GUNICORN_CMD_ARGS": f"--preload --error-logfile={GUNICORN_LOG} --capture-output",
    }


def warm_up(port, workers):
    """Every page of the scenario a few times a worker, all at once, so that the crowd meets
    workers past their first requests (templates compiled, connections open), as a hub that
    has been serving for a while would."""
    scenario = json.loads(SCENARIO.read_text())
    cookie = scenario["session_cookie"]
    pages = [(path, "") for path in scenario["campaigns"]]
    pages += [(event["page"], "") for event in scenario["events"][:3]]
    pages.append((scenario["people_list"], f"{cookie}={scenario['staff_sessions'][0]}"))
    pages.append((scenario["conversation_log"], f"{cookie}={scenario['volunteer_sessions'][0]}"))

    def ask(page):
        path, cookies = page
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        connection.request("GET", path, headers={"Cookie": cookies, "X-Forwarded-Proto": "https"})
        connection.getresponse().read()
        connection.close()

    with ThreadPoolExecutor(max_workers=2 * workers) as pool:
        list(pool.map(ask, pages * 2 * workers))


def crowd(port, args):
    """locust, headless, in a process of its own; its figures land in ``STATS``."""
    locust = BASE_DIR / ".venv" / "bin" / "locust"
    command = [
        str(locust) if locust.exists() else "locust",
        "--locustfile",
        str(BASE_DIR / "loadtest" / "locustfile.py"),
        "--headless",
        "--host",
        f"http://127.0.0.1:{port}",
        "--users",
        str(args.users),
        "--spawn-rate",
        str(args.spawn_rate),
        "--run-time",
        args.time,
        # Let each user finish what it is doing, so that every request sent is counted.
        "--stop-timeout",
        "30",
        "--only-summary",
        "--loglevel",
        "WARNING",
        "--exit-code-on-error",
        "0",
    ]
    env = {**os.environ, "LOADTEST_SCENARIO": str(SCENARIO), "LOADTEST_RESULTS": str(STATS)}
    with LOCUST_LOG.open("w") as log:
        code = subprocess.run(
            command, cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, check=False
        ).returncode
    if code or not STATS.exists():
        print(LOCUST_LOG.read_text()[-4000:])
        raise SystemExit(f"locust stopped with {code}: see {LOCUST_LOG}.")


# Reading the figures ---------------------------------------------------------------------


def read_stats():
    """Locust's rows (one an endpoint, then the overall one) and its failures."""
    found = json.loads(STATS.read_text())
    return found["rows"] + [found["overall"]], found["failures"]


def server_errors():
    """The lines of gunicorn's log that tell of an error (with Django's tracebacks)."""
    if not GUNICORN_LOG.exists():
        return []
    pattern = re.compile(r"Traceback|Error|Internal Server Error|WORKER TIMEOUT|\[CRITICAL\]")
    return [line for line in GUNICORN_LOG.read_text().splitlines() if pattern.search(line)]


def judge(rows, failures, before, after):
    """What makes the run fail: any failed request, any POST whose row is not in the
    database, and a crowd that sent nothing."""
    problems = []
    total = rows[-1]
    if not total["requests"]:
        return ["locust made no request"]
    if total["failures"]:
        problems.append(f"{total['failures']} of {total['requests']} requests failed")
    by_name = {row["name"]: row for row in rows}
    for name, what in SAVED.items():
        row = by_name.get(name)
        succeeded = row["requests"] - row["failures"] if row else 0
        saved = after[what] - before[what]
        if not succeeded:
            problems.append(f"no {what} were saved")
        elif saved != succeeded:
            problems.append(
                f"{succeeded} {what} answered as saved, but {saved} are in the database"
            )
    return problems


def _ms(value):
    return "–" if value is None else f"{value}"


def report(args, made_from, rows, failures, before, after, problems, seconds, load):
    total = rows[-1]
    rate = total["failures"] / total["requests"] * 100 if total["requests"] else 0
    lines = [
        "# Load test results",
        "",
        f"Written by `make loadtest` (`loadtest/run.py`) on {time.strftime('%Y-%m-%d %H:%M')}: "
        f"{args.users} users (started at {args.spawn_rate:g} a second) for {args.time}, "
        "each waiting 1–3 s between steps as a person would, against gunicorn "
        f"({args.workers} sync workers) on PostgreSQL with Redis, on loopback; the data: "
        f"{made_from}. Latencies are in ms as locust measured them (on the same machine as "
        f"the hub, so its own work shows in them; the machine's load average was "
        f"{load[0]:.1f} at the start and {load[1]:.1f} at the end on {os.cpu_count()} cores). "
        f"The run took {seconds:.0f} s in all.",
        "",
        f"**{total['requests']:,} requests, {total['failures']} failures "
        f"(error rate {rate:.2f} %), p50 {_ms(total['p50'])} ms, p95 {_ms(total['p95'])} ms, "
        f"{total['rps']:.1f} requests a second.**",
        "",
        "| endpoint | method | requests | failures | p50 ms | p95 ms | max ms |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        name = "**overall**" if row is total else row["name"]
        lines.append(
            f"| {name} | {row['method'] or '–'} | {row['requests']:,} | {row['failures']} "
            f"| {_ms(row['p50'])} | {_ms(row['p95'])} | {_ms(row['max'])} |"
        )
    lines += [
        "",
        "Saved, counted in the database after the run (the POSTs answered as saved):",
        "",
    ]
    lines += [f"- {what}: {after[what] - before[what]:,}" for what in SAVED.values()]
    waiting = after["emails"] - before["emails"]
    lines.append(f"- emails to the visitors, waiting in the outbox (no worker ran): {waiting:,}")
    if failures:
        lines += [
            "",
            "## Failures",
            "",
            "| endpoint | method | error | times |",
            "|---|---|---|---:|",
        ]
        lines += [
            f"| {f['name']} | {f['method']} | {f['error'].replace('|', '/')} | {f['count']} |"
            for f in failures
        ]
    lines += ["", "Verdict: " + ("FAILED: " + "; ".join(problems) if problems else "passed.")]
    return "\n".join(lines) + "\n"


def forget_in_redis(url):
    """The run's rate-limit counters and the emails queued for a worker that never ran."""
    import redis

    redis.Redis.from_url(url).flushdb()


def main(argv=None):
    args = parse_args(argv)
    started = time.monotonic()
    VAR.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(BASE_DIR))
    database_url = f"{SERVER}/{DATABASE}"
    redis_url = REDIS if _reachable(REDIS) else ""
    if not redis_url:
        print(f"Redis does not answer at {REDIS}: the hub runs on its embedded broker and cache.")
    env = hub_env(database_url, redis_url)
    os.environ.update(env)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    made_from = fresh_database(args.source)
    call_command("migrate", interactive=False, verbosity=0)
    made_from = made_from or seed_small(args.source)
    print(f"The load test's database ({DATABASE}) holds {made_from}.")
    call_command("collectstatic", interactive=False, verbosity=0)
    volunteer_ids = prepare(args.users)
    before = saved_counts(volunteer_ids)
    connections.close_all()

    GUNICORN_LOG.unlink(missing_ok=True)
    STATS.unlink(missing_ok=True)
    port = free_port()
    server = serve(env, port, args.workers)
    warm_up(port, args.workers)
    load = [os.getloadavg()[0]]
    print(
        f"gunicorn serves the hub on http://127.0.0.1:{port} with {args.workers} workers; "
        f"{args.users} users for {args.time}…",
        flush=True,
    )
    try:
        crowd(port, args)
        load.append(os.getloadavg()[0])
    finally:
        stop(server)
        if redis_url:
            forget_in_redis(redis_url)

    rows, failures = read_stats()
    after = saved_counts(volunteer_ids)
    problems = judge(rows, failures, before, after)
    if errors := server_errors():
        problems.append(f"gunicorn's log tells of errors ({len(errors)} lines in {GUNICORN_LOG})")
    text = report(
        args,
        made_from,
        rows,
        failures,
        before,
        after,
        problems,
        time.monotonic() - started,
        load,
    )
    RESULTS_MD.write_text(text)
    print()
    print(text)
    for line in errors[:40]:
        print(line)
    print(f"Written: {RESULTS_MD.relative_to(BASE_DIR)}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
