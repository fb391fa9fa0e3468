"""A small world for the robustness tests: one of each thing the hub holds, users of every
role related to it as they would be (the organiser runs the group, the volunteer logged the
conversation), and for every named route the path to its real object. Used by the role ×
URL matrix, the CSRF walk and the generated-input tests."""

import datetime
import inspect
import re
import traceback
import types
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import get_resolver, resolve, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from action.services import asks as ask_services
from action.services import campaigns as campaign_services
from action.services import stories as story_services
from connect.services import rsvps as rsvp_services
from hubsite.framework.models import AssessmentRound, Learning, PromptDelivery, PromptSchedule
from hubsite.people.models import GroupMembership, Role
from hubsite.privacy import services as privacy_services
from hubsite.privacy.models import RetentionRun
from organise.models import GroupProposal, Membership
from organise.services import calls as call_services
from organise.services import joining as join_services
from tests.action.factories import (
    ActivityFactory,
    AskFactory,
    CampaignFactory,
    SignupFactory,
    StoryFactory,
)
from tests.conftest import make_user
from tests.connect.factories import (
    EventFactory,
    JoinRequestFactory,
    OpportunityFactory,
    RsvpFactory,
    ShiftFactory,
    ShiftSignupFactory,
)
from tests.listening.factories import (
    ConversationFactory,
    FollowUpFactory,
    ListeningRoundFactory,
    ThemeFactory,
)
from tests.organise.factories import (
    CallToActionFactory,
    DecisionFactory,
    MeetingFactory,
    MembershipFactory,
    MembershipTypeFactory,
    SegmentFactory,
)
from tests.organise.factories_calls import DeliveryFactory
from tests.organise.factories_meetings import YouSaidWeDidFactory
from tests.organise.factories_members import JoinApplicationFactory
from tests.people.factories import (
    GroupFactory,
    GroupMembershipFactory,
    LocalityFactory,
    PersonFactory,
    UserFactory,
)
from tests.test_access import PUBLIC, ROUTES, example_path
from tests.test_access import walk as walk_patterns

ROLES = ("member", "volunteer", "organiser", "staff")

# The admin's own URL patterns (test_access.ROUTES leaves them out), each with made-up
# values: no role of the hub but a staff superuser gets past the admin's own gate, which
# answers before it looks for the object.
ADMIN_ROUTES = [
    (route, name)
    for route, name, _ in walk_patterns(get_resolver().url_patterns)
    if route.startswith("admin/")
]


def admin_path(route):
    """The admin's routes mix path converters and regexes: 1 for every parameter."""
    path = re.sub(r"<(?:\w+:)?\w+>", "1", route)
    path = re.sub(r"\((?:\?P<\w+>)?[^)]*\)", "1", path)
    return "/" + path.replace("^", "").replace("$", "").replace("\\", "")


# Routes that end the session they are sent in; the walk signs in again after them.
SIGNS_OUT = {"account_logout"}


@dataclass
class World:
    users: dict
    kwargs: dict = field(default_factory=dict)

    def path(self, route, name):
        """The path of ``route`` for the world's object, or made-up values where the world
        has none (which must then be a 404 or a page saying the link is not valid)."""
        if name in self.kwargs:
            return reverse(name, kwargs=self.kwargs[name])
        return example_path(route)

    def client(self, role, **options):
        client = Client(raise_request_exception=False, **options)
        if role != "anonymous":
            client.force_login(self.users[role])
        return client


def seed_world():
    """One of everything, with every role placed where its screens expect it."""
    users = {role: make_user(role) for role in ROLES}
    organiser, volunteer, member = (users[r].person for r in ("organiser", "volunteer", "member"))
    locality = LocalityFactory()
    resident = PersonFactory(locality=locality)

    group = GroupFactory(public=True)
    GroupMembershipFactory(group=group, person=organiser, role=GroupMembership.Role.ORGANISER)
    GroupMembershipFactory(group=group, person=volunteer)
    group_member = GroupMembershipFactory(group=group, person=resident)
    JoinRequestFactory(group=group, person=member)
    join_request = JoinRequestFactory(group=group)

    campaign = CampaignFactory(created_by=users["organiser"])
    signup = SignupFactory(campaign=campaign, person=resident)
    ask = AskFactory(campaign=campaign)
    story = StoryFactory(
        person=resident, campaign=campaign, status="approved", published_at=timezone.now()
    )
    activity = ActivityFactory(group=group, proposed_by=organiser)
    update = campaign.updates.create(subject="News", body="The lifts are fixed.")

    event = EventFactory(group=group)
    rsvp = RsvpFactory(event=event, person=resident)
    opportunity = OpportunityFactory()
    shift = ShiftFactory(opportunity=opportunity)

    theme = ThemeFactory()
    listening_round = ListeningRoundFactory(
        organisers=[users["organiser"]], volunteers=[users["volunteer"]], localities=[locality]
    )
    conversation = ConversationFactory(
        person=resident,
        locality=locality,
        round=listening_round,
        logged_by=users["volunteer"],
        themes=[theme],
    )
    follow_up = FollowUpFactory(conversation=conversation, owner=users["volunteer"])

    kind = MembershipTypeFactory()
    membership = MembershipFactory(person=resident, type=kind)
    MembershipFactory(person=member, type=kind)
    segment = SegmentFactory(created_by=users["organiser"])
    call = CallToActionFactory(segment=segment, created_by=users["organiser"])
    delivery = DeliveryFactory(call=call, person=resident)
    meeting = MeetingFactory()
    decision = DecisionFactory(meeting=meeting, owner=resident)
    you_said = YouSaidWeDidFactory()
    application = JoinApplicationFactory(type=kind)
    proposal = GroupProposal.objects.create(name="Allotment friends", purpose="Grow food.")

    assessment = AssessmentRound.objects.create(name="Spring", opens_on=timezone.localdate())
    schedule = PromptSchedule.objects.create(
        question="What went well?", audience="everyone", frequency="monthly"
    )
    prompt = PromptDelivery.objects.create(
        schedule=schedule, recipient=users["staff"], period="2026-01"
    )
    learning = Learning.objects.create(
        title="Door-knocking in the rain",
        happened="Few answered.",
        learned="Go on Sundays.",
        author=users["volunteer"],
    )

    data_request = privacy_services.data_request_create(
        kind="access", person=resident, channel="email", logged_by=users["staff"]
    )
    retention_run = RetentionRun.objects.create(started_by=users["staff"])

    invited = UserFactory(role=Role.MEMBER)  # never signed in: the invitation is still good
    invited_person = PersonFactory(user=invited, email=invited.email)

    # States that only some pages show a form for, each opened besides the world's paths.
    member_story = StoryFactory(
        person=member, campaign=campaign, status="approved", published_at=timezone.now()
    )
    related = CampaignFactory(created_by=users["organiser"])
    related.endorsements.add(campaign)
    unconfirmed = SignupFactory(campaign=campaign, status="pending", confirmed_at=None)
    activity.people.add(resident)
    candidate = PersonFactory(first_name="Candida", locality=locality)
    now = timezone.now()
    started = EventFactory(
        group=group,
        starts_at=now - datetime.timedelta(hours=1),
        ends_at=now + datetime.timedelta(hours=1),
    )
    RsvpFactory(event=started, person=resident)
    ShiftSignupFactory(shift=shift, person=member)
    ShiftSignupFactory(shift=shift, person=volunteer)
    past_shift = ShiftFactory(
        opportunity=opportunity,
        starts_at=now - datetime.timedelta(days=2),
        ends_at=now - datetime.timedelta(days=2) + datetime.timedelta(hours=3),
    )
    ShiftSignupFactory(shift=past_shift, person=resident)
    scheduled = CallToActionFactory(
        segment=segment,
        created_by=users["organiser"],
        status="scheduled",
        send_at=now + datetime.timedelta(days=1),
    )
    spare_segment = SegmentFactory(created_by=users["organiser"])
    due = soon(30)
    membership.renews_on = due
    membership.save(update_fields=["renews_on"])
    Membership.objects.filter(person=member).update(renews_on=due)
    at = {
        "people": {
            "person_*": {"pk": resident.pk},
            "group_*": {"slug": group.slug},
            "membership_update": {"slug": group.slug, "pk": group_member.pk},
            "locality_*": {"slug": locality.slug},
            "invite_accept": {
                "uidb64": urlsafe_base64_encode(force_bytes(invited.pk)),
                "token": default_token_generator.make_token(invited),
            },
            "consent_record": {"pk": resident.pk},
        },
        "framework": {
            "assessment_*": {"pk": assessment.pk},
            "prompt_answer": {"pk": prompt.pk},
            "prompt_*": {"pk": schedule.pk},
            "learning_*": {"pk": learning.pk},
        },
        "action": {
            "campaign_*": {"slug": campaign.slug},
            "signup*": {"slug": campaign.slug},
            "supporter_list": {"slug": campaign.slug},
            "signup_confirm": {"token": campaign_services.confirm_token(signup)},
            "unsubscribe": {"token": campaign_services.unsubscribe_token(signup)},
            "ask_list": {"slug": campaign.slug},
            "ask_create": {"slug": campaign.slug},
            "actions_link": {"slug": campaign.slug},
            "supporter_actions": {
                "slug": campaign.slug,
                "token": ask_services.actions_token(signup),
            },
            "ask_*": {"slug": campaign.slug, "pk": ask.pk},
            "action_record": {"slug": campaign.slug, "pk": ask.pk},
            "update_list": {"slug": campaign.slug},
            "update_create": {"slug": campaign.slug},
            "update_*": {"slug": campaign.slug, "pk": update.pk},
            "story_write": {
                "token": story_services.write_token(email="new@example.test", first_name="Ana")
            },
            "story_teller*": {"token": story_services.teller_token(story)},
            "story_*": {"pk": story.pk},
            "activity_*": {"pk": activity.pk},
        },
        "connect": {
            "event_detail": {"pk": event.pk, "slug": event.slug},
            "event_*": {"pk": event.pk},
            "rsvp": {"pk": event.pk},
            "rsvp_cancel": {"token": rsvp_services.cancel_token(rsvp)},
            "contact_confirm": {"token": rsvp_services.contact_confirm_token(resident, "News")},
            "group_*": {"slug": group.slug},
            "checkin_mark": {"pk": event.pk, "rsvp_pk": rsvp.pk},
            "checkin*": {"pk": event.pk},
            "opportunity_*": {"pk": opportunity.pk},
            "shift_add": {"pk": opportunity.pk},
            "shift_*": {"pk": shift.pk},
            "hours_log": {"pk": shift.pk},
            "offer_record": {"person_pk": resident.pk},
            "join_request_decide": {"pk": join_request.pk},
        },
        "listening": {
            "round_*": {"pk": listening_round.pk},
            "conversation_*": {"pk": conversation.pk},
            "follow_up_add": {"pk": conversation.pk},
            "follow_up_done": {"pk": follow_up.pk},
            "theme_edit": {"pk": theme.pk},
        },
        "organise": {
            "join_confirm": {"token": join_services.confirm_token(application)},
            "type_edit": {"pk": kind.pk},
            "member_*": {"pk": membership.pk},
            "segment_*": {"pk": segment.pk},
            "call_create": {"pk": segment.pk},
            "call_respond": {"token": call_services.respond_token(delivery, "yes")},
            "call_unsubscribe": {"token": call_services.unsubscribe_token(delivery)},
            "call_*": {"pk": call.pk},
            "proposal_detail": {"pk": proposal.pk},
            "meeting_*": {"pk": meeting.pk},
            "decision_create": {"pk": meeting.pk},
            "decision_*": {"pk": decision.pk},
            "you_said_edit": {"pk": you_said.pk},
        },
        "privacy": {
            "request_*": {"pk": data_request.pk},
            "retention_run": {"pk": retention_run.pk},
            "person_erase*": {"pk": resident.pk},
        },
    }
    world = World(users=users)
    world.extra_pages = [
        (("staff",), reverse("people:person_detail", args=[invited_person.pk])),
        (("member",), reverse("action:story_detail", args=[member_story.pk])),
        (("member",), reverse("action:story_edit", args=[member_story.pk])),
        (
            ("anonymous",),
            reverse("action:signup_confirm", args=[campaign_services.confirm_token(unconfirmed)]),
        ),
        (
            ("organiser", "staff"),
            reverse("action:activity_detail", args=[activity.pk]) + f"?q={candidate.first_name}",
        ),
        (("organiser", "staff"), reverse("connect:checkin", args=[started.pk])),
        (("member", "volunteer"), reverse("connect:shift_mine")),
        (("staff",), reverse("connect:hours_log", args=[past_shift.pk])),
        (("organiser", "staff"), reverse("organise:call_detail", args=[scheduled.pk])),
        (("organiser", "staff"), reverse("organise:segment_delete", args=[spare_segment.pk])),
        (("member",), reverse("organise:my_membership")),
        (
            ("organiser", "staff"),
            reverse("action:campaign_invite", args=[campaign.slug]) + f"?to_campaign={related.pk}",
        ),
    ]
    for route, name, _ in ROUTES:
        if not name or "<" not in route and "(?P" not in route:
            continue
        namespace, _, short = name.rpartition(":")
        for pattern, kwargs in at.get(namespace, {}).items():
            if re.fullmatch(pattern.replace("*", ".*"), short) and _fits(route, kwargs):
                world.kwargs[name] = kwargs
                break
    world.objects = {
        "event": event,
        "campaign": campaign,
        "conversation": conversation,
        "activity": activity,
        "round": listening_round,
        "shift": shift,
    }
    return world


def _fits(route, kwargs):
    """Whether ``kwargs`` names exactly the route's parameters."""
    names = set(re.findall(r"<(?:\w+:)?(\w+)>", route)) | set(re.findall(r"\(\?P<(\w+)>", route))
    return names == set(kwargs)


def failure(name, path, method, response):
    """One line saying what went wrong, with the last frames of the exception if any."""
    line = f"{method} {path} ({name}) -> {response.status_code}"
    exc_info = getattr(response, "exc_info", None)
    if exc_info:
        frames = traceback.extract_tb(exc_info[2])
        ours = [
            f for f in frames if "/.venv/" not in f.filename and "site-packages" not in f.filename
        ]
        where = "; ".join(
            f"{f.filename.rsplit('/work/main/', 1)[-1]}:{f.lineno}" for f in ours[-3:]
        )
        line += f"\n    {exc_info[0].__name__}: {str(exc_info[1])[:200]} at {where}"
    return line


def is_public(name):
    return name in PUBLIC


def soon(days=10):
    return timezone.localdate() + datetime.timedelta(days=days)


# Forms on a page ------------------------------------------------------------------------


@dataclass
class Form:
    """A form as a browser would send it: where, how, and each field's name with the value
    the page filled in (a list for a field that may repeat: checkboxes, multiple selects)."""

    page: str
    action: str
    method: str
    fields: dict
    files: list = field(default_factory=list)

    @property
    def key(self):
        return (self.method, self.action, tuple(sorted(self.fields)))


class _FormParser(HTMLParser):
    def __init__(self, page):
        super().__init__(convert_charrefs=True)
        self.page, self.forms, self.form, self.select, self.textarea = page, [], None, None, None
        self.options = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            action = urljoin(self.page, attrs.get("action") or self.page)
            self.form = Form(self.page, action, (attrs.get("method") or "get").lower(), {})
            self.forms.append(self.form)
            return
        name = attrs.get("name")
        if self.form is None:
            return
        if tag == "option" and self.select:
            value = attrs.get("value", "")
            self.form.fields.setdefault(self.select, [])
            if "selected" in attrs:
                self.form.fields[self.select].append(value)
            self.options.append(value)
        if not name or name == "csrfmiddlewaretoken":
            return
        if tag == "input":
            kind = attrs.get("type", "text").lower()
            if kind == "file":
                self.form.files.append(name)
                return
            if kind in ("submit", "button", "image", "reset"):
                if kind == "submit" and "value" in attrs:
                    self.form.fields.setdefault(name, [attrs["value"]])
                return
            values = self.form.fields.setdefault(name, [])
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    values.append(attrs.get("value", "on"))
            else:
                values.append(attrs.get("value", ""))
        elif tag == "button" and attrs.get("type", "submit") == "submit" and "value" in attrs:
            self.form.fields.setdefault(name, [attrs["value"]])
        elif tag == "select":
            self.select, self.options = name, []
        elif tag == "textarea":
            self.textarea = name
            self.form.fields[name] = [""]

    def handle_data(self, data):
        if self.textarea and self.form:
            self.form.fields[self.textarea][-1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "select":
            if self.form and self.select and not self.form.fields.get(self.select) and self.options:
                self.form.fields[self.select] = [self.options[0]]
            self.select = None
        elif tag == "textarea":
            if self.form and self.textarea:
                # A browser drops the newline that follows <textarea>.
                text = self.form.fields[self.textarea][-1]
                self.form.fields[self.textarea][-1] = text.removeprefix("\n")
            self.textarea = None


def forms_on(page, html):
    parser = _FormParser(page)
    parser.feed(html)
    return parser.forms


def pages(world, role, extra=False):
    """The pages ``role`` may open: every route without parameters, and every route with
    them that the world has an object for; with ``extra``, also the world's pages that show
    a form only in a state of their own (a started event, a pending invitation...)."""
    found = []
    for route, name, callback in ROUTES:
        if name in SIGNS_OUT:
            continue
        if role == "anonymous" and not is_public(name):
            continue
        roles = getattr(callback, "required_roles", None)
        if role != "anonymous" and roles is not None and role not in roles:
            continue
        if ("<" in route or "(?P" in route) and name not in world.kwargs:
            continue
        found.append((name, world.path(route, name)))
    if extra:
        found += [(None, path) for roles, path in world.extra_pages if role in roles]
    return found


def discover_forms(world, role, client):
    """Every form on the pages ``role`` may open, once each (a form found on many pages, like
    the sign-out button, is kept once)."""
    seen = {}
    for _name, path in pages(world, role, extra=True):
        response = client.get(path)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        for form in forms_on(path, response.content.decode()):
            if not form.action.startswith("/") or "/accounts/logout/" in form.action:
                continue
            seen.setdefault(form.key, form)
    return list(seen.values())


def route_name(path):
    """The route a form is sent to."""
    return resolve(urlsplit(path).path).view_name


def _declared_methods(view):
    """The methods a view's ``require_http_methods`` (or ``require_POST``) allows, or None
    for a view that takes any method."""
    while view is not None:
        for cell in getattr(view, "__closure__", None) or ():
            try:
                value = cell.cell_contents
            except ValueError:
                continue
            if (
                isinstance(value, list)
                and value
                and all(isinstance(m, str) and m.isupper() for m in value)
            ):
                return set(value)
        view = getattr(view, "__wrapped__", None)
    return None


def _reads_post(function, depth=3, seen=None):
    """Whether ``function``, or a function of its module that it calls (three deep), reads
    a POST: a view that takes any method but treats a POST like a GET does not count."""
    seen = set() if seen is None else seen
    if not isinstance(function, types.FunctionType) or function in seen:
        return False
    seen.add(function)
    try:
        if "POST" in inspect.getsource(function):
            return True
    except (OSError, TypeError):
        return False
    return depth > 0 and any(
        _reads_post(called, depth - 1, seen)
        for called in (function.__globals__.get(n) for n in function.__code__.co_names)
        if getattr(called, "__module__", None) == function.__module__
    )


def accepts_post(callback):
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:
        return hasattr(view_class, "post") and "post" in view_class.http_method_names
    methods = _declared_methods(callback)
    if methods is not None:
        return "POST" in methods
    return _reads_post(inspect.unwrap(callback))


POST_ROUTES = {name for _, name, callback in ROUTES if accepts_post(callback)}
