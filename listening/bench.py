"""Listening's part of the benchmark hub (``manage.py seed_bench``, registered in
``apps.py``) and the pages of Listening that the benchmark measures (``bench/run.py``).

Years of listening: rounds across the hub's places, ``scale["conversations"]`` conversations
(most in a round, logged by its volunteers, two in three with a named person), the themes
each raised and the follow-ups promised. The words come from the demo hub's phrases.
"""

from datetime import datetime, time, timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from hubsite.people.bench import bulk_insert, sample_ids
from hubsite.people.models import Locality, Person, Role, User

from .demo import SENSITIVE_NOTES, TALENTS, THEMES
from .models import Conversation, FollowUp, ListeningRound, Theme

CHUNK = 10_000  # conversations built and written at a time, so memory stays flat
MORE_THEMES = (
    "Energy bills",
    "Schools",
    "Dentists",
    "Mental health",
    "Anti-social behaviour",
    "Parking",
    "Cycling",
    "Air quality",
    "Flooding",
    "Broadband and getting online",
    "Benefits and Universal Credit",
    "Immigration advice",
    "Racism and discrimination",
    "Pubs and high street",
    "Dogs and dog mess",
)
METHODS = [value for value, _ in Conversation.Method.choices]
METHOD_WEIGHTS = (46, 16, 10, 14, 9, 5)  # door-knock, stall, one-to-one, group, phone, online
WILLINGNESS = (30, 32, 20, 12, 6)
PLACES = ("On the doorstep", "At the stall", "Community centre", "Library", "By phone")


def _themes():
    """The demo hub's themes and a few more, reusing any already there."""
    names = [*THEMES, *MORE_THEMES]
    existing = dict(Theme.objects.values_list("name", "pk"))
    bulk_insert(Theme, [Theme(name=n, slug=slugify(n)) for n in names if n not in existing])
    return list(Theme.objects.filter(name__in=names).order_by("pk"))


def generate(*, scale, rng, stdout):
    total = scale.get("conversations", 100_000 * scale.get("factor", 1))
    today = timezone.localdate()
    themes = _themes()
    texts = [THEMES.get(theme.name) for theme in themes]
    weights = [text.weight if text else 3 for text in texts]
    localities = list(Locality.objects.values_list("pk", flat=True).order_by("pk"))
    people = list(Person.objects.values_list("pk", "locality_id").order_by("pk"))
    users = dict.fromkeys(Role.values)
    for role in users:
        users[role] = list(
            User.objects.filter(role=role, is_active=True).values_list("pk", flat=True)
        )
    organisers = users[Role.ORGANISER] or users[Role.STAFF]
    volunteers = users[Role.VOLUNTEER] or organisers
    if not (localities and people and organisers):
        stdout.write("listening: no people, places or organisers from the core; nothing made.")
        return

    rounds = _rounds(rng, max(1, total // 2000), today, localities, organisers, volunteers)
    round_team = {r.pk: rounds[r] for r in rounds}
    round_list = list(rounds)
    conversations = follow_ups = links = 0
    for start in range(0, total, CHUNK):
        made, chosen = [], []
        for _ in range(min(CHUNK, total - start)):
            in_round = rng.random() < 0.85
            round_ = rng.choice(round_list) if in_round else None
            if round_ is not None:
                end = min(round_.ends_on or today, today)
                held_on = round_.starts_on + timedelta(
                    days=rng.randint(0, max(0, (end - round_.starts_on).days))
                )
                logged_by = rng.choice(round_team[round_.pk])
            else:
                held_on = today - timedelta(days=rng.randint(0, 1100))
                logged_by = rng.choice(volunteers)
            named = rng.random() < 0.66
            person_id, locality_id = rng.choice(people) if named else (None, None)
            locality_id = locality_id or rng.choice(localities)
            picked = rng.choices(range(len(themes)), weights=weights, k=rng.randint(1, 4))
            main = texts[picked[0]] or texts[0] or next(t for t in texts if t)
            willingness = rng.choices(range(5), weights=WILLINGNESS)[0]
            made.append(
                Conversation(
                    round=round_,
                    person_id=person_id,
                    locality_id=locality_id,
                    held_on=held_on,
                    place=rng.choice(PLACES),
                    method=rng.choices(METHODS, weights=METHOD_WEIGHTS)[0],
                    concerns=rng.choice(main.concerns),
                    hopes=rng.choice(main.hopes) if rng.random() < 0.6 else "",
                    needs=rng.choice(main.needs) if rng.random() < 0.4 else "",
                    talents=rng.choice(TALENTS) if rng.random() < 0.1 + 0.1 * willingness else "",
                    willingness=willingness,
                    contact_again=named and rng.random() < 0.4,
                    sensitive_notes=rng.choice(SENSITIVE_NOTES) if rng.random() < 0.04 else "",
                    logged_by_id=logged_by,
                    created_at=timezone.make_aware(
                        datetime.combine(held_on, time(rng.randint(9, 19), rng.randint(0, 59)))
                    ),
                )
            )
            chosen.append((sorted(set(picked)), main))
        bulk_insert(Conversation, made)
        through = Conversation.themes.through
        rows = [
            through(conversation_id=c.pk, theme_id=themes[i].pk)
            for c, (picked, _) in zip(made, chosen, strict=True)
            for i in picked
        ]
        bulk_insert(through, rows, batch_size=5000)
        promised = [
            FollowUp(
                conversation_id=c.pk,
                action=main.follow_up,
                owner_id=c.logged_by_id,
                due_on=(due := c.held_on + timedelta(days=rng.randint(3, 21))),
                done_at=(
                    timezone.make_aware(datetime.combine(due, time(12)))
                    if due < today and rng.random() < 0.8
                    else None
                ),
                created_at=c.created_at,
            )
            for c, (_, main) in zip(made, chosen, strict=True)
            if c.contact_again and rng.random() < 0.4
        ]
        bulk_insert(FollowUp, promised)
        conversations, links, follow_ups = (
            conversations + len(made),
            links + len(rows),
            follow_ups + len(promised),
        )
    stdout.write(
        f"listening: {len(rounds)} rounds, {conversations} conversations with {links} theme "
        f"links, {follow_ups} follow-ups, {len(themes)} themes."
    )


def _rounds(rng, count, today, localities, organisers, volunteers):
    """Rounds spread over three years, the latest still open; each with its places and its
    team (``{round: [user ids who log in it]}``)."""
    made = []
    for n in range(count):
        starts_on = today - timedelta(days=int(1100 * (count - n) / count))
        ends_on = starts_on + timedelta(days=rng.randint(45, 120))
        made.append(
            ListeningRound(
                name=f"Listening round {n + 1}",
                purpose="Hear what matters to people here before the next year's plan.",
                starts_on=starts_on,
                ends_on=None if n == count - 1 else ends_on,
                target=rng.choice((500, 1000, 2000, 3000)),
                prompts="What do you love about living here?\nWhat worries you most?",
            )
        )
    bulk_insert(ListeningRound, made)
    teams = {}
    place_rows, organiser_rows, volunteer_rows = [], [], []
    Through = ListeningRound
    for round_ in made:
        for locality_id in rng.sample(localities, min(len(localities), rng.randint(1, 3))):
            place_rows.append(
                Through.localities.through(listeninground_id=round_.pk, locality_id=locality_id)
            )
        leads = rng.sample(organisers, min(len(organisers), rng.randint(1, 2)))
        team = rng.sample(volunteers, min(len(volunteers), rng.randint(5, 15)))
        organiser_rows += [
            Through.organisers.through(listeninground_id=round_.pk, user_id=u) for u in leads
        ]
        volunteer_rows += [
            Through.volunteers.through(listeninground_id=round_.pk, user_id=u) for u in team
        ]
        teams[round_] = team + leads
    for model, rows in (
        (Through.localities.through, place_rows),
        (Through.organisers.through, organiser_rows),
        (Through.volunteers.through, volunteer_rows),
    ):
        bulk_insert(model, rows)
    return teams


# Pages the benchmark measures ---------------------------------------------------------


def pages(rng):
    """Listening's main pages, as ``bench/run.py`` reads them: a name, who asks (a bench
    login's role, or "public"), and the paths it cycles through."""
    conversations = sample_ids(Conversation.objects.all(), rng)
    rounds = sample_ids(ListeningRound.objects.all(), rng, k=10)
    return [
        {
            "name": "listening: conversations",
            "as": "staff",
            "paths": [reverse("listening:conversation_list")],
        },
        {
            "name": "listening: conversations (volunteer)",
            "as": "volunteer",
            "paths": [reverse("listening:conversation_list")],
        },
        {
            "name": "listening: conversation",
            "as": "staff",
            "paths": [reverse("listening:conversation_detail", args=[pk]) for pk in conversations],
        },
        {"name": "listening: rounds", "as": "staff", "paths": [reverse("listening:round_list")]},
        {
            "name": "listening: round",
            "as": "staff",
            "paths": [reverse("listening:round_detail", args=[pk]) for pk in rounds],
        },
        {"name": "listening: themes", "as": "staff", "paths": [reverse("listening:theme_counts")]},
        {
            "name": "listening: follow-ups",
            "as": "staff",
            "paths": [reverse("listening:follow_up_list")],
        },
        {
            "name": "listening: follow-ups (volunteer)",
            "as": "volunteer",
            "paths": [reverse("listening:follow_up_list")],
        },
    ]
