"""Generated input at every form of the hub and every public page: whatever a person sends
(very long, unicode, empty, NUL bytes, numbers out of any range, impossible dates, injection
strings, ids that do not exist), the answer is a page or a redirect, never a 500.

The forms are found the way a person finds them: by opening every page each role may open
(an anonymous visitor, a member, a volunteer, an organiser, staff), and the pages that show a
form only in some state (a started event, a pending invitation), and reading each <form> on
them, with the values the page filled in. File inputs get files: random bytes, an empty
file, a tiny real PNG, a text file named .jpg. Every route that takes a POST is sent one,
but for the few listed in EXEMPT."""

import base64

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.robustness import (
    POST_ROUTES,
    ROLES,
    Form,
    discover_forms,
    failure,
    is_public,
    route_name,
    seed_world,
)
from tests.robustness import pages as public_pages

# Routes that take a POST which no walk sends one to, and why.
EXEMPT = {
    "account_logout": "ends the session the walk runs in; its POST takes no input",
    "account_confirm_email": "allauth's, behind a key only an email carries",
    "account_confirm_login_code": "allauth's sign-in by code, which the hub does not offer",
    "account_reset_password_from_key": "allauth's, behind a key only an email carries",
    "account_set_password": "allauth's, for an account without a password: none signs in",
    "mfa_activate_totp": "allauth's, behind reauthentication within the last minutes",
    "mfa_deactivate_totp": "allauth's, needs a device set up and reauthentication",
    "mfa_generate_recovery_codes": "allauth's, needs a device set up and reauthentication",
    "mfa_authenticate": "allauth's, only in the middle of a sign-in with a device",
    "mfa_reauthenticate": "allauth's, only for an account with a device",
}

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
# A 1×1 PNG, as a phone would never send it but a browser might.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
FILES = [
    ("noise.jpg", bytes((n * 37 + 11) % 256 for n in range(2048)), "image/jpeg"),
    ("empty.jpg", b"", "image/jpeg"),
    ("tiny.png", PNG, "image/png"),
    ("notes.jpg", b"Not a picture at all.\n" * 20, "image/jpeg"),
]
QUERY_NAMES = ["page", "q", "month", "status", "next", "person", "group", "campaign", "show"]


def as_list(value):
    return value if isinstance(value, list) else [value]


def upload(turn, content=None):
    name, body, kind = FILES[turn % len(FILES)]
    return SimpleUploadedFile(name, body if content is None else content, kind)


def post_all(client, forms, values_for):
    """POST every form with the values ``values_for(form)`` gives (its files by turn, unless
    they are given): the failures."""
    failures = []
    for turn, form in enumerate(forms):
        values = values_for(form)
        for name in form.files:
            values.setdefault(name, upload(turn))
        response = client.post(form.action, values)
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
    """The world, and the forms each role finds on its pages. A public form (signing a
    campaign, telling a story) is sent as an anonymous visitor and as staff, not again as
    each role in between: the role gate is not in its way."""
    settings.STAFF_MFA_REQUIRED = False
    world = seed_world()
    clients = {role: world.client(role) for role in ("anonymous", *ROLES)}
    forms = {role: discover_forms(world, role, client) for role, client in clients.items()}
    for role in ("member", "volunteer", "organiser"):
        forms[role] = [f for f in forms[role] if not is_public(route_name(f.action))]
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
    ?page= and friends), or with ``every_page`` every page staff open."""
    pages = [f for f in forms if f.method == "get"]
    if role == "anonymous" or every_page and role == "staff":
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


def every_kind_of_file(world, clients, forms):
    """Each form with a file input (the story's photo), sent each kind of file in turn with
    the values its page filled in: the failures."""
    with_files = [(role, f) for role in forms for f in forms[role] if f.files]
    assert {route_name(f.action) for _, f in with_files} >= {"action:story_teller_edit"}
    failures = []
    for role, form in with_files:
        for turn in range(len(FILES)):
            values = {**form.fields, **{name: upload(turn) for name in form.files}}
            response = clients[role].post(form.action, values)
            if response.status_code >= 500:
                failures.append(failure(form.page, form.action, "POST", response))
    return failures


def generated_walk(world, clients, forms, data):
    """One walk with values drawn by Hypothesis: the failures."""
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

    def post_values_and_files(form):
        drawn = post_values(form)
        for name in form.files:
            turn = data.draw(st.integers(0, len(FILES)), label=name)
            content = data.draw(st.binary(max_size=512), label=name) if turn == len(FILES) else None
            drawn[name] = upload(turn, content)
        return drawn

    def query_values(form):
        names = [*form.fields, *QUERY_NAMES]
        return {name: data.draw(st.sampled_from(choices[1:]), label=name) for name in names}

    return walk(world, clients, forms, post_values_and_files, query_values)


def test_every_form_survives_nul_bytes_overflowing_values_and_generated_input(found):
    """One world for all the walks (seeding it and finding its forms is the slow part):
    first each file, then NUL bytes, then values that overflow, then generated ones."""
    world, clients, forms = found
    fuzzed = {route_name(f.action) for role in forms for f in forms[role] if f.method == "post"}
    assert set(EXEMPT) <= POST_ROUTES
    assert fuzzed == POST_ROUTES - set(EXEMPT), (
        f"never sent a POST: {sorted(POST_ROUTES - set(EXEMPT) - fuzzed)}; "
        f"exempt but sent one: {sorted(fuzzed & set(EXEMPT))}"
    )
    failures = every_kind_of_file(world, clients, forms)  # first, while the story is as seeded
    failures += walk(
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
            HealthCheck.too_slow,
            HealthCheck.large_base_example,
            HealthCheck.data_too_large,
        ],
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],  # shrinking would replay the whole walk
    )
    @given(data=st.data())
    def generated_input(data):
        failures = generated_walk(world, clients, forms, data)
        assert not failures, "\n".join(failures)

    generated_input()


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


@pytest.mark.parametrize("target", ["99999999999999999999999999", "0000-00-00", "home"])
def test_giving_a_shift_back_ignores_a_next_that_is_not_a_path(world, target):
    """``next`` went to ``redirect``, which took a bare word for the name of a view."""
    shift = world.objects["shift"]
    response = world.client("member").post(
        f"/connect/volunteering/shifts/{shift.pk}/cancel/", {"next": target}
    )
    assert response.status_code == 302
    assert response["Location"] == shift.opportunity.get_absolute_url()
