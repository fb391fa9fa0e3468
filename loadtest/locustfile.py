"""The crowd of ``make loadtest``: visitors who read a campaign and sign it, visitors who
answer an event, staff reading the people list and volunteers logging the conversations they
had on doorsteps. ``loadtest/run.py`` prepares the hub and writes the scenario read here
(``LOADTEST_SCENARIO``): the campaigns, the events, and signed-in sessions.

Every request comes as through the hub's TLS proxy: ``X-Forwarded-Proto: https`` and the
person's own address in ``X-Forwarded-For`` (the hub runs with ``TRUSTED_PROXY_COUNT=1``), so
that the per-address limits of the public forms count each visitor as the one they are.
Forms are read from the page as a browser would (the CSRF token, the options offered).
"""

import itertools
import json
import os
import random
import re
import uuid
from html import unescape
from html.parser import HTMLParser
from http.cookiejar import DefaultCookiePolicy
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from locust import FastHttpUser, between, events, task
from requests.cookies import create_cookie

SCENARIO = json.loads(Path(os.environ["LOADTEST_SCENARIO"]).read_text())
# Where the figures go once every user has stopped (locust's own CSV is written earlier, so
# it can miss the last requests).
RESULTS = Path(os.environ["LOADTEST_RESULTS"])
FIRST_NAMES = ("Amira", "Bev", "Chidi", "Dawn", "Ewa", "Farid", "Grace", "Hamza", "Iris", "Jamal")
LAST_NAMES = ("Ahmed", "Brown", "Clarke", "Davies", "Evans", "Green", "Hussain", "Okafor")
SEARCHES = ("smith", "patel", "ali", "ann", "jones", "khan", "@example.net", "brown")
CONCERNS = (
    "The bus to the hospital was cut and the lifts in the flats keep breaking.",
    "Nowhere for the teenagers to go in the evenings; the youth club shut.",
    "Rent went up again and the damp in the bedroom is back.",
    "Cars speed past the school; someone will get hurt.",
)
ERROR = re.compile(r'class="errorlist[^"]*"[^>]*>\s*<li>(.*?)</li>', re.S)
_sessions = itertools.count()
_environment = []


@events.init.add_listener
def _remember(environment, **kwargs):
    _environment.append(environment)


@events.quit.add_listener
def _write_results(**kwargs):
    """Each endpoint's figures, the overall ones and the failures, after the last request."""
    stats = _environment[0].runner.stats

    def row(entry, name):
        return {
            "name": name,
            "method": entry.method or "",
            "requests": entry.num_requests,
            "failures": entry.num_failures,
            "p50": entry.get_response_time_percentile(0.5) if entry.num_requests else None,
            "p95": entry.get_response_time_percentile(0.95) if entry.num_requests else None,
            "max": round(entry.max_response_time) if entry.num_requests else None,
            "rps": entry.total_rps,
        }

    rows = [row(entry, entry.name) for _, entry in sorted(stats.entries.items())]
    failures = [
        {"name": e.name, "method": e.method, "error": str(e.error), "count": e.occurrences}
        for e in stats.errors.values()
    ]
    RESULTS.write_text(
        json.dumps({"rows": rows, "overall": row(stats.total, "overall"), "failures": failures})
    )


class FormReader(HTMLParser):
    """What a page's forms offer: each field's values (an input's value, a select's or a
    radio group's options, a checkbox group's choices)."""

    def __init__(self):
        super().__init__()
        self.fields = {}
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("name"):
            self.fields.setdefault(attrs["name"], []).append(attrs.get("value") or "")
        elif tag == "select" and attrs.get("name"):
            self._select = attrs["name"]
            self.fields.setdefault(self._select, [])
        elif tag == "option" and self._select and attrs.get("value"):
            self.fields[self._select].append(attrs["value"])

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def form_fields(html):
    reader = FormReader()
    reader.feed(html)
    return reader.fields


def first_error(html):
    found = ERROR.search(html or "")
    return unescape(re.sub(r"<[^>]+>", "", found.group(1))).strip() if found else "no message"


class Person(FastHttpUser):
    """Someone using the hub from a browser, waiting 1–3 s between steps."""

    abstract = True
    wait_time = between(1, 3)

    def on_start(self):
        self.address = random_address()
        # The hub's cookies are Secure; the proxy speaks https to the browser and plain
        # http to the hub, so this client sends them over http.
        self.client.cookiejar.set_policy(DefaultCookiePolicy(secure_protocols=("http", "https")))

    def _headers(self, referer=None):
        headers = {"X-Forwarded-For": self.address, "X-Forwarded-Proto": "https"}
        if referer:  # what a browser sends with a form
            origin = "https://" + urlsplit(self.host).netloc
            headers |= {"Origin": origin, "Referer": origin + referer}
        return headers

    def get(self, path, name):
        """A page that must answer 200; returns its fields, or None when it did not."""
        with self.client.get(
            path, name=name, headers=self._headers(), allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} instead of 200")
                return None
            fields = form_fields(response.text)
            if "csrfmiddlewaretoken" not in fields:
                response.failure("no form on the page")
                return None
            return fields

    def post(self, path, name, data, referer, leads_to):
        """A form sent from ``referer``: it must answer with a redirect to a path matching
        ``leads_to`` (what a saved form does); returns that path, or None."""
        headers = self._headers(referer)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        with self.client.post(
            path,
            name=name,
            data=urlencode(data, doseq=True),
            headers=headers,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            location = response.headers.get("location") or ""
            if response.status_code != 302:
                response.failure(
                    f"{response.status_code} instead of a redirect: {first_error(response.text)}"
                )
                return None
            if not re.fullmatch(leads_to, urlsplit(location).path):
                response.failure(f"redirected to {location}")
                return None
            return urlsplit(location).path


def random_address():
    """An address of the person's own, as the proxy would pass it on."""
    return f"10.{random.randint(0, 255)}.{random.randint(0, 255)}.{random.randint(1, 254)}"


def someone(fields):
    """A new person's answers to a public form (a fresh email each time), with the page's
    CSRF token and the bots' trap left empty."""
    return {
        "csrfmiddlewaretoken": fields["csrfmiddlewaretoken"][0],
        "first_name": random.choice(FIRST_NAMES),
        "last_name": random.choice(LAST_NAMES),
        "email": f"{uuid.uuid4().hex[:20]}@{SCENARIO['visitor_domain']}",
        "website": "",
    }


class Visitor(Person):
    """A member of the public: each visit is a new person, with no cookies and an address
    of their own."""

    abstract = True

    def arrive(self):
        self.client.cookiejar.clear()
        self.address = random_address()


class CampaignVisitor(Visitor):
    weight = 4

    @task
    def read_and_sign(self):
        self.arrive()
        page = random.choice(SCENARIO["campaigns"])
        fields = self.get(page, "campaign page")
        if fields is None or random.random() < 0.5:  # half of them only read it
            return
        self.wait()  # filling the form in
        data = someone(fields) | {
            "postcode": random.choice(("", "NG7 2QL", "B12 9LP")),
            "locality": random.choice([""] + fields.get("locality", [])),
            "comment": random.choice(("", "My children walk this way every day.")),
            "invited_from": "",
        }
        if random.random() < 0.5:
            data["show_name"] = "on"
        if random.random() < 0.7:
            data["consent_contact"] = "on"
        thanks = self.post(
            page + "sign/", "campaign: sign (POST)", data, page, re.escape(page) + "thank-you/"
        )
        if thanks:
            self.client.get(thanks, name="campaign: thank-you", headers=self._headers())


class EventVisitor(Visitor):
    weight = 3

    @task
    def read_and_answer(self):
        self.arrive()
        event = random.choice(SCENARIO["events"])
        fields = self.get(event["page"], "event page")
        if fields is None or random.random() < 0.5:
            return
        self.wait()
        data = someone(fields)
        if random.random() < 0.6:
            data["consent_contact"] = "on"
        back = self.post(
            event["rsvp"], "event: RSVP (POST)", data, event["page"], re.escape(event["page"])
        )
        if back:
            self.client.get(back, name="event page (answered)", headers=self._headers())


class SignedIn(Person):
    """A hub worker signed in before the run (a session made by the sign-in itself)."""

    abstract = True
    sessions = ""

    def on_start(self):
        super().on_start()
        keys = SCENARIO[self.sessions]
        key = keys[next(_sessions) % len(keys)]
        host = urlsplit(self.host).hostname
        self.client.cookiejar.set_cookie(
            create_cookie(SCENARIO["session_cookie"], key, domain=host, path="/", secure=True)
        )


class Staff(SignedIn):
    weight = 1
    sessions = "staff_sessions"

    @task
    def people_list(self):
        query = {"page": random.randint(1, min(SCENARIO["people_pages"], 40))}
        if random.random() < 0.3:
            query = {"q": random.choice(SEARCHES)}
        path = SCENARIO["people_list"] + "?" + "&".join(f"{k}={v}" for k, v in query.items())
        self.get(path, "people list (staff)")


class Volunteer(SignedIn):
    weight = 2
    sessions = "volunteer_sessions"

    @task
    def log_conversation(self):
        form = SCENARIO["conversation_log"]
        fields = self.get(form, "conversation form")
        if fields is None:
            return
        self.wait()  # writing it up on the doorstep
        themes = fields.get("themes", [])
        data = {
            "csrfmiddlewaretoken": fields["csrfmiddlewaretoken"][0],
            "round": random.choice([""] + fields.get("round", [])),
            "who": "new",
            "first_name": random.choice(FIRST_NAMES),
            "last_name": random.choice(LAST_NAMES),
            "held_on": (fields.get("held_on") or [""])[0],
            "locality": random.choice([""] + fields.get("locality", [])),
            "place": random.choice(("Outside the shop", "Door to door, Elm Road", "")),
            "method": random.choice(fields.get("method") or ["door_knock"]),
            "concerns": random.choice(CONCERNS),
            "hopes": "A place where neighbours can meet.",
            "themes": random.sample(themes, min(len(themes), random.randint(0, 2))),
            "willingness": random.choice(fields.get("willingness") or ["1"]),
            "keep_record": "on",
        }
        if random.random() < 0.5:
            data["contact_again"] = "on"
        logged = re.escape(form.removesuffix("new/")) + r"\d+/"
        page = self.post(form, "conversation: log (POST)", data, form, logged)
        if page:
            self.client.get(page, name="conversation page", headers=self._headers())
