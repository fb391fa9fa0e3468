"""``make bench`` (``python -m bench.run --scale hub|large``): how fast the hub's main pages
are with years of data in it, against a baseline page, and how many SQL queries each costs.

It creates and migrates a PostgreSQL database of its own (``hub_bench``, or
``hub_bench_large``), fills it with ``manage.py seed_bench`` unless it already holds that
scale's data, serves the hub with gunicorn (DEBUG off, the bench middleware counting
queries), signs in as the bench logins, and asks each page a fixed number of times, one
request at a time. It prints and writes ``bench/results.md`` and ``bench/results.json``,
and exits 1 when a page breaks its budget (issue #9):

* p95 at most ``RATIO`` times the baseline's p95, and under ``CEILING_MS``;
* at most ``MAX_QUERIES`` queries, and the same number at hub and large scale once both
  have been measured.

The pages are the core's (below) and each installed app's: an app's ``bench`` module
(``listening/bench.py``…) holds its ``generate`` for the data and ``pages(rng)`` for what to
measure, so an app that lands later joins by adding its own.
"""

import argparse
import http.client
import importlib
import json
import os
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
RESULTS_MD = BASE_DIR / "bench" / "results.md"
RESULTS_JSON = BASE_DIR / "bench" / "results.json"
VAR = BASE_DIR / "var" / "bench"

RATIO = 3
CEILING_MS = 150
MAX_QUERIES = 12
SERVER = "postgres://postgres@127.0.0.1:5432"
DATABASES = {"hub": "hub_bench", "large": "hub_bench_large"}
REDIS = "redis://127.0.0.1:6379/15"  # a database of Redis's own for the benchmark
QUERIES_HEADER = "X-Bench-Queries"  # bench.middleware.QUERIES_HEADER, without Django
# A query the served hub runs longer than this is cancelled (its page answers 500), so that
# one pathological page cannot hold a worker and the database for minutes.
STATEMENT_TIMEOUT_MS = 20_000
REQUEST_TIMEOUT = 40  # seconds the client waits for an answer


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=sorted(DATABASES), default="hub")
    parser.add_argument("--requests", type=int, default=60, help="measured requests a page")
    parser.add_argument("--warmup", type=int, default=5, help="requests a page before those")
    parser.add_argument(
        "--page-seconds",
        type=float,
        default=45,
        help="stop measuring a page after this long (the run stays bounded)",
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--reseed", action="store_true", help="seed again even if seeded")
    parser.add_argument("--seed-only", action="store_true", help="create and fill, no run")
    parser.add_argument(
        "--report", action="store_true", help="judge results.json again and rewrite results.md"
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", ""),
        help=f"default {SERVER}/hub_bench (or hub_bench_large)",
    )
    return parser.parse_args(argv)


# Setting up -----------------------------------------------------------------------------


def _redis_url():
    """Redis, as the hub runs in production, when it answers; else the embedded default."""
    url = os.environ.get("BENCH_REDIS_URL", REDIS)
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port or 6379), timeout=1):
            return url
    except OSError:
        return ""


def bench_env(database_url, redis_url):
    """The environment the hub runs with in the benchmark: production-like (DEBUG off,
    Redis, persistent database connections) with bench-only keys and the query counter."""
    VAR.mkdir(parents=True, exist_ok=True)
    env = {
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-" + "0123456789abcdef" * 4,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "HUB_BENCH": "1",
        "HUB_VAR_DIR": str(VAR),
        "STATIC_ROOT": str(VAR / "static"),
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "hubsite.settings",
        "REDIS_URL": redis_url,
        "CACHE_KEY_PREFIX": f"bench-{os.getpid()}",
    }
    return env


def ensure_database(database_url):
    import psycopg

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        found = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not found:
            connection.execute(f'CREATE DATABASE "{name}"')
            print(f"Created the database {name}.")


def seed(scale, reseed):
    """Migrate, and seed unless the database already holds this scale's data from the same
    generators. Returns ``(seconds seeding took now, seconds it took when seeded)``."""
    from django.core.management import call_command

    from hubsite.people.management.commands.seed_bench import SCALES, holds_bench_data
    from hubsite.people.models import Person
    from hubsite.people.registry import bench_data_providers

    call_command("migrate", interactive=False, verbosity=0)
    marker = VAR / f"{DATABASES[scale]}.json"
    wanted = {"scale": scale, "providers": sorted(bench_data_providers())}
    found = json.loads(marker.read_text()) if marker.exists() else {}
    seeded = {key: found.get(key) for key in wanted} == wanted
    enough = seeded and holds_bench_data() and Person.objects.count() >= SCALES[scale]["people"]
    if enough and not reseed:
        print(f"The {scale}-scale data is already there: not seeding again.")
        return 0.0, found.get("seconds")
    started = time.monotonic()
    marker.unlink(missing_ok=True)
    call_command("seed_bench", scale=scale, fresh=Person.objects.exists())
    seconds = round(time.monotonic() - started, 1)
    marker.write_text(json.dumps(wanted | {"seconds": seconds}))
    return seconds, seconds


def _sample(queryset, rng, k):
    ids = list(queryset.values_list("pk", flat=True).order_by("pk"))
    return rng.sample(ids, min(k, len(ids)))


def core_pages(rng):
    from django.urls import reverse

    from hubsite.people.models import Group, Person

    people = _sample(Person.objects.all(), rng, 20)
    groups = Group.objects.filter(pk__in=_sample(Group.objects.all(), rng, 10))
    # Searched as staff look someone up: by a surname the hub holds.
    surnames = sorted(set(Person.objects.filter(pk__in=people).values_list("last_name", flat=True)))
    person_list = reverse("people:person_list")
    return [
        {"name": "baseline", "as": "public", "paths": [reverse("bench_baseline")]},
        # For reading the others: what the session, the user and the staff's second-factor
        # check cost before a page does anything (not judged).
        {
            "name": "baseline (signed in)",
            "as": "staff",
            "paths": [reverse("bench_baseline")],
            "reference": True,
        },
        {"name": "landing (public)", "as": "public", "paths": [reverse("home")]},
        {"name": "hub dashboard", "as": "staff", "paths": [reverse("home")]},
        {"name": "hub dashboard (volunteer)", "as": "volunteer", "paths": [reverse("home")]},
        {"name": "people: list", "as": "staff", "paths": [person_list]},
        {
            "name": "people: search",
            "as": "staff",
            "paths": [f"{person_list}?{urlencode({'q': name})}" for name in surnames if name],
        },
        {
            "name": "people: person",
            "as": "staff",
            "paths": [reverse("people:person_detail", args=[pk]) for pk in people],
        },
        {"name": "people: groups", "as": "staff", "paths": [reverse("people:group_list")]},
        {
            "name": "people: group",
            "as": "staff",
            "paths": [reverse("people:group_detail", args=[g.slug]) for g in groups],
        },
    ]


def app_pages(rng):
    """Each installed app's ``bench.pages(rng)``, lower layers first."""
    from django.apps import apps

    found = []
    for config in apps.get_app_configs():
        name = f"{config.name}.bench"
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as error:
            if error.name != name:
                raise
            continue
        if hasattr(module, "pages"):
            found += module.pages(rng)
    return found


def sessions():
    """A signed-in session for each bench login, made as the sign-in would make it."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from hubsite.people.management.commands.seed_bench import BENCH_ACCOUNTS
    from hubsite.people.models import User

    made = {}
    for role, account in BENCH_ACCOUNTS.items():
        user = User.objects.get(email=account.email)
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        made[str(role)] = store
    return made


# Serving and measuring ------------------------------------------------------------------


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(env, port, workers):
    """gunicorn in a process group of its own (so that stopping it stops its workers), its
    database queries limited to ``STATEMENT_TIMEOUT_MS``."""
    command = [
        str(BASE_DIR / ".venv" / "bin" / "gunicorn"),
        "hubsite.wsgi",
        f"--bind=127.0.0.1:{port}",
        f"--workers={workers}",
        f"--timeout={REQUEST_TIMEOUT + 20}",
        "--log-level=warning",
    ]
    if not Path(command[0]).exists():
        command[0] = "gunicorn"
    limit = f"options=-c%20statement_timeout%3D{STATEMENT_TIMEOUT_MS}"
    url = env["DATABASE_URL"] + ("&" if "?" in env["DATABASE_URL"] else "?") + limit
    server = subprocess.Popen(
        command,
        cwd=BASE_DIR,
        env={**os.environ, **env, "DATABASE_URL": url},
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            pass
        if server.poll() is not None:
            raise SystemExit("gunicorn stopped before it answered.")
        time.sleep(0.2)
    stop(server)
    raise SystemExit("gunicorn did not answer /healthz within 30 s.")


def stop(server):
    """Quick shutdown of gunicorn and its workers (SIGINT), killed if they linger."""
    try:
        os.killpg(server.pid, signal.SIGINT)
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()
    except ProcessLookupError:
        pass


class Asker:
    """Asks one page, one request at a time, as one person (a bench login's session cookie,
    or nobody). Public POSTs come from a new loopback address each, as different visitors
    would, so the per-address rate limit of the RSVP form counts each once."""

    def __init__(self, port, session_key=""):
        self.port, self.session_key = port, session_key
        self.csrf = secrets.token_hex(16)  # 32 characters: an unmasked CSRF secret
        self.posts = 0

    def ask(self, page, path, n):
        method = page.get("method", "GET")
        cookies = [f"csrftoken={self.csrf}"]
        if self.session_key:
            cookies.append(f"sessionid={self.session_key}")
        headers = {"Cookie": "; ".join(cookies)}
        body = None
        source = None
        if method == "POST":
            form = {**page["form"](n), "csrfmiddlewaretoken": self.csrf}
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            self.posts += 1
            high, low = divmod(self.posts % 60000 + 256, 256)
            source = (f"127.0.{high}.{low}", 0)
        connection = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=REQUEST_TIMEOUT, source_address=source
        )
        started = time.perf_counter()
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        elapsed = (time.perf_counter() - started) * 1000
        connection.close()
        return elapsed, response.status, response.getheader(QUERIES_HEADER)


def percentile(values, p):
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    return statistics.quantiles(ordered, n=100, method="inclusive")[p - 1]


def measure(page, asker, args):
    """Warm-up requests, then up to ``args.requests`` measured ones within
    ``args.page_seconds``; a page that does not answer, or answers wrongly, stops there."""
    paths, expect = page["paths"], page.get("expect", 200)
    result = {
        "name": page["name"],
        "reference": bool(page.get("reference")),
        "as": page["as"],
        "method": page.get("method", "GET"),
    }
    if not paths:
        return result | {"error": "no object to show"}
    deadline = time.monotonic() + args.page_seconds
    times, queries, wrong = [], [], []
    n = -args.warmup
    while n < args.requests:
        path = paths[n % len(paths)]
        try:
            elapsed, status, count = asker.ask(page, path, n)
        except OSError as error:  # a time-out included
            wrong.append(f"no answer for {path} ({error or 'timed out'})")
            break
        if status != expect:
            wrong.append(f"{status} for {path}")
            break
        if n >= 0:
            times.append(elapsed)
            if count is not None:
                queries.append(int(count))
        if time.monotonic() > deadline:
            if n >= 0:
                break
            n = 0  # skip the rest of the warm-up: measure at least once
            continue
        n += 1
    if times:
        result |= {
            "requests": len(times),
            "p50": round(statistics.median(times), 1),
            "p95": round(percentile(times, 95), 1),
            "queries": max(queries) if queries else None,
            "queries_min": min(queries) if queries else None,
        }
    if wrong:
        result["error"] = f"stopped: {wrong[0]}"
    return result


# Judging and reporting ------------------------------------------------------------------


def judge(rows, other):
    """Each row's misses against the budgets; ``other`` is the other scale's rows by name.
    A page that could not be measured (no baseline either) misses; reference rows never do."""
    baseline = next((row for row in rows if row["name"] == "baseline"), {})
    base = baseline.get("p95")
    for row in rows:
        misses = []
        if row.get("error") or row.get("p95") is None:
            misses.append(row.get("error", "not measured"))
        elif row is baseline:
            if row["queries"]:
                misses.append("the baseline made queries")
        else:
            row["ratio"] = round(row["p95"] / base, 1) if base else None
            if base is None or row["p95"] > RATIO * base:
                misses.append(f"p95 over {RATIO}× baseline ({RATIO * (base or 0):.1f} ms)")
            if row["p95"] >= CEILING_MS:
                misses.append(f"p95 not under {CEILING_MS} ms")
            if row["queries"] is not None and row["queries"] > MAX_QUERIES:
                misses.append(f"{row['queries']} queries (budget {MAX_QUERIES})")
            twin = other.get(row["name"])
            if twin and twin.get("queries") is not None and twin["queries"] != row["queries"]:
                misses.append(f"queries differ between scales ({twin['queries']})")
        row["misses"] = [] if row.get("reference") else misses


def _cell(value, unit=""):
    return "–" if value is None else f"{value}{unit}"


def table(rows):
    lines = [
        "| page | as | p50 ms | p95 ms | queries | p95 / baseline p95 | budget |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        queries = _cell(row.get("queries"))
        if row.get("queries_min") is not None and row["queries_min"] != row.get("queries"):
            queries = f"{row['queries_min']}–{row['queries']}"
        verdict = "ok" if not row.get("misses") else "MISS: " + "; ".join(row["misses"])
        verdict = "reference" if row.get("reference") else verdict
        lines.append(
            f"| {row['name']} | {row['as']} | {_cell(row.get('p50'))} | {_cell(row.get('p95'))} "
            f"| {queries} | {_cell(row.get('ratio'), '×')} | {verdict} |"
        )
    return "\n".join(lines)


def growth(hub, large):
    lines = [
        "| page | hub p95 ms | large p95 ms | growth | hub queries | large queries |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    by_name = {row["name"]: row for row in large}
    for row in hub:
        twin = by_name.get(row["name"])
        if not twin:
            continue
        if row.get("p95") and twin.get("p95") is not None:
            ratio = f"{twin['p95'] / row['p95']:.2f}×"
        else:  # one of them could not be measured: say why
            ratio = (twin.get("error") or row.get("error") or "–").replace("|", "/")
        lines.append(
            f"| {row['name']} | {_cell(row.get('p95'))} | {_cell(twin.get('p95'))} | {ratio} "
            f"| {_cell(row.get('queries'))} | {_cell(twin.get('queries'))} |"
        )
    return "\n".join(lines)


def report(runs):
    parts = [
        "# Benchmark results",
        "",
        "Written by `make bench` (`bench/run.py`); budgets from issue #9: p95 at most "
        f"{RATIO}× the baseline's p95 and under {CEILING_MS} ms, at most {MAX_QUERIES} "
        "queries, the same at hub and large scale. Latencies are of one request at a time to "
        "gunicorn on this machine, so other work on the machine shows as noise; queries are "
        "counted inside the app and are exact.",
    ]
    for scale in ("hub", "large"):
        run = runs.get(scale)
        if not run:
            continue
        parts += [
            "",
            f"## {scale.title()} scale",
            "",
            f"{run['when']}: {run['requests']} requests a page after {run['warmup']} warm-up, "
            f"{run['workers']} gunicorn workers; the run took {run['run_seconds']:.0f} s, "
            + (
                f"seeding included ({run['seed_seconds']:.0f} s)."
                if run.get("seed_seconds")
                else f"on data seeded earlier (in {run.get('seeded_in_seconds') or '?'} s)."
            ),
            "",
            table(run["pages"]),
        ]
    if runs.get("hub") and runs.get("large"):
        parts += [
            "",
            "## Growth from hub to large scale",
            "",
            growth(runs["hub"]["pages"], runs["large"]["pages"]),
        ]
    return "\n".join(parts) + "\n"


def _saved_runs():
    return json.loads(RESULTS_JSON.read_text()).get("runs", {}) if RESULTS_JSON.exists() else {}


def write_results(runs):
    """Judge each scale's pages (the queries against the other scale's, so that the two
    tables agree) and write both files."""
    for scale, run in runs.items():
        other = runs.get("large" if scale == "hub" else "hub", {})
        judge(run["pages"], {row["name"]: row for row in other.get("pages", [])})
    RESULTS_JSON.write_text(json.dumps({"runs": runs}, indent=2, ensure_ascii=False) + "\n")
    RESULTS_MD.write_text(report(runs))


def main(argv=None):
    args = parse_args(argv)
    if args.report:
        write_results(_saved_runs())
        print(RESULTS_MD.read_text())
        return 0
    started = time.monotonic()
    database_url = args.database_url or f"{SERVER}/{DATABASES[args.scale]}"
    env = bench_env(database_url, _redis_url())
    os.environ.update(env)
    sys.path.insert(0, str(BASE_DIR))
    ensure_database(database_url)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    seed_seconds, seeded_in = seed(args.scale, args.reseed)
    if args.seed_only:
        return 0
    call_command("collectstatic", interactive=False, verbosity=0)
    rng = random.Random(f"bench:{args.scale}")
    pages = core_pages(rng) + app_pages(rng)
    signed_in = sessions()
    connections.close_all()

    port = free_port()
    server = serve(env, port, args.workers)
    rows = []
    try:
        for page in pages:
            key = "" if page["as"] == "public" else signed_in[page["as"]].session_key
            row = measure(page, Asker(port, key), args)
            rows.append(row)
            print(
                f"{row['name']:<40} p50 {row.get('p50', '–'):>7} ms  p95 {row.get('p95', '–'):>7}"
                f" ms  queries {row.get('queries', '–')}"
                + (f"  ({row['error']})" if row.get("error") else ""),
                flush=True,
            )
    finally:
        stop(server)
        for page in pages:
            if "cleanup" in page:
                page["cleanup"]()
        _forget_sessions()
        if env["REDIS_URL"]:
            _forget_in_redis(env["REDIS_URL"], env["CACHE_KEY_PREFIX"])

    runs = _saved_runs()
    runs[args.scale] = {
        "when": time.strftime("%Y-%m-%d %H:%M"),
        "requests": args.requests,
        "warmup": args.warmup,
        "workers": args.workers,
        "seed_seconds": round(seed_seconds, 1),
        "seeded_in_seconds": seeded_in,
        "run_seconds": round(time.monotonic() - started, 1),
        "budgets": {"ratio": RATIO, "ceiling_ms": CEILING_MS, "max_queries": MAX_QUERIES},
        "pages": rows,
    }
    write_results(runs)
    print()
    print(table(rows))
    missed = [row["name"] for row in rows if row["misses"]]
    print(f"\n{len(rows) - len(missed)} pages within budget, {len(missed)} missed.")
    print(f"Written: {RESULTS_MD.relative_to(BASE_DIR)}, {RESULTS_JSON.relative_to(BASE_DIR)}")
    return 1 if missed else 0


def _forget_sessions():
    """The bench logins' sessions and the visitors' (their RSVPs' messages): the database is
    the benchmark's own (seed_bench fills no other), so every session in it is one of ours."""
    from django.contrib.sessions.models import Session

    Session.objects.all().delete()


def _forget_in_redis(url, prefix):
    """This run's cache keys (rate limits), and the RSVPs' emails queued for a Celery worker
    that the benchmark never runs."""
    import redis

    client = redis.Redis.from_url(url)
    client.delete("celery")
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


if __name__ == "__main__":
    sys.exit(main())
