"""Writes of volunteering: offers of skills and time, opportunities and their shifts, signing
up to a shift and giving the place back, and the hours logged after it.

A shift's places hold under concurrency: signing up first locks the shift's row
(``select_for_update``) and then counts who holds a place, so two people racing for the last
place are served one after the other and never both get it. Each function re-checks the rules
it owns and raises a ValidationError a person can read; nothing is half-saved."""

from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from hubsite.people.models import Person
from hubsite.people.services import unique_slug

from ..models import Availability, Opportunity, Shift, ShiftSignup, Skill, VolunteerOffer
from ..rules import can_manage_opportunity, can_run_events, is_staff
from ..selectors.events import groups_to_host
from ..selectors.volunteering import hours_limit

SIGNED_UP = ShiftSignup.Status.SIGNED_UP
MAX_DESCRIPTION = 2000
MAX_PLACES = 500
HORIZON = timedelta(days=5 * 366)
MAX_SHIFT_LENGTH = timedelta(hours=24)


# Skills --------------------------------------------------------------------------------


def _skill_name(name):
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": "Enter a name for the skill."})
    if len(name) > Skill._meta.get_field("name").max_length:
        raise ValidationError({"name": "Keep the skill's name under 80 characters."})
    return name[0].upper() + name[1:]


def skill_get_or_create(*, name):
    """The skill called ``name`` (whatever its case), created when it is new."""
    name = _skill_name(name)
    skill = Skill.objects.filter(name__iexact=name).first()
    if skill:
        return skill
    try:
        with transaction.atomic():
            return Skill.objects.create(name=name, slug=unique_slug(Skill, name))
    except IntegrityError:  # someone added it a moment ago
        return Skill.objects.get(name__iexact=name)


def _skills(skills, new_skills):
    found = {skill.pk: skill for skill in skills}
    for name in new_skills:
        try:
            skill = skill_get_or_create(name=name)
        except ValidationError as error:
            raise ValidationError({"new_skills": error.messages}) from None
        found[skill.pk] = skill
    return list(found.values())


# Offers --------------------------------------------------------------------------------


def _availability(codes):
    codes = list(codes or ())
    unknown = [code for code in codes if code not in Availability.values]
    if unknown:
        raise ValidationError({"availability": "Choose from the times listed."})
    return [code for code in Availability.values if code in codes]  # the list's own order


@transaction.atomic
def offer_save(
    *,
    person,
    recorded_by,
    description,
    skills=(),
    new_skills=(),
    availability=(),
    locality=None,
    active=True,
):
    """Record what ``person`` offers, when they are free and where: their offer is created
    the first time and updated after. A person records their own; staff may record one for
    anyone."""
    own = getattr(recorded_by, "person", None) if recorded_by.is_authenticated else None
    if not is_staff(recorded_by) and (own is None or own.pk != person.pk):
        raise PermissionDenied("Only staff can record an offer for someone else.")
    description = (description or "").strip()
    if not description:
        raise ValidationError({"description": "Say what you would like to offer."})
    if len(description) > MAX_DESCRIPTION:
        raise ValidationError(
            {"description": f"Keep it under {MAX_DESCRIPTION} characters, please."}
        )
    availability = _availability(availability)
    # The person's row is the lock: two saves at once update one offer, never create two.
    Person.objects.select_for_update().get(pk=person.pk)
    skills = _skills(skills, new_skills)
    offer = VolunteerOffer.objects.filter(person=person).order_by("-created_at", "-id").first()
    if offer is None:
        offer = VolunteerOffer(person=person)
    offer.description = description
    offer.availability = availability
    offer.locality = locality
    offer.active = active
    offer.save()
    offer.skills.set(skills)
    return offer


# Opportunities -------------------------------------------------------------------------


def _check_opportunity(*, title, description, **_):
    errors = {}
    if not (title or "").strip():
        errors["title"] = "Give the role a title."
    if not (description or "").strip():
        errors["description"] = "Say what the role involves."
    if errors:
        raise ValidationError(errors)


def _check_group(user, group):
    if is_staff(user) or group is None:
        return
    if not groups_to_host(user).filter(pk=group.pk).exists():
        raise ValidationError({"group": "Choose one of the groups you organise, or none."})


@transaction.atomic
def opportunity_create(*, created_by, skills=(), new_skills=(), **fields):
    """Post a volunteering role. Staff post for any group; an organiser for the groups they
    organise or for none (they manage what they post)."""
    if not can_run_events(created_by):
        raise PermissionDenied("Only staff and organisers post opportunities.")
    _check_opportunity(**fields)
    _check_group(created_by, fields.get("group"))
    fields["title"] = fields["title"].strip()
    opportunity = Opportunity.objects.create(created_by=created_by, **fields)
    opportunity.skills.set(_skills(skills, new_skills))
    return opportunity


@transaction.atomic
def opportunity_update(*, opportunity, updated_by, skills=None, new_skills=(), **fields):
    """Change an opportunity (its status too: closing stops new sign-ups, places already
    given stay)."""
    if not can_manage_opportunity(updated_by, opportunity):
        raise PermissionDenied("You do not manage this opportunity.")
    opportunity = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    values = {"title": opportunity.title, "description": opportunity.description, **fields}
    _check_opportunity(**values)
    group = fields.get("group", opportunity.group_id)
    if getattr(group, "pk", group) != opportunity.group_id:  # it keeps its group otherwise
        _check_group(updated_by, group)
    if fields.get("status", opportunity.status) not in Opportunity.Status.values:
        raise ValidationError({"status": "Choose open or closed."})
    for name, value in fields.items():
        setattr(opportunity, name, value.strip() if name == "title" else value)
    opportunity.save()
    if skills is not None or new_skills:
        current = opportunity.skills.all() if skills is None else skills
        opportunity.skills.set(_skills(current, new_skills))
    return opportunity


@transaction.atomic
def opportunity_close(*, opportunity, closed_by):
    """Close an opportunity to new sign-ups (again is harmless)."""
    if not can_manage_opportunity(closed_by, opportunity):
        raise PermissionDenied("You do not manage this opportunity.")
    opportunity = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    if opportunity.status != Opportunity.Status.CLOSED:
        opportunity.status = Opportunity.Status.CLOSED
        opportunity.save(update_fields=["status"])
    return opportunity


# Shifts --------------------------------------------------------------------------------


@transaction.atomic
def shift_add(*, opportunity, added_by, starts_at, ends_at, places):
    """Add a shift to an opportunity: it starts in the future, ends after it starts (within
    a day) and has at least one place."""
    if not can_manage_opportunity(added_by, opportunity):
        raise PermissionDenied("You do not manage this opportunity.")
    opportunity = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    errors = {}
    if opportunity.status != Opportunity.Status.OPEN:
        errors["__all__"] = "This opportunity is closed: reopen it to add shifts."
    if starts_at <= timezone.now():
        errors["starts_at"] = "The shift cannot start in the past."
    elif starts_at > timezone.now() + HORIZON:
        errors["starts_at"] = "Plan shifts at most five years ahead."
    if ends_at <= starts_at:
        errors["ends_at"] = "The shift must end after it starts."
    elif ends_at - starts_at > MAX_SHIFT_LENGTH:
        errors["ends_at"] = "A shift lasts at most 24 hours: add one shift per day."
    if places is None or places < 1:
        errors["places"] = "A shift needs at least one place."
    elif places > MAX_PLACES:
        errors["places"] = f"At most {MAX_PLACES} places on one shift."
    if errors:
        raise ValidationError(errors)
    return Shift.objects.create(
        opportunity=opportunity, starts_at=starts_at, ends_at=ends_at, places=places
    )


@transaction.atomic
def shift_signup(*, shift, person):
    """Take a place on a shift. Returns ``(signup, created)``: signing up again while holding
    a place changes nothing (``created`` is False). A full shift, one that has started, or
    one whose opportunity is closed is refused with a message, and nothing is saved."""
    shift = Shift.objects.select_for_update().select_related("opportunity").get(pk=shift.pk)
    signup = ShiftSignup.objects.filter(shift=shift, person=person).first()
    if signup is not None and signup.status == SIGNED_UP:
        return signup, False
    if shift.opportunity.status != Opportunity.Status.OPEN:
        raise ValidationError("This opportunity is closed to new volunteers.")
    if shift.starts_at <= timezone.now():
        raise ValidationError("This shift has already started: choose one still to come.")
    taken = ShiftSignup.objects.filter(shift=shift, status=SIGNED_UP).count()
    if taken >= shift.places:
        raise ValidationError("This shift is full.", code="full")
    if signup is None:
        signup = ShiftSignup.objects.create(shift=shift, person=person)
    else:  # back after giving the place up
        signup.status = SIGNED_UP
        signup.save(update_fields=["status"])
    signup.shift = shift
    return signup, True


@transaction.atomic
def shift_signup_cancel(*, signup):
    """Give a place back before the shift starts (again is harmless)."""
    shift = Shift.objects.select_for_update().get(pk=signup.shift_id)
    signup = ShiftSignup.objects.get(pk=signup.pk)
    if signup.status != SIGNED_UP:
        return signup
    if shift.starts_at <= timezone.now():
        raise ValidationError(
            "This shift has already started: tell the organiser if you could not come."
        )
    signup.status = ShiftSignup.Status.CANCELLED
    signup.save(update_fields=["status"])
    signup.shift = shift
    return signup


# Hours ---------------------------------------------------------------------------------


def _hours(value, limit):
    if value is None or value == "":
        return None
    try:
        hours = Decimal(str(value))
    except InvalidOperation:
        raise ValidationError("Enter a number of hours, like 2.5.") from None
    if not hours.is_finite():
        raise ValidationError("Enter a number of hours, like 2.5.")
    if hours > limit:
        raise ValidationError(f"At most {limit.normalize():f} hours for this shift.")
    hours = hours.quantize(Decimal("0.01"))
    if hours <= 0:
        raise ValidationError("Enter more than 0 hours, or leave it empty.")
    return hours


@transaction.atomic
def hours_log(*, shift, logged_by, hours):
    """Log the hours people gave on a shift once it has ended. ``hours`` maps the id of each
    sign-up to a number of hours (more than 0, at most the shift's length and an hour), or
    to None to clear what was logged. All or nothing: an error names the sign-up
    (``hours_<id>``) and saves nothing."""
    if not can_manage_opportunity(logged_by, shift.opportunity):
        raise PermissionDenied("Only the people who run this opportunity log its hours.")
    shift = Shift.objects.select_for_update().get(pk=shift.pk)
    if shift.ends_at > timezone.now():
        raise ValidationError("Hours can be logged once the shift has ended.")
    signups = {
        signup.pk: signup for signup in ShiftSignup.objects.filter(shift=shift, pk__in=list(hours))
    }
    limit = hours_limit(shift)
    errors, changes = {}, []
    for signup_id, value in hours.items():
        signup = signups.get(signup_id)
        if signup is None:
            errors["__all__"] = "Someone on this list is no longer on the shift: reload the page."
            continue
        if signup.status != SIGNED_UP:
            errors[f"hours_{signup_id}"] = "This person gave their place back."
            continue
        try:
            amount = _hours(value, limit)
        except ValidationError as error:
            errors[f"hours_{signup_id}"] = error.messages
            continue
        if amount != signup.hours:
            signup.hours = amount
            signup.hours_logged_by = logged_by if amount is not None else None
            changes.append(signup)
    if errors:
        raise ValidationError(errors)
    ShiftSignup.objects.bulk_update(changes, ["hours", "hours_logged_by"])
    return changes
