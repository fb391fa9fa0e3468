"""Writes of the core, one function per use case, each in one transaction."""

import logging
import operator
from functools import reduce
from importlib import import_module

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.text import slugify

from hubsite.privacy.models import AuditEntry
from hubsite.privacy.services import audit_record

from .models import Consent, Group, GroupMembership, Locality, Person, Role, Tag, User
from .registry import personal_data_providers
from .rules import STAFF, has_role
from .selectors import invitation_pending, person_by_email

log = logging.getLogger(__name__)

# Slugs that URL patterns use for their own pages ("groups/new/").
RESERVED_SLUGS = {"confirm", "unsubscribe", "new", "requests"}


def unique_slug(model, name, exclude_pk=None):
    max_length = model._meta.get_field("slug").max_length
    base = slugify(name)[:max_length] or model._meta.model_name
    if base in RESERVED_SLUGS:
        base = f"{base}-{model._meta.model_name}"
    others = model.objects.exclude(pk=exclude_pk) if exclude_pk else model.objects.all()
    slug, n = base, 2
    while others.filter(slug=slug).exists():
        suffix = f"-{n}"
        slug, n = base[: max_length - len(suffix)] + suffix, n + 1
    return slug


def _create_unique(model, error, **fields):
    """Create a row whose uniqueness was checked first; a concurrent request that wins the
    race between check and insert gets the same message instead of a 500."""
    try:
        with transaction.atomic():
            return model.objects.create(**fields)
    except IntegrityError:
        raise error from None


def _save_unique(instance, error):
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError:
        raise error from None
    return instance


def _duplicate_email_error(existing):
    return ValidationError(
        {"email": f"{existing.full_name} already has this email address."},
        code="duplicate_email",
    )


def person_create(*, first_name, created_by=None, tags=(), consents=(), **fields):
    """Add a person. ``consents`` is a list of purposes the person has agreed to, recorded
    with ``fields['consent_method']`` (default: online). The person, their tags and their
    consents are saved together or not at all."""
    method = fields.pop("consent_method", Consent.Method.ONLINE)
    email = (fields.pop("email", "") or "").strip().lower()
    if email and (existing := person_by_email(email)):
        raise _duplicate_email_error(existing)
    try:
        with transaction.atomic():
            person = Person.objects.create(first_name=first_name, email=email, **fields)
            if tags:  # a new person has none: no query to find which to remove
                person.tags.set(tags)
            for purpose in consents:
                consent_record(
                    person=person,
                    purpose=purpose,
                    given=True,
                    method=method,
                    recorded_by=created_by,
                )
    except IntegrityError:
        # A concurrent request added the same email first; anything else is not ours to name.
        if email and (existing := person_by_email(email)):
            raise _duplicate_email_error(existing) from None
        raise
    return person


@transaction.atomic
def person_update(*, person, tags=None, **fields):
    if "email" in fields:
        fields["email"] = (fields["email"] or "").strip().lower()
        if person.user_id and fields["email"] != person.email:
            raise ValidationError(
                {"email": "This address is their login: they change it from their account."}
            )
        existing = person_by_email(fields["email"])
        if existing and existing.pk != person.pk:
            raise _duplicate_email_error(existing)
    for name, value in fields.items():
        setattr(person, name, value)
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError:
        raise _duplicate_email_error(person_by_email(person.email)) from None
    if tags is not None:
        person.tags.set(tags)
    return person


@transaction.atomic
def consent_record(*, person, purpose, given, method, recorded_by=None, note=""):
    """Append one dated statement of consent; the history is never rewritten. The audit log
    notes who recorded it and how."""
    if purpose not in Consent.Purpose.values:
        raise ValidationError("Unknown consent purpose.")
    if method not in Consent.Method.values:
        raise ValidationError("Unknown way of recording consent.")
    consent = Consent.objects.create(
        person=person,
        purpose=purpose,
        given=given,
        method=method,
        recorded_by=recorded_by,
        note=note,
    )
    audit_record(
        actor=recorded_by,
        action=AuditEntry.Action.CONSENT_CHANGED,
        subject=person,
        target=f"people.consent:{consent.pk}",
        detail=f"{purpose} {'given' if given else 'withdrawn'} ({method})",
    )
    return consent


@transaction.atomic
def group_create(*, name, **fields):
    error = ValidationError({"name": "A group with this name already exists."})
    if Group.objects.filter(name__iexact=name.strip()).exists():
        raise error
    return _create_unique(Group, error, name=name.strip(), slug=unique_slug(Group, name), **fields)


@transaction.atomic
def group_update(*, group, updated_by=None, **fields):
    """Save a group's details. Only staff change its kind (``updated_by`` is the account
    editing it, None for the hub's own code): its organisers who are not staff may run it
    only because of its kind, and would lock themselves out."""
    if (
        "kind" in fields
        and fields["kind"] != group.kind
        and updated_by is not None
        and not has_role(updated_by, STAFF)
    ):
        raise ValidationError({"kind": "Only the hub's staff change the kind of a group."})
    name = fields.get("name", group.name).strip()
    error = ValidationError({"name": "A group with this name already exists."})
    if Group.objects.exclude(pk=group.pk).filter(name__iexact=name).exists():
        raise error
    for field, value in fields.items():
        setattr(group, field, value)
    return _save_unique(group, error)


@transaction.atomic
def group_member_add(*, group, person, role=GroupMembership.Role.MEMBER):
    error = ValidationError(f"{person} is already in {group}.")
    if GroupMembership.objects.filter(group=group, person=person).exists():
        raise error
    return _create_unique(GroupMembership, error, group=group, person=person, role=role)


RUNS_THE_GROUP = (GroupMembership.Role.ORGANISER, GroupMembership.Role.LEADER)


def _refuse_leaving_without_organiser(membership, change):
    """A group always keeps someone who runs it: the last organiser or leader stays until
    another member is made one. The group's row is locked so that two organisers stepping
    down at once cannot both pass the check."""
    if membership.role not in RUNS_THE_GROUP:
        return
    group = Group.objects.select_for_update().get(pk=membership.group_id)
    others = group.memberships.filter(role__in=RUNS_THE_GROUP).exclude(pk=membership.pk)
    if not others.exists():
        raise ValidationError(
            f"{membership.person} is the only organiser or leader of {group}, so they "
            f"cannot be {change}. First make another member an organiser or a leader."
        )


@transaction.atomic
def group_member_set_role(*, membership, role):
    if role not in GroupMembership.Role.values:
        raise ValidationError("Choose a role from the list.")
    if role not in RUNS_THE_GROUP:
        _refuse_leaving_without_organiser(membership, "made a member")
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def group_member_remove(*, membership):
    _refuse_leaving_without_organiser(membership, "removed")
    membership.delete()


@transaction.atomic
def locality_create(*, name, **fields):
    if Locality.objects.filter(name__iexact=name.strip()).exists():
        raise ValidationError({"name": "A locality with this name already exists."})
    return Locality.objects.create(name=name.strip(), slug=unique_slug(Locality, name), **fields)


@transaction.atomic
def locality_update(*, locality, **fields):
    name = fields.get("name", locality.name).strip()
    error = ValidationError({"name": "A locality with this name already exists."})
    if Locality.objects.exclude(pk=locality.pk).filter(name__iexact=name).exists():
        raise error
    for field, value in fields.items():
        setattr(locality, field, value)
    return _save_unique(locality, error)


@transaction.atomic
def tag_create(*, name, description=""):
    error = ValidationError({"name": "This community of interest already exists."})
    if Tag.objects.filter(name__iexact=name.strip()).exists():
        raise error
    return _create_unique(
        Tag, error, name=name.strip(), slug=unique_slug(Tag, name), description=description
    )


@transaction.atomic
def person_link_user(*, user):
    """Give a user their Person: the one with their (verified) email, or a new one."""
    if hasattr(user, "person"):
        return user.person
    person = person_by_email(user.email)
    if person and person.user_id is None:
        person.user = user
        person.save(update_fields=["user", "updated_at"])
        return person
    if person:  # held by another account: never hand one person's record to a second login
        raise ValidationError("This email address belongs to another account.")
    local_part = user.email.split("@")[0]
    return Person.objects.create(first_name=local_part[:80], email=user.email, user=user)


@transaction.atomic
def person_follow_login(*, user, email):
    """A person's address follows the login they changed and verified, unless another
    person record already holds it (staff then see two records to reconcile)."""
    person = Person.objects.filter(user=user).first()
    email = email.strip().lower()
    if person is None or person.email == email:
        return person
    if Person.objects.filter(email__iexact=email).exclude(pk=person.pk).exists():
        log.warning("Person %s kept their address: another record holds the new one", person.pk)
        return person
    person.email = email
    _save_unique(person, ValidationError("Another person holds this address."))
    return person


def _invite_link(user):
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return reverse("people:invite_accept", args=[uid, token])


@transaction.atomic
def user_invite(*, person, role, invited_by, site_url):
    """Open an account for a known person with ``role`` and email them a link to set a
    password. The person must have an email address and no account yet."""
    from allauth.account.models import EmailAddress

    if role not in Role.values:
        raise ValidationError({"role": "Choose a role from the list."})
    if not person.email:
        raise ValidationError("Add an email address to this person before inviting them.")
    if person.user_id:
        raise ValidationError(f"{person} already has an account.")
    error = ValidationError("An account with this email address already exists.")
    if User.objects.filter(email__iexact=person.email).exists():
        raise error
    try:
        with transaction.atomic():
            user = User.objects.create_user(email=person.email, password=None, role=role)
    except IntegrityError:
        raise error from None
    # allauth's view of the address: theirs, not yet verified until they follow the link.
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=False)
    person.user = user
    person.save(update_fields=["user", "updated_at"])
    _invite_send(user=user, person=person, invited_by=invited_by, site_url=site_url, number=1)
    return user


@transaction.atomic
def user_invite_resend(*, person, invited_by, site_url):
    """Send the invitation again (lost, or its link out of date), while it is unused."""
    from hubsite.notify.models import OutboxMessage

    user = person.user
    if not invitation_pending(user):
        raise ValidationError(f"{person} has already started using their account.")
    sent = OutboxMessage.objects.filter(key__startswith=f"people.invite:{user.pk}:").count()
    _invite_send(
        user=user, person=person, invited_by=invited_by, site_url=site_url, number=sent + 1
    )
    return user


def _invite_send(*, user, person, invited_by, site_url, number):
    from hubsite.notify.models import OutboxMessage
    from hubsite.notify.services import message_queue

    context = {
        "person": person,
        "role": user.get_role_display(),
        "invited_by": invited_by,
        "link": site_url + _invite_link(user),
        "HUB_NAME": settings.HUB_NAME,
    }
    message_queue(
        key=f"people.invite:{user.pk}:{number}",
        person=person,
        to_email=person.email,
        subject=render_to_string("people/email/invite_subject.txt", context).strip(),
        body_text=render_to_string("people/email/invite_body.txt", context),
        category=OutboxMessage.Category.ACCOUNT,
    )


@transaction.atomic
def invite_accept(*, user, password):
    """The invited person sets a password: the address they were invited at is verified."""
    from allauth.account.models import EmailAddress

    user.set_password(password)
    user.save(update_fields=["password"])
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    return user


@transaction.atomic
def user_set_role(*, user, role, changed_by=None):
    if role not in Role.values:
        raise ValidationError({"role": "Choose a role from the list."})
    before = user.role
    user.role = role
    fields = ["role"]
    if role != Role.STAFF:
        # The admin site is for hub staff only: a change of role takes it away too.
        user.is_staff = user.is_superuser = False
        fields += ["is_staff", "is_superuser"]
    user.save(update_fields=fields)
    if before != role:
        audit_record(
            actor=changed_by,
            action=AuditEntry.Action.ROLE_CHANGED,
            subject=getattr(user, "person", None),
            target=f"people.user:{user.pk}",
            detail=f"{before} → {role}",
        )
    return user


def personal_data_export(*, person, viewer=None):
    """Everything every app holds about ``person``, by provider (subject access). What only
    staff may read (sensitive notes) is included only when ``viewer`` is staff. An export
    for someone (staff, or the person themselves) is written in the audit log."""
    holdings = {
        name: {"label": provider.label, "data": provider.export(person, viewer)}
        for name, provider in personal_data_providers().items()
    }
    if viewer is not None:
        own = getattr(viewer, "pk", None) is not None and viewer.pk == person.user_id
        audit_record(
            actor=viewer,
            action=AuditEntry.Action.DOWNLOADED_OWN if own else AuditEntry.Action.EXPORTED,
            subject=person,
            target=f"people.person:{person.pk}",
        )
    return holdings


@transaction.atomic
def person_erase(*, person, erased_by=None, reason=""):
    """Remove or anonymise everything every app holds about ``person``, all or nothing.
    The core's own provider runs last: it deletes the person the others point to. The
    audit log keeps who erased the person (by id) and why, never what they were called."""
    person_id = person.pk
    providers = personal_data_providers()
    core = providers.pop("people", None)
    for provider in [*providers.values(), *([core] if core else [])]:
        provider.erase(person)
    audit_record(
        actor=erased_by,
        action=AuditEntry.Action.ERASED,
        subject=person_id,
        target=f"people.person:{person_id}",
        detail=reason,
    )


def person_data_erase(person):
    """The core's erasure: the person, their consents and memberships go; their login is
    closed and stripped of the address, and signed out wherever it was signed in. The
    admin's log of changes forgets them too."""
    from django.contrib.admin.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    user = person.user
    person_id = person.pk
    # A name alone ("Sam") would match others' entries: the full name, or the addresses.
    full_name = person.full_name.strip()
    names = {full_name} if " " in full_name else set()
    names |= {address for address in (person.email, getattr(user, "email", "")) if address}
    # The admin's log names what it changed ("Quillon Smith", "q@example.org"): the entries
    # about the person and their login go; others that name them (a conversation with
    # them…) stay as a record of the change, without the name.
    mine = Q(content_type=ContentType.objects.get_for_model(Person), object_id=str(person_id))
    if user is not None:
        mine |= Q(content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk))
    LogEntry.objects.filter(mine).delete()
    if names:
        naming = reduce(operator.or_, (Q(object_repr__icontains=name) for name in names))
        LogEntry.objects.filter(naming).update(object_repr="(erased)")
    person.delete()
    # The history kept copies of the record (name, address, phone), the deletion's included:
    # those rows go too.
    Person.history.filter(id=person_id).delete()
    if user is not None:
        User.history.filter(id=user.pk).delete()
        user.email = f"erased-{user.pk}@invalid"
        user.is_active = False
        user.set_unusable_password()
        user.save(update_fields=["email", "is_active", "password"])
        user.emailaddress_set.all().delete()
        _sessions_end(user, names)


def _sessions_end(user, addresses):
    """Delete the sessions signed in as ``user``, and those holding one of their addresses
    (a sign-in or sign-up half done). Sessions are signed and encoded, so each is decoded;
    erasure is rare enough for that."""
    engine = import_module(settings.SESSION_ENGINE)
    store = engine.SessionStore
    if not hasattr(store, "get_model_class"):  # not kept in the database: nothing to scan
        return
    model = store.get_model_class()
    addresses = [address.lower() for address in addresses if "@" in address]
    ended = []
    rows = model.objects.filter(expire_date__gt=timezone.now())
    for key, data in rows.values_list("session_key", "session_data").iterator():
        decoded = store().decode(data)
        text = str(decoded).lower()
        if decoded.get("_auth_user_id") == str(user.pk) or any(a in text for a in addresses):
            ended.append(key)
    model.objects.filter(session_key__in=ended).delete()
