"""Erasure of what Organise holds about a person (the core's personal-data registry)."""

import operator
from functools import reduce

from django.conf import settings
from django.db import transaction
from django.db.models import Q, Value
from django.db.models.functions import Replace

from hubsite.notify.models import OutboxMessage

from ..models import CallToAction, Decision, Delivery, GroupProposal, JoinApplication, Membership
from ..selectors.calls import KEY_PREFIX as CALL_KEY_PREFIX
from ..selectors.people import join_applications_of


def _forget_messages(*prefixes):
    """Messages about the person's rows (some went to staff and name them) go with them;
    the outbox's own erasure takes those sent to the person."""
    for prefix in prefixes:
        OutboxMessage.objects.filter(key__startswith=prefix).delete()


def _forget_reply_address(person):
    """Replies to the calls they sent went to their address (their record's or their
    login's): the calls, and the copies of them in the outbox, keep it no more. Replies then
    go to the hub's own address."""
    user = person.user
    addresses = {email for email in (person.email, user.email if user else "") if email}
    if not addresses:
        return
    theirs = reduce(operator.or_, (Q(reply_to__iexact=email) for email in addresses))
    CallToAction.objects.filter(theirs).update(reply_to="")
    OutboxMessage.objects.filter(theirs, key__startswith=CALL_KEY_PREFIX).update(reply_to="")


def _forget_sender(person):
    """The copies of the calls they sent said whom they came from ("It comes from Ada
    Smith: reply to it to reach them."): that sentence goes, as their address did."""
    user, name = person.user, person.full_name.strip()
    if user is None or not name:
        return
    prefixes = [
        Q(key__startswith=f"{CALL_KEY_PREFIX}{pk}:")
        for pk in CallToAction.objects.filter(created_by=user).values_list("pk", flat=True)
    ]
    if not prefixes:
        return
    copies = OutboxMessage.objects.filter(reduce(operator.or_, prefixes))
    for field in ("body_text", "body_html"):
        copies.filter(**{f"{field}__contains": name}).update(
            **{
                field: Replace(
                    Replace(field, Value(f" It comes from {name}: reply to it to reach them.")),
                    Value(name),  # should the words around it change one day
                    Value(settings.HUB_NAME),
                )
            }
        )


@transaction.atomic
def person_data_erase(person):
    """The person's membership goes with its contributions and the join applications under
    their address. What the hub counts or decided stays, without them: the dated changes of
    the membership (with their locality, for the growth figures), their answers to calls to
    action, the decisions they owned and the groups they proposed. The calls they sent stay
    too, without their address."""
    applications = list(join_applications_of(person).values_list("pk", flat=True))
    _forget_messages(*(f"organise:join:{pk}:" for pk in applications))
    JoinApplication.objects.filter(pk__in=applications).delete()

    membership = Membership.objects.filter(person=person).first()
    if membership is not None:
        _forget_messages(f"organise:renewal:{membership.pk}:", f"organise:lapsed:{membership.pk}:")
        membership.contributions.all().delete()
        membership.delete()  # its MembershipEvent rows stay, anonymous (SET_NULL)

    Delivery.objects.filter(person=person).update(person=None)
    Decision.objects.filter(owner=person).update(owner=None)
    proposals = GroupProposal.objects.filter(proposed_by=person)
    _forget_messages(*(f"organise:proposal:{pk}:" for pk in proposals.values_list("pk", flat=True)))
    proposals.update(proposed_by=None)
    _forget_reply_address(person)
    _forget_sender(person)
