"""How long the core keeps the record of a person nothing in the hub points to any more: the
retention rule of unlinked people, applied nightly through the data-protection registry
(``hubsite.privacy.registry``).

Each area's own rule removes the person from what it holds when its time runs out (a
conversation anonymised, a sign-up anonymised, a lapsed membership deleted…); what is left
is a name and address that nothing uses. The core cannot import the areas (they are higher
layers), so "nothing points to them" is built from the foreign keys to ``Person`` that the
installed models declare: a row of any model that refers to the person keeps them. Not
counted as links:

- what goes with the person: their consents, and their tags (``Person``'s own many-to-many);
- the history rows (django-simple-history), which copy the record rather than use it;
- a data-protection request once closed: the log keeps it without the person
  (``subject_id``), its details and outcome emptied as erasure does. An *open* request
  keeps them, since the hub still has to answer it about their record.

A group membership is a link: someone in a group belongs to the hub, and stays.
"""

from django.contrib.admin.models import LogEntry
from django.db import models
from django.db.models import CharField, Exists, OuterRef
from django.db.models.functions import Cast
from simple_history.models import HistoricalChanges

from .models import Consent, Person

DESCRIPTION = (
    "The record of a person (name, contact details, languages, needs, communities of "
    "interest and consents) is deleted when nothing in the hub refers to them any more and "
    "it has not been changed for this many months: they have no login, are in no group, "
    "and have no membership, conversation, event reply, sign-up, volunteering offer, email "
    "waiting or open data-protection request left. This is usually what remains once the "
    "other retention periods have anonymised what they took part in. Its change history "
    "goes with it."
)

# The request log keeps a closed request without the person (see the module's docstring).
DATA_REQUEST = "privacy.DataRequest"
OPEN = "open"


def _foreign_keys_to_person():
    """Every foreign key (one-to-one included) of an installed model that points to
    ``Person``, the through tables of many-to-many relations included (a group's members, an
    activity's people) and those declared without a reverse name."""
    own_through = {field.remote_field.through for field in Person._meta.many_to_many}
    for relation in Person._meta.get_fields(include_hidden=True):
        if not (relation.auto_created and not relation.concrete):
            continue
        if relation.many_to_many:  # counted through its through table's foreign key
            continue
        model = relation.related_model
        if model is Consent or model in own_through or issubclass(model, HistoricalChanges):
            continue
        yield model, relation.field.name


def _linked():
    """A condition on ``Person`` true when a row of another model refers to them."""
    condition = models.Q(user__isnull=False)
    for model, field in _foreign_keys_to_person():
        rows = model._base_manager.filter(**{field: OuterRef("pk")})
        if model._meta.label == DATA_REQUEST:
            rows = rows.filter(status=OPEN)
        condition |= Exists(rows)
    return condition


def people_unlinked(cutoff):
    """People no login and no row of the hub refers to, unchanged since before ``cutoff``."""
    return Person.objects.filter(updated_at__lt=cutoff).exclude(_linked())


def unlinked_people_retain(cutoff):
    """Delete the people nothing refers to any more whose record has not changed since
    before ``cutoff``, with their consents, tags, history and the admin's log entries about
    their record, in a fixed number of queries; returns how many people went."""
    ids = people_unlinked(cutoff).values("pk")
    Person.history.filter(id__in=ids).delete()
    # The admin's log of changes to their record named them, as erasure forgets it too.
    as_text = people_unlinked(cutoff).values_list(Cast("pk", CharField()))
    LogEntry.objects.filter(
        content_type__app_label=Person._meta.app_label,
        content_type__model=Person._meta.model_name,
        object_id__in=as_text,
    ).delete()
    Consent.objects.filter(person__in=ids).delete()
    for field in Person._meta.many_to_many:
        through = field.remote_field.through
        through.objects.filter(**{f"{field.m2m_field_name()}__in": ids}).delete()
    for model, field in _foreign_keys_to_person():
        if model._meta.label == DATA_REQUEST:
            model._base_manager.filter(**{f"{field}__in": ids}).update(
                **{field: None, "details": "", "outcome": ""}
            )
    # A plain DELETE: ``QuerySet.delete()`` would load every person to send the signals
    # (the history would write one more row for each), a query per person. What pointed to
    # them is gone above; nothing else refers to them, or they would not be due.
    return Person.objects.filter(pk__in=ids)._raw_delete(Person.objects.db)
