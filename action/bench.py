"""Action's part of the benchmark hub (``manage.py seed_bench``, registered in ``apps.py``)
and the pages of Action that the benchmark measures (``bench/run.py``).

Three years of campaigning: ``scale["campaigns"]`` campaigns (most public and running, the
older ones won or lost, some paused, a few drafts still in planning) backed by the hub's
groups and Listening's themes, some standing with others; ``scale["signups"]`` sign-ups
spread unevenly (a few big campaigns, many small), confirmed mostly, as ``signup_confirm``
leaves them (a Person and the consents the supporter ticked), and some recent ones waiting
for their email to be confirmed; the asks of each campaign with the actions supporters took,
updates sent to supporters, stories at each step of moderation, and community activities
with the people involved. Nothing is written to the outbox. The words come from the demo
hub's (``demo.py``), the places from the core's localities.
"""

import bisect
from datetime import datetime, timedelta
from typing import NamedTuple

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from hubsite.notify.models import OutboxMessage
from hubsite.people.bench import bulk_insert, sample_ids
from hubsite.people.models import Consent, Group, Locality, Person, Role, User
from listening.models import Theme

from . import demo
from .models import ActionTaken, Activity, Ask, Campaign, Signup, Story, SupporterUpdate
from .services.retention import ANONYMOUS_DOMAIN

# The benchmark's public sign-ups come from these addresses; it removes them when it is done.
SIGNUP_DOMAIN = "signup.bench.example.org"
# Sign-ups typed on a page and not confirmed yet: addresses the hub does not know.
PENDING_DOMAIN = "pending.bench.example.org"
Status = Campaign.Status
Purpose = Consent.Purpose

# What campaigns are about, and where: "{place}" is one of the hub's localities.
CAMPAIGN_NAMES = (
    "Dry homes in {place}",
    "Bring back the bus to {place}",
    "Reopen the {place} youth club",
    "Light up the {place} canal path",
    "A community pantry for {place}",
    "Save {place} library",
    "A safe crossing in {place}",
    "Fix the lifts in {place}",
    "Clean air outside {place} schools",
    "Keep {place} health centre open",
    "Fair rents in {place}",
    "A playground for {place}",
    "Stop the fly-tipping in {place}",
    "Green spaces for {place}",
)
SPECS = demo.CAMPAIGNS
CONTACT, SHOW_NAME, COMMENTED, UNSUBSCRIBED = (
    demo.CONSENT_CONTACT,
    demo.SHOW_NAME,
    demo.COMMENTED,
    demo.UNSUBSCRIBED,
)
PENDING_SHARE = 0.06  # of the sign-ups, waiting for the email to be confirmed (recent ones)
# How many of a campaign's supporters say they did an ask of each kind, on average.
ASK_SHARE = {
    Ask.Kind.WRITE: 0.3,
    Ask.Kind.SHARE: 0.25,
    Ask.Kind.MEETING: 0.1,
    Ask.Kind.ACTION: 0.08,
    Ask.Kind.OTHER: 0.1,
}
ASK_TITLES = {
    Ask.Kind.WRITE: "Write to {target}",
    Ask.Kind.SHARE: "Share the campaign with your neighbours",
    Ask.Kind.MEETING: "Come to the campaign meeting",
    Ask.Kind.ACTION: "Join the visit to {target}",
    Ask.Kind.OTHER: "Keep a diary for four weeks",
}
# Sign-ups of campaigns ended longer ago than this are anonymised (services.retention).
KEPT_FOR = timedelta(days=730)
# Stories never published are deleted after a year (services.retention): they are recent.
UNPUBLISHED_FOR = timedelta(days=330)
ACTIVITY_NAMES = (
    "Repair café in {place}",
    "{place} community fridge",
    "{place} youth football team",
    "Lunch club for older neighbours in {place}",
    "{place} community garden",
    "Homework club in {place}",
    "{place} tool library",
    "Bike workshop in {place}",
)


def _between(rng, start, end):
    seconds = max(int((end - start).total_seconds()), 0)
    return start + timedelta(seconds=rng.randint(0, seconds))


def _sizes(total, weights, caps):
    """``total`` split in proportion to ``weights``, none over its cap: what a full
    campaign cannot take goes to the others, in proportion."""
    sizes = [0] * len(weights)
    left, open_ = total, [n for n, w in enumerate(weights) if w > 0 and caps[n] > 0]
    while left > 0 and open_:
        weight = sum(weights[n] for n in open_)
        given = 0
        for n in open_:
            share = min(caps[n] - sizes[n], max(1, round(left * weights[n] / weight)))
            share = min(share, left - given)
            sizes[n] += share
            given += share
        left -= given
        open_ = [n for n in open_ if sizes[n] < caps[n]]
        if not given:
            break
    return sizes


class Supporter(NamedTuple):
    """A confirmed sign-up, as the rest of the campaign's data needs it."""

    person_id: int
    confirmed_at: datetime
    contact: bool  # agreed to hear about the campaign
    unsubscribed_at: datetime | None

    def reached_at(self, when):
        """Whether an update sent at ``when`` went to them."""
        left = self.unsubscribed_at is not None and self.unsubscribed_at < when
        return self.contact and self.confirmed_at < when and not left


class Action:
    def __init__(self, scale, rng):
        self.scale, self.rng = scale, rng
        self.now = timezone.now().replace(second=0, microsecond=0)
        self.localities = list(Locality.objects.values_list("pk", "name").order_by("pk"))
        # Who could sign: people with an address, oldest first (a campaign draws from those
        # the hub knew before it closed).
        known = Person.objects.exclude(email="").order_by("created_at", "pk")
        fields = ("pk", "first_name", "last_name", "email", "postcode", "locality_id")
        rows = list(known.values_list(*fields, "created_at"))
        self.people = [row[:-1] for row in rows]
        self.people_since = [row[-1] for row in rows]
        self.groups = list(Group.objects.values_list("pk", "kind").order_by("pk"))
        self.themes = list(Theme.objects.values_list("pk", flat=True).order_by("pk"))
        runners = User.objects.filter(role__in=[Role.STAFF, Role.ORGANISER], is_active=True)
        self.runners = list(runners.values_list("pk", flat=True).order_by("pk"))
        self.staff = list(
            runners.filter(role=Role.STAFF).values_list("pk", flat=True).order_by("pk")
        )
        self.specs = {}  # campaign id: the demo campaign its words come from
        # Each campaign's confirmed supporters: what its asks, updates and stories draw from.
        self.supporters = {}

    # Campaigns --------------------------------------------------------------------------

    def campaigns(self, count):
        rng, made, names, slugs = self.rng, [], set(), set()
        for n in range(count):
            spec = SPECS[n % len(SPECS)]
            place = rng.choice(self.localities)[1]
            name = rng.choice(CAMPAIGN_NAMES).format(place=place)
            while name.lower() in names:
                name = f"{name.split(' (')[0]} ({len(names) + 1})"
            names.add(name.lower())
            slug = slugify(name)[:130]
            while slug in slugs:
                slug = f"{slugify(name)[:130]}-{len(slugs) + 1}"
            slugs.add(slug)
            # The first is the biggest, running and public: the pages always have one.
            started_days = rng.randint(30, 1095) if n else rng.randint(200, 400)
            started = self.now - timedelta(days=started_days, hours=rng.randint(0, 12))
            status, ended_at = Status.ACTIVE, None
            lasted = timedelta(days=rng.randint(60, 500))
            if n and rng.random() < 0.06:
                status = Status.PLANNING
                started = self.now - timedelta(days=rng.randint(1, 60))
            elif n and started + lasted < self.now and rng.random() < 0.85:
                status = Status.WON if rng.random() < 0.55 else Status.LOST
                ended_at = started + lasted
            elif n and rng.random() < 0.1:
                status = Status.PAUSED
            made.append(
                Campaign(
                    name=name,
                    slug=slug,
                    summary=spec.summary[:280],
                    need=spec.need.replace("Kelmington", place),
                    demand=spec.demand,
                    decision_makers="\n".join(spec.decision_makers),
                    status=status,
                    created_by_id=rng.choice(self.runners) if self.runners else None,
                    created_at=started,
                    ended_at=ended_at,
                )
            )
        made = bulk_insert(Campaign, made)
        self.specs = {campaign.pk: SPECS[n % len(SPECS)] for n, campaign in enumerate(made)}
        backers = [pk for pk, kind in self.groups if kind != Group.Kind.PARTNER] or [
            pk for pk, _ in self.groups
        ]
        partners = [pk for pk, kind in self.groups if kind == Group.Kind.PARTNER]
        rows = {"groups": [], "themes": [], "partners": [], "endorsements": []}
        for campaign in made:
            for group in rng.sample(backers, min(len(backers), rng.choice((1, 1, 1, 2, 3)))):
                rows["groups"].append((campaign.pk, group))
            for theme in rng.sample(self.themes, min(len(self.themes), rng.randint(1, 3))):
                rows["themes"].append((campaign.pk, theme))
            if partners and rng.random() < 0.3:
                rows["partners"].append((campaign.pk, rng.choice(partners)))
            if len(made) > 1 and rng.random() < 0.15:
                other = rng.choice(made)
                if other.pk != campaign.pk:
                    rows["endorsements"].append((campaign.pk, other.pk))
        for relation, pairs in rows.items():
            through = getattr(Campaign, relation).through
            left, right = [f.attname for f in through._meta.fields if f.attname != "id"]
            bulk_insert(through, [through(**{left: a, right: b}) for a, b in sorted(set(pairs))])
        return made

    def _window(self, campaign):
        """When the campaign took sign-ups: from its start until it ended, was paused (some
        weeks ago) or now."""
        if campaign.ended_at:
            return campaign.created_at, campaign.ended_at
        if campaign.status == Status.PAUSED:
            paused = self.now - timedelta(days=self.rng.randint(7, 90))
            return campaign.created_at, max(paused, campaign.created_at + timedelta(days=14))
        return campaign.created_at, self.now

    # Sign-ups ---------------------------------------------------------------------------

    def signups(self, campaigns, total):
        """About ``total`` sign-ups: the confirmed ones with the consents they recorded,
        then the recent ones still waiting for the email to be confirmed."""
        rng = self.rng
        public = [c for c in campaigns if c.is_public]
        windows = {c.pk: self._window(c) for c in public}
        # A few big campaigns and many small ones; the first is the biggest.
        weights = [rng.lognormvariate(0, 1.3) for _ in public]
        if weights:
            weights[0] = max(weights) * 1.5
        caps = [
            int(0.6 * bisect.bisect_left(self.people_since, windows[c.pk][1] - timedelta(days=1)))
            for c in public
        ]
        open_ = [c.status == Status.ACTIVE for c in public]
        pending_total = round(total * PENDING_SHARE) if any(open_) else 0
        confirmed = _sizes(total - pending_total, weights, caps)
        pending = _sizes(
            pending_total,
            [w if is_open else 0 for w, is_open in zip(weights, open_, strict=True)],
            [10**9] * len(public),
        )
        rows, consents, made = [], [], 0
        for campaign, size, waiting in zip(public, confirmed, pending, strict=True):
            rows += self._confirmed(campaign, windows[campaign.pk], size, consents)
            rows += self._pending(campaign, waiting)
            if len(rows) >= 20_000:
                made += len(bulk_insert(Signup, rows))
                bulk_insert(Consent, consents)
                rows, consents = [], []
        made += len(bulk_insert(Signup, rows))
        bulk_insert(Consent, consents)
        return made

    def _confirmed(self, campaign, window, size, consents):
        rng, (opens, closes) = self.rng, window
        known = bisect.bisect_left(self.people_since, closes - timedelta(days=1))
        forgotten = campaign.ended_at and campaign.ended_at < self.now - KEPT_FOR
        supporters, rows = [], []
        note = f"Signing “{campaign.name}”"
        for n, index in enumerate(rng.sample(range(known), min(size, known))):
            pk, first, last, email, postcode, locality_id = self.people[index]
            since = max(opens, self.people_since[index])
            # More people sign in the first weeks, when the campaign is new and talked about.
            confirmed_at = since + (closes - since) * rng.random() ** 1.4
            contact, show = rng.random() < CONTACT, rng.random() < SHOW_NAME
            unsubscribed_at = None
            if contact and rng.random() < UNSUBSCRIBED:
                unsubscribed_at = _between(rng, confirmed_at, closes)
            comment = ""
            if rng.random() < COMMENTED:
                comment = rng.choice(self.specs[campaign.pk].comments or ("",))
            for purpose, chosen in ((Purpose.CONTACT_EMAIL, contact), (Purpose.SHOW_NAME, show)):
                if chosen:  # what ``signup_confirm`` records
                    consents.append(
                        Consent(
                            person_id=pk,
                            purpose=purpose,
                            given=True,
                            method=Consent.Method.ONLINE,
                            recorded_at=confirmed_at,
                            note=note,
                        )
                    )
            signup = Signup(
                campaign_id=campaign.pk,
                person_id=pk,
                first_name=first,
                last_name=last,
                email=email.lower(),
                postcode=postcode,
                locality_id=locality_id,
                comment=comment,
                show_name=show,
                consent_contact=contact,
                status=Signup.Status.CONFIRMED,
                created_at=max(confirmed_at - timedelta(minutes=rng.randint(1, 600)), opens),
                confirmed_at=confirmed_at,
                unsubscribed_at=unsubscribed_at,
            )
            if forgotten:  # as the retention rule leaves a campaign ended two years ago
                signup.person_id, signup.first_name, signup.last_name = None, "", ""
                signup.postcode, signup.comment = "", ""
                signup.email = f"signup-{campaign.pk}-{n}{ANONYMOUS_DOMAIN}"
            supporters.append(Supporter(pk, confirmed_at, contact, unsubscribed_at))
            rows.append(signup)
        self.supporters[campaign.pk] = supporters
        return rows

    def _pending(self, campaign, count):
        """Names typed on the page in the last weeks whose link was not clicked yet (older
        ones are forgotten after a month): no Person."""
        rng, rows = self.rng, []
        for n in range(count):
            _, first, last, _, postcode, locality_id = rng.choice(self.people)
            rows.append(
                Signup(
                    campaign_id=campaign.pk,
                    first_name=first,
                    last_name=last,
                    email=f"{slugify(first)}.{campaign.pk}.{n}@{PENDING_DOMAIN}",
                    postcode=postcode,
                    locality_id=locality_id,
                    show_name=rng.random() < SHOW_NAME,
                    consent_contact=rng.random() < CONTACT,
                    created_at=self.now - timedelta(minutes=rng.randint(5, 60 * 24 * 28)),
                )
            )
        return rows

    # Asks, actions and updates ----------------------------------------------------------

    def asks(self, campaigns):
        rng, asks = self.rng, []
        for campaign in campaigns:
            spec = self.specs[campaign.pk]
            target = spec.decision_makers[0] if spec.decision_makers else "the council"
            kinds = rng.sample(list(ASK_SHARE), rng.randint(2, 5))
            for order, kind in enumerate(kinds):
                asks.append(
                    Ask(
                        campaign_id=campaign.pk,
                        kind=kind,
                        title=ASK_TITLES[kind].format(target=target)[:140],
                        details="Where and when are on the campaign's page and in the updates.",
                        suggested_text=(
                            spec.asks[0].suggested_text
                            if kind == Ask.Kind.WRITE and spec.asks
                            else ""
                        ),
                        target=target if kind in (Ask.Kind.WRITE, Ask.Kind.ACTION) else "",
                        order=order,
                        active=campaign.status == Status.ACTIVE,
                    )
                )
        asks = bulk_insert(Ask, asks)
        ends = {c.pk: c.ended_at or self.now for c in campaigns}
        forgotten = {c.pk for c in campaigns if c.ended_at and c.ended_at < self.now - KEPT_FOR}
        actions = []
        for ask in asks:
            supporters = self.supporters.get(ask.campaign_id, [])
            share = min(1.0, ASK_SHARE[ask.kind] * rng.uniform(0.5, 1.5))
            # Past the retention period, the actions still count without anyone in them.
            keep = ask.campaign_id not in forgotten
            for supporter in rng.sample(supporters, round(len(supporters) * share)):
                actions.append(
                    ActionTaken(
                        ask_id=ask.pk,
                        person_id=supporter.person_id if keep else None,
                        note=rng.choice(demo.ACTION_NOTES) if keep and rng.random() < 0.1 else "",
                        taken_at=_between(rng, supporter.confirmed_at, ends[ask.campaign_id]),
                    )
                )
            if len(actions) >= 20_000:
                bulk_insert(ActionTaken, actions)
                actions = []
        bulk_insert(ActionTaken, actions)
        return len(asks), ActionTaken.objects.count()

    def updates(self, campaigns):
        """Updates sent to each campaign's supporters (their emails long delivered, so none
        in the outbox), and a draft on some running campaigns."""
        rng, rows = self.rng, []
        for campaign in campaigns:
            supporters = self.supporters.get(campaign.pk, [])
            if not campaign.is_public or len(supporters) < 10:
                continue
            opens, closes = campaign.created_at, campaign.ended_at or self.now
            for _ in range(rng.randint(0, 4)):
                sent_at = _between(rng, opens + (closes - opens) / 4, closes)
                rows.append(
                    SupporterUpdate(
                        campaign_id=campaign.pk,
                        subject=demo.UPDATE_SUBJECT,
                        body=demo.UPDATE_BODY,
                        status=SupporterUpdate.Status.SENT,
                        recipients=sum(1 for s in supporters if s.reached_at(sent_at)),
                        created_by_id=campaign.created_by_id,
                        created_at=sent_at - timedelta(minutes=rng.randint(20, 600)),
                        sent_at=sent_at,
                    )
                )
            if campaign.status == Status.ACTIVE and rng.random() < 0.15:
                rows.append(
                    SupporterUpdate(
                        campaign_id=campaign.pk,
                        subject="What happens next",
                        body=demo.UPDATE_BODY,
                        created_by_id=campaign.created_by_id,
                        created_at=self.now - timedelta(hours=rng.randint(1, 72)),
                    )
                )
        return len(bulk_insert(SupporterUpdate, rows))

    # Stories and activities -------------------------------------------------------------

    def stories(self, campaigns, count):
        """Stories in people's own words, most published with consent, some waiting for
        review, sent back, not published, or taken down by their teller."""
        rng, rows, told = self.rng, [], set()
        public = [c for c in campaigns if c.is_public and self.supporters.get(c.pk)]
        moderators = self.staff or [None]
        for n in range(count):
            spec = demo.STORIES[n % len(demo.STORIES)]
            campaign = rng.choice(public) if public and rng.random() < 0.8 else None
            if campaign is not None:
                teller = rng.choice(self.supporters[campaign.pk])
                person_id = teller.person_id
                created_at = _between(rng, teller.confirmed_at, campaign.ended_at or self.now)
            else:
                person_id = rng.choice(self.people)[0]
                created_at = self.now - timedelta(days=rng.randint(1, 1000))
            if (person_id, n % len(demo.STORIES)) in told:
                continue
            told.add((person_id, n % len(demo.STORIES)))
            recent = created_at > self.now - UNPUBLISHED_FOR
            draw = rng.random()
            status, consent = Story.Status.APPROVED, True
            if recent and draw < 0.15:
                status = Story.Status.SUBMITTED
                consent = rng.random() < 0.8
            elif recent and draw < 0.2:
                status = Story.Status.CHANGES
            elif recent and draw < 0.25:
                status, consent = Story.Status.REJECTED, rng.random() < 0.5
            elif draw > 0.95:
                consent = False  # taken down by its teller
            decided = status != Story.Status.SUBMITTED
            decided_at = min(created_at + timedelta(days=rng.randint(1, 4)), self.now)
            rows.append(
                Story(
                    person_id=person_id,
                    campaign_id=campaign.pk if campaign else None,
                    title=spec.title,
                    text=spec.text,
                    credit=rng.choice(Story.Credit.values),
                    consent_to_publish=consent,
                    status=status,
                    moderation_note=spec.note if decided else "",
                    moderated_by_id=rng.choice(moderators) if decided else None,
                    created_at=created_at,
                    published_at=decided_at if status == Story.Status.APPROVED else None,
                )
            )
        return bulk_insert(Story, rows)

    def activities(self, count):
        rng, rows, involved = self.rng, [], []
        stages = [s for s, _ in Activity.Stage.choices]
        groups = [pk for pk, _ in self.groups]
        for n in range(count):
            spec = demo.ACTIVITIES[n % len(demo.ACTIVITIES)]
            locality_id, place = rng.choice(self.localities)
            started = self.now - timedelta(days=rng.randint(10, 1000))
            people = [
                p[0] for p in rng.sample(self.people, min(len(self.people), rng.randint(2, 30)))
            ]
            rows.append(
                Activity(
                    name=rng.choice(ACTIVITY_NAMES).format(place=place),
                    kind=spec.kind,
                    need=spec.need,
                    description=spec.description,
                    stage=rng.choice(stages),
                    support=spec.support,
                    locality_id=locality_id,
                    group_id=rng.choice(groups) if groups and rng.random() < 0.6 else None,
                    proposed_by_id=people[0],
                    created_at=started,
                    stage_changed_at=_between(rng, started, self.now),
                )
            )
            involved.append(people)
        rows = bulk_insert(Activity, rows)
        through = Activity.people.through
        bulk_insert(
            through,
            [
                through(activity_id=activity.pk, person_id=person_id)
                for activity, people in zip(rows, involved, strict=True)
                for person_id in people
            ],
        )
        return rows


def generate(*, scale, rng, stdout):
    factor = scale.get("factor", 1)
    action = Action(scale, rng)
    if not (action.people and action.localities):
        stdout.write("action: no people or places from the core; nothing made.")
        return
    campaigns = action.campaigns(max(1, scale.get("campaigns", round(100 * factor))))
    signups = action.signups(campaigns, scale.get("signups", round(50_000 * factor)))
    asks, actions = action.asks(campaigns)
    updates = action.updates(campaigns)
    stories = action.stories(campaigns, max(4, len(campaigns) * 3))
    activities = action.activities(max(2, len(campaigns) // 2))
    stdout.write(
        f"action: {len(campaigns)} campaigns, {signups} sign-ups, {asks} asks with {actions} "
        f"actions taken, {updates} updates, {len(stories)} stories, "
        f"{len(activities)} activities."
    )


# Pages the benchmark measures ---------------------------------------------------------


def pages(rng):
    """Action's main pages, as ``bench/run.py`` reads them: a name, who asks (a bench
    login's role, or "public"), the paths it cycles through, and for a POST the form."""
    public = Campaign.objects.exclude(status=Status.PLANNING)
    # The biggest running campaign first (its count and names cost the most; the sign-up
    # goes to it), then a sample of the others.
    top = (
        Signup.objects.filter(campaign__status=Status.ACTIVE)
        .values("campaign__slug")
        .annotate(n=Count("id"))
        .order_by("-n", "campaign__slug")
        .first()
    )
    biggest = [top["campaign__slug"]] if top else []
    others = list(public.filter(pk__in=sample_ids(public, rng, k=9)).values_list("slug", flat=True))
    slugs = biggest + [slug for slug in others if slug not in biggest]
    stories = list(
        Story.objects.filter(status=Story.Status.APPROVED, consent_to_publish=True).values_list(
            "pk", flat=True
        )
    )
    stories = rng.sample(sorted(stories), min(10, len(stories)))
    activities = sample_ids(Activity.objects.all(), rng)
    stamp = int(timezone.now().timestamp())

    def signup_form(n):
        return {
            "first_name": "Bench",
            "last_name": f"Visitor {n}",
            "email": f"visitor-{stamp}-{n}@{SIGNUP_DOMAIN}",
            "postcode": "",
            "locality": "",
            "comment": "",
            "show_name": "on",
            "consent_contact": "on",
            "website": "",
            "invited_from": "",
        }

    def signup_cleanup():
        OutboxMessage.objects.filter(to_email__iendswith=f"@{SIGNUP_DOMAIN}").delete()
        Signup.objects.filter(email__iendswith=f"@{SIGNUP_DOMAIN}").delete()

    campaign_paths = [reverse("action:campaign_page", args=[slug]) for slug in slugs]
    return [
        {"name": "action: home", "as": "staff", "paths": [reverse("action:home")]},
        {"name": "action: campaigns", "as": "staff", "paths": [reverse("action:campaign_list")]},
        {
            "name": "action: campaigns (public)",
            "as": "public",
            "paths": [reverse("action:campaign_list")],
        },
        {"name": "action: campaign (public)", "as": "public", "paths": campaign_paths},
        {"name": "action: campaign (staff)", "as": "staff", "paths": campaign_paths},
        {
            "name": "action: supporters",
            "as": "staff",
            "paths": [reverse("action:supporter_list", args=[slug]) for slug in slugs],
        },
        {
            "name": "action: sign-up (public POST)",
            "as": "public",
            "method": "POST",
            "paths": [reverse("action:signup", args=[slug]) for slug in biggest],
            "form": signup_form,
            "expect": 302,
            "cleanup": signup_cleanup,
        },
        {
            "name": "action: stories (public)",
            "as": "public",
            "paths": [reverse("action:story_list")],
        },
        {
            "name": "action: story (public)",
            "as": "public",
            "paths": [reverse("action:story_detail", args=[pk]) for pk in stories],
        },
        {
            "name": "action: stories to review",
            "as": "staff",
            "paths": [reverse("action:story_queue")],
        },
        {"name": "action: activities", "as": "staff", "paths": [reverse("action:activity_list")]},
        {
            "name": "action: activity",
            "as": "staff",
            "paths": [reverse("action:activity_detail", args=[pk]) for pk in activities],
        },
    ]
