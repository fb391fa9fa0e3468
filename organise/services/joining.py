"""Writes of joining the hub and of a member's own choices. A visitor's application counts
only once its email is confirmed by the signed link sent to it (double opt-in); confirming
creates or matches the Person of the core, never a duplicate, and makes them a member. What a
visitor sees never tells whether an address was known: that answer goes to the address, by
email. A signed-in person's login address is verified already, so they join at once."""

import json
from datetime import timedelta
from functools import reduce
from operator import or_

from django.conf import settings
from django.contrib.auth import password_validation
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from hubsite.notify.models import OutboxMessage
from hubsite.notify.services import message_queue, site_url
from hubsite.people.models import Consent, Person, Role, User
from hubsite.people.selectors import consent_given, person_by_email
from hubsite.people.services import (
    consent_record,
    person_create,
    person_link_user,
    person_update,
)

from ..models import JoinApplication, Membership, MembershipType
from ..selectors.mine import account_for
from .membership import membership_start

CONFIRM_SALT = "organise.join-confirm"
ANSWERS_SALT = "organise.join-answers"
# How long a confirmation link works.
CONFIRM_MAX_AGE = timedelta(days=14)

# Subject and template of each email about joining. They answer what the address asked for
# (or what someone asked in its name), so no contact consent is needed.
EMAILS = {
    "confirm": ("Please confirm you want to join", "organise/email/join_confirm.txt"),
    "already": ("You are already a member", "organise/email/join_already.txt"),
    "welcome": ("Welcome to {hub}", "organise/email/join_welcome.txt"),
}


# Links ----------------------------------------------------------------------------------


def confirm_token(application):
    return signing.dumps({"application": application.pk}, salt=CONFIRM_SALT)


def application_from_token(token):
    """The application a confirmation link names, as ``(application, expired)``: the
    application is None when the link is broken, too old (``expired``) or names nothing."""
    try:
        data = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.SignatureExpired:
        return None, True
    except signing.BadSignature:
        return None, False
    pk = data.get("application") if isinstance(data, dict) else None
    if not isinstance(pk, int):
        return None, False
    application = (
        JoinApplication.objects.select_related("type", "locality", "membership__type")
        .prefetch_related("tags")
        .filter(pk=pk)
        .first()
    )
    return application, False


def _email(*, purpose, key, to_email, first_name, person=None, **context):
    subject, template = EMAILS[purpose]
    context.update(
        {
            "first_name": first_name,
            "purpose": purpose,
            "hub_name": settings.HUB_NAME,
            "max_age_days": CONFIRM_MAX_AGE.days,
            "login_url": site_url() + reverse("account_login"),
            "reset_url": site_url() + reverse("account_reset_password"),
            # Closed sign-up: no link to a page that refuses them.
            "signup_url": site_url() + reverse("account_signup") if settings.SIGNUP_OPEN else "",
            "membership_url": site_url() + reverse("organise:my_membership"),
        }
    )
    return message_queue(
        key=key,
        to_email=to_email,
        subject=f"[{settings.HUB_NAME}] " + subject.format(hub=settings.HUB_NAME),
        body_text=render_to_string(template, context),
        person=person,
        category=OutboxMessage.Category.ACCOUNT,
    )


# Applying and confirming ----------------------------------------------------------------


def application_answers_digest(application):
    """A digest of the answers the confirm page shows (names, address, postcode, place,
    kind, communities, consent). The page's form sends it back, and confirming refuses if
    the answers changed since: another application for the address (perhaps a stranger's)
    never gets confirmed by someone who was shown different answers."""
    answers = [
        application.email.lower(),
        application.first_name,
        application.last_name,
        application.postcode,
        application.locality_id,
        application.type_id,
        sorted(tag.pk for tag in application.tags.all()),
        bool(application.consent_contact),
    ]
    return salted_hmac(ANSWERS_SALT, json.dumps(answers), algorithm="sha256").hexdigest()


def _check_type(type):
    if not isinstance(type, MembershipType):
        raise ValidationError({"type": "Choose a kind of membership."})
    if not type.open_to_join:
        raise ValidationError(
            {"type": "This kind of membership is no longer offered: choose another."}
        )


@transaction.atomic
def application_submit(
    *,
    email,
    first_name,
    type,
    last_name="",
    postcode="",
    locality=None,
    tags=(),
    consent_contact=False,
):
    """Take a visitor's application to join and email the address a link to confirm it.

    The page says the same whatever the address: an active member gets an email saying so
    (with how to sign in) and nothing is written; an address with an application waiting
    gets its link again, at most once a day, for the answers typed last, and its link is
    as new as the answers (the row is dated now, so it is not forgotten the night after).
    Returns the application, or None when the address belongs to an active member."""
    _check_type(type)
    email = (email or "").strip().lower()
    first_name = " ".join((first_name or "").split())
    errors = {}
    if not first_name:
        errors["first_name"] = "Enter your first name."
    if not email:
        errors["email"] = "Enter your email address."
    if errors:
        raise ValidationError(errors)
    today = timezone.localdate().isoformat()
    person = person_by_email(email)
    membership = Membership.objects.filter(person=person).first() if person else None
    if membership is not None and membership.status == Membership.Status.ACTIVE:
        _email(
            purpose="already",
            key=f"organise:join:member:{person.pk}:{today}",
            to_email=email,
            first_name=person.first_name,
            person=person,
            has_account=person.user_id is not None or account_for(email) is not None,
        )
        return None
    fields = {
        "first_name": first_name,
        "last_name": " ".join((last_name or "").split()),
        "postcode": postcode or "",
        "locality": locality,
        "type": type,
        "consent_contact": bool(consent_contact),
    }
    waiting = (
        JoinApplication.objects.select_for_update(of=("self",))
        .alias(email_lower=Lower("email"))  # what the index holds
        .filter(email_lower=email, confirmed_at__isnull=True)
        .order_by("-created_at", "-id")
        .first()
    )
    if waiting is None:
        application = JoinApplication.objects.create(email=email, **fields)
        application.tags.set(tags)
        key = f"organise:join:{application.pk}:confirm"
    else:
        # Whoever holds the address confirms what was typed last, shown on the confirm page:
        # an earlier attempt, perhaps a stranger's, never speaks for them.
        application = waiting
        for name, value in fields.items():
            setattr(application, name, value)
        application.created_at = timezone.now()
        application.save()
        application.tags.set(tags)
        key = f"organise:join:{application.pk}:confirm:{today}"
    link = reverse("organise:join_confirm", args=[confirm_token(application)])
    _email(
        purpose="confirm",
        key=key,
        to_email=email,
        first_name=first_name,
        person=person,
        application=application,
        confirm_url=site_url() + link,
    )
    return application


def _person_for(application):
    """The person the hub knows by the application's address (their blank details filled
    in, nothing overwritten), or a new one."""
    person = person_by_email(application.email)
    if person is None:
        try:
            with transaction.atomic():
                return person_create(
                    first_name=application.first_name,
                    last_name=application.last_name,
                    email=application.email,
                    postcode=application.postcode,
                    locality=application.locality,
                    first_contact=Person.FirstContact.ONLINE,
                )
        except ValidationError:  # created a moment ago by another confirmation
            person = person_by_email(application.email)
            if person is None:
                raise
    blanks = {
        name: getattr(application, name)
        for name in ("last_name", "postcode", "locality")
        if getattr(application, name) and not getattr(person, name)
    }
    if blanks:
        person = person_update(person=person, **blanks)
    return person


def _link_account(person):
    """An account that already signs in with this (verified) address gets the person."""
    if person.user_id is not None:
        return
    user = account_for(person.email)
    if user is None or hasattr(user, "person"):
        return
    from allauth.account.models import EmailAddress

    if EmailAddress.objects.filter(user=user, email__iexact=person.email, verified=True).exists():
        person_link_user(user=user)


def _consent_to_contact(person, note, recorded_by=None):
    if not consent_given(person, Consent.Purpose.CONTACT_EMAIL):
        consent_record(
            person=person,
            purpose=Consent.Purpose.CONTACT_EMAIL,
            given=True,
            method=Consent.Method.ONLINE,
            recorded_by=recorded_by,
            note=note,
        )


@transaction.atomic
def application_confirm(*, application, answers_digest=None, today=None):
    """The address confirmed: the person is found or created, their communities and their
    wish to hear from the hub recorded, and they become a member. Confirming twice is
    harmless.

    ``answers_digest`` is application_answers_digest() of the answers the person was shown
    (the confirm page sends it): when the application holds other answers now, nothing is
    confirmed, and the ValidationError (code ``answers_changed``) asks to check them again."""
    application = (
        JoinApplication.objects.select_for_update(of=("self",))
        .select_related("type", "locality")
        .filter(pk=application.pk)
        .first()
    )
    if application is None:  # forgotten meanwhile, never confirmed
        raise ValidationError("This application is no longer waiting: join again.")
    if application.confirmed_at is not None:
        return application
    if answers_digest is not None and not constant_time_compare(
        answers_digest, application_answers_digest(application)
    ):
        raise ValidationError(
            "The answers to confirm have changed since this page was shown, perhaps because "
            "someone applied again with this address. Check the answers below: confirm only "
            "if they are yours.",
            code="answers_changed",
        )
    _check_type(application.type)
    person = _person_for(application)
    _link_account(person)
    tags = list(application.tags.all())
    if tags:
        person.tags.add(*tags)
    if application.consent_contact:
        _consent_to_contact(person, "When joining the hub")
    membership, kind = membership_start(person=person, type=application.type, today=today)
    application.confirmed_at = timezone.now()
    application.membership = membership
    application.save(update_fields=["confirmed_at", "membership"])
    if kind is not None:
        _email(
            purpose="welcome",
            key=f"organise:join:{application.pk}:welcome",
            to_email=application.email,
            first_name=person.first_name,
            person=person,
            membership=membership,
        )
    return application


@transaction.atomic
def application_account_create(*, application, password):
    """A new member who confirmed their address chooses a password: their account (role
    member, the address verified by the link they followed) is opened and given their
    person. Only for a confirmed application, only while no account has the address, and
    only while the hub's sign-up is open (otherwise staff invite people)."""
    if not settings.SIGNUP_OPEN:
        raise ValidationError(
            "The hub does not open accounts here at the moment: its staff can invite you.",
            code="signup_closed",
        )
    application = (
        JoinApplication.objects.select_for_update(of=("self",))
        .select_related("membership__person")
        .get(pk=application.pk)
    )
    if application.confirmed_at is None or application.membership is None:
        raise ValidationError("Confirm your membership first.")
    person = application.membership.person
    email = application.email.lower()
    taken = ValidationError(
        "An account already signs in with this address: sign in to see your membership.",
        code="account_exists",
    )
    if person.user_id is not None or account_for(email) is not None:
        raise taken
    if person.email.lower() != email:
        raise ValidationError("Your address has changed since you joined: ask the hub for help.")
    password_validation.validate_password(password, User(email=email))
    try:
        with transaction.atomic():
            user = User.objects.create_user(email=email, password=password, role=Role.MEMBER)
    except IntegrityError:  # opened a moment ago by another request
        raise taken from None
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    person.user = user
    person.save(update_fields=["user", "updated_at"])
    return user


# A signed-in person ---------------------------------------------------------------------


@transaction.atomic
def membership_join(*, person, type, consent_contact=False, recorded_by=None, today=None):
    """A signed-in person joins (or rejoins) at once: their address is their verified login.
    Returns ``(membership, kind)`` as membership_start does; kind is None for a member
    already active, whose membership is left as it is."""
    _check_type(type)
    if consent_contact:
        _consent_to_contact(person, "When joining the hub", recorded_by=recorded_by)
    return membership_start(person=person, type=type, today=today)


# An application never confirmed is kept only as long as its link could be used, and a little
# more (so that someone who clicks a day late is told the link expired, not that it is wrong).
UNCONFIRMED_KEPT = timedelta(days=30)
# Applications forgotten per query (a query's parameters are limited, on SQLite to 32766).
FORGET_BATCH = 500


@transaction.atomic
def applications_forget_unconfirmed(*, now=None):
    """Delete the join applications never confirmed within UNCONFIRMED_KEPT, with the
    emails written about them (their address and name are in the outbox too): the hub keeps
    nothing of someone who did not finish joining. An application being applied for again
    at this moment is left for the next night. Safe to run twice. Returns how many."""
    now = now or timezone.now()
    pks = list(
        JoinApplication.objects.select_for_update(skip_locked=True)
        .filter(confirmed_at__isnull=True, created_at__lt=now - UNCONFIRMED_KEPT)
        .values_list("pk", flat=True)
    )
    for start in range(0, len(pks), FORGET_BATCH):
        batch = pks[start : start + FORGET_BATCH]
        keys = reduce(or_, (Q(key__startswith=f"organise:join:{pk}:") for pk in batch))
        OutboxMessage.objects.filter(keys).delete()
        JoinApplication.objects.filter(pk__in=batch).delete()
    return len(pks)
