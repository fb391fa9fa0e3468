"""Generated input at every form of the hub and every public page: whatever a person sends
(very long, unicode, empty, NUL bytes, numbers out of any range, impossible dates, injection
strings, ids that do not exist), the answer is a page or a redirect, never a 500.

The forms are found the way a person finds them: by opening every page a role may open
(staff for the hub's screens, an anonymous visitor for the public ones) and reading each
<form> on it, with the values the page filled in."""

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.robustness import Form, discover_forms, failure, seed_world
from tests.robustness import pages as public_pages

NASTY = [
    "",
    "   ",
    "\x00",
    "a\x00b",
    "x" * 10_000,
    "-1",
    "0",
    "1e309",
    "NaN",
    "99999999999999999999999999",
    "-99999999999999999999999999",
    "2026-02-30",
    "0000-00-00",
    "9999-12-31T25:61",
    "'; DROP TABLE people_person; --",
    "' OR '1'='1",
    '<script>alert("x")</script>',
    "{{ request }}{% debug %}",
    "../../etc/passwd",
    "%00%ff",
    "\u202egnp.exe",
    "😀" * 40,
    "Ünïcödé ñame ẞ 漢字 العربية",
    "[]",
    '{"a": 1}',
    "http://example.test/\r\nSet-Cookie: x=1",
]
OVERFLOW = NASTY.index("99999999999999999999999999")
JUNK_IDS = ["99999999999999999999", "abc", "-1", "", "\x00", "1.5"]
QUERY_NAMES = ["page", "q", "month", "status", "next", "person", "group", "campaign", "show"]


def as_list(value):
    return value if isinstance(value, list) else [value]


def post_all(client, forms, values_for):
    """POST every form with the values ``values_for(form)`` gives: the failures."""
    failures = []
    for form in forms:
        response = client.post(form.action, values_for(form))
        if response.status_code >= 500:
            failures.append(failure(form.page, form.action, "POST", response))
    return failures


def get_all(client, forms, values_for):
    failures = []
    for form in forms:
        response = client.get(form.action, values_for(form))
        if response.status_code >= 500:
            failures.append(failure(form.page, form.action, "GET", response))
    return failures


@pytest.fixture
def found(db, settings):
    """The world, and the forms staff and an anonymous visitor find on their pages."""
    settings.STAFF_MFA_REQUIRED = False
    world = seed_world()
    clients = {role: world.client(role) for role in ("anonymous", "staff")}
    forms = {role: discover_forms(world, role, client) for role, client in clients.items()}
    return world, clients, forms


def with_nul(form):
    """Each field's own value with a NUL byte in it."""
    return {name: [f"{v}\x00" for v in value] or ["\x00"] for name, value in form.fields.items()}


def by_turn(names, start):
    """One of the values that break parsers for each name, by turn."""
    return {name: NASTY[(start + position) % len(NASTY)] for position, name in enumerate(names)}


def breaking(form):
    values = by_turn(form.fields, OVERFLOW)
    return {
        name: [NASTY[OVERFLOW]] if len(value) != 1 else [values[name]]
        for name, value in form.fields.items()
    }


def query_pages(world, role, forms, every_page):
    """What takes a query string: every filter form, and every public page (lists read
    ?page= and friends), or with ``every_page`` every page the role opens."""
    pages = [f for f in forms if f.method == "get"]
    if role == "anonymous" or every_page:
        pages += [Form(path, path, "get", {}) for _, path in public_pages(world, role)]
    return pages


def walk(world, clients, forms, post_values, query_values, every_page=False):
    """POST every form and GET every page with a query string, as each role: the
    failures."""
    failures = []
    for role, client in clients.items():
        if role != "anonymous":
            client.force_login(world.users[role])  # a junk password change signs out
        posts = [f for f in forms[role] if f.method == "post"]
        failures += post_all(client, posts, post_values)
        pages = query_pages(world, role, forms[role], every_page)
        failures += get_all(client, pages, query_values)
    return failures


def test_every_form_survives_nul_bytes_and_overflowing_values(found):
    world, clients, forms = found
    posts = [f for f in forms["staff"] + forms["anonymous"] if f.method == "post"]
    assert len(posts) >= 100  # guard: a broken walk would prove nothing
    failures = walk(
        world,
        clients,
        forms,
        with_nul,
        lambda form: dict.fromkeys([*form.fields, *QUERY_NAMES], "a\x00b"),
        every_page=True,
    )
    failures += walk(
        world, clients, forms, breaking, lambda form: by_turn([*form.fields, *QUERY_NAMES], 0)
    )
    assert not failures, "\n".join(failures)


@settings(
    max_examples=3,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.large_base_example,
        HealthCheck.data_too_large,
    ],
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],  # shrinking would replay the whole walk
)
@given(data=st.data())
def test_every_form_and_page_survives_generated_input(found, data):
    world, clients, forms = found

    # Text generated for this example, then one small draw per field: keep the page's
    # value, or one of the nasty values or the generated ones.
    generated = data.draw(st.lists(st.text(max_size=30), min_size=4, max_size=4), label="text")
    choices = [None, *NASTY, *generated]

    def post_values(form):
        drawn = {}
        for name, value in form.fields.items():
            choice = data.draw(st.sampled_from(choices), label=name)
            if choice is None:
                drawn[name] = value
            elif len(value) != 1:
                drawn[name] = [*value, choice, JUNK_IDS[len(drawn) % len(JUNK_IDS)]]
            else:
                drawn[name] = [choice]
        return drawn

    def query_values(form):
        names = [*form.fields, *QUERY_NAMES]
        return {name: data.draw(st.sampled_from(choices[1:]), label=name) for name in names}

    failures = walk(world, clients, forms, post_values, query_values)
    assert not failures, "\n".join(failures)


# The 500s this walk found, each kept as its own case ---------------------------------------


@pytest.fixture
def world(db, settings):
    settings.STAFF_MFA_REQUIRED = False
    return seed_world()


@pytest.mark.parametrize(
    "path",
    [
        "/connect/events/{event}/check-in/?q=a%00b",
        "/action/stories/?campaign=a%00b",
        "/action/stories/new/?campaign=a%00b",
        "/action/activities/{activity}/?q=a%00b",
        "/organise/members/new/?q=a%00b",
    ],
)
def test_a_nul_byte_in_a_search_finds_nothing_instead_of_failing(world, path):
    objects = {"event": world.objects["event"].pk, "activity": world.objects["activity"].pk}
    response = world.client("staff").get(path.format(**objects))
    assert response.status_code == 200


def test_a_listening_round_refuses_ids_out_of_any_databases_range(world):
    listening_round = world.objects["round"]
    response = world.client("staff").post(
        f"/listening/rounds/{listening_round.pk}/edit/",
        {
            "name": "Renamed",
            "starts_on": "2026-01-01",
            "target": "10",
            "localities": ["99999999999999999999999999"],
            "organisers": ["99999999999999999999999999"],
        },
    )
    assert response.status_code in (200, 400)
    assert "localities" in response.context["form"].errors
    listening_round.refresh_from_db()
    assert listening_round.name != "Renamed"


def test_checking_someone_in_locks_only_their_answer(world):
    """PostgreSQL refuses to lock the nullable side of an outer join (an answer's person,
    kept empty once they are erased), so checking in locks the answer alone."""
    event = world.objects["event"]
    rsvp = event.rsvps.get()
    response = world.client("staff").post(
        f"/connect/events/{event.pk}/check-in/{rsvp.pk}/", {"attended": "1"}
    )
    assert response.status_code == 302
    rsvp.refresh_from_db()
    assert rsvp.attendance == "attended"
