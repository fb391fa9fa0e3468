"""A person's own data page: the consents that hold now and how they changed, the requests
they made to the hub, and the two things they do there themselves (change their consents, ask
the hub for something). Everything here reads and writes only the viewer's own person."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery

from hubsite.people.models import Consent, Person
from hubsite.people.services import consent_record

from .models import DataRequest
from .services import data_request_create

Purpose = Consent.Purpose

# The ways the hub may contact a person, then the other uses of their data they choose.
CONTACT_PURPOSES = (
    Purpose.CONTACT_EMAIL,
    Purpose.CONTACT_SMS,
    Purpose.CONTACT_PHONE,
    Purpose.CONTACT_POST,
)
OTHER_PURPOSES = (Purpose.SHOW_NAME, Purpose.KEEP_RECORD)

# How each choice reads on the page, and what saying yes means.
LABELS = {
    Purpose.CONTACT_EMAIL: "Email",
    Purpose.CONTACT_SMS: "Text messages",
    Purpose.CONTACT_PHONE: "Phone calls",
    Purpose.CONTACT_POST: "Letters by post",
    Purpose.SHOW_NAME: "Show my name publicly",
    Purpose.KEEP_RECORD: "Keep a record of what I shared in listening conversations",
}
MEANINGS = {
    Purpose.CONTACT_EMAIL: "We may email you news of the hub and ways to get involved.",
    Purpose.CONTACT_SMS: "We may send text messages to your phone, such as event reminders.",
    Purpose.CONTACT_PHONE: "We may ring you, for example to follow up what you asked us.",
    Purpose.CONTACT_POST: "We may send letters to your address.",
    Purpose.SHOW_NAME: (
        "Your name may appear on the hub's public pages, such as beside a campaign you "
        "signed or a story you told. With No, you appear without your name."
    ),
    Purpose.KEEP_RECORD: (
        "We keep what you told us in listening conversations (your concerns, hopes and "
        "ideas) so we can follow it up and act on it. With No, we stop following it up and "
        "it goes when its time is up; to have it removed now, ask us to erase your data."
    ),
}

# How many requests of one kind a person may have open at once.
OPEN_REQUESTS_PER_KIND = 3

# What the person may ask for, in their words.
ASK_CHOICES = [
    (DataRequest.Kind.ACCESS, "Send me a copy of everything you hold about me"),
    (DataRequest.Kind.CORRECTION, "Correct something you hold about me"),
    (DataRequest.Kind.OBJECTION, "Stop using my data for something (an objection)"),
    (DataRequest.Kind.ERASURE, "Erase my data"),
]


# Reads ----------------------------------------------------------------------------------


def consents_now(person) -> dict:
    """The statement that holds now for every purpose (None where never asked), in one
    query, however long the history."""
    latest = Consent.objects.filter(person=person, purpose=OuterRef("purpose")).order_by(
        "-recorded_at", "-id"
    )
    rows = Consent.objects.filter(person=person, pk=Subquery(latest.values("pk")[:1]))
    found = {consent.purpose: consent for consent in rows}
    return {purpose: found.get(purpose) for purpose in Purpose.values}


def consent_history(person):
    """Every statement the person's consent rests on, newest first."""
    return Consent.objects.filter(person=person).order_by("-recorded_at", "-id")


def recorded_by_whom(consent, viewer) -> str:
    """Who recorded a statement, as its person reads it: themselves or the hub's staff."""
    if consent.recorded_by_id is None:
        # Without an account behind it, an online statement came from the person's own
        # answer on a public page (a sign-up, joining); any other was the hub's.
        return "You" if consent.method == Consent.Method.ONLINE else "The hub"
    return "You" if consent.recorded_by_id == viewer.pk else "Hub staff"


def own_requests(person):
    """The requests the person made about their data, newest first."""
    return DataRequest.objects.filter(person=person).order_by("-received_on", "-id")


# Writes ---------------------------------------------------------------------------------


def _lock(person):
    """Take the person's row for the rest of the transaction: the same form sent twice at
    once is saved one after the other, so the second sees what the first did."""
    list(Person.objects.select_for_update().filter(pk=person.pk).values_list("pk", flat=True))


@transaction.atomic
def own_consents_update(*, person, choices, recorded_by):
    """Record the person's own choices, dated and online: one statement for each purpose
    whose answer changed, none for the others, so the history says only what was said.
    ``choices`` maps purposes to True (yes) or False (no). Returns the new statements."""
    if set(choices) - set(Purpose.values):
        raise ValidationError("Choose among the uses of your data listed on the page.")
    _lock(person)
    current = consents_now(person)
    recorded = []
    for purpose in Purpose.values:
        if purpose not in choices:
            continue
        now = current[purpose]
        if bool(choices[purpose]) == (now is not None and now.given):
            continue
        recorded.append(
            consent_record(
                person=person,
                purpose=purpose,
                given=bool(choices[purpose]),
                method=Consent.Method.ONLINE,
                recorded_by=recorded_by,
                note="Own choices on the Your data page",
            )
        )
    return recorded


@transaction.atomic
def own_request_make(*, person, kind, details, made_by):
    """Log the person's own request to the hub (received online today). The same request
    already open is not logged again; more than OPEN_REQUESTS_PER_KIND open of one kind are
    refused. Returns ``(request, created)``."""
    if kind not in DataRequest.Kind.values:
        raise ValidationError({"kind": "Choose what you are asking for."})
    details = (details or "").strip().replace("\r\n", "\n")
    _lock(person)
    open_ones = DataRequest.objects.filter(person=person, kind=kind, status=DataRequest.Status.OPEN)
    same = open_ones.filter(details=details).order_by("-id").first()
    if same is not None:
        return same, False
    if open_ones.count() >= OPEN_REQUESTS_PER_KIND:
        raise ValidationError(
            {
                "kind": (
                    f"You already have {OPEN_REQUESTS_PER_KIND} requests of this kind waiting "
                    "for an answer. The hub will answer them first; you can add to them by "
                    "replying to the hub."
                )
            }
        )
    request = data_request_create(
        kind=kind,
        person=person,
        channel=DataRequest.Channel.ONLINE,
        details=details,
        logged_by=made_by,
    )
    return request, True
