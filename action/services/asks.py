"""Writes of asks, of the actions supporters say they took, and of solidarity invitations.
A supporter records an action as themselves only: signed in, or through the link emailed to
the address they signed with; never by typing an address."""

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from hubsite.notify.models import OutboxMessage
from hubsite.notify.services import message_queue, site_url

from ..models import ActionTaken, Ask, Campaign, Signup
from ..rules import can_manage_campaign
from ..selectors.asks import campaigns_related, solidarity_key_prefix, solidarity_recipients
from .campaigns import unsubscribe_token

ACTIONS_SALT = "action.supporter-actions"
# How long the emailed link to record one's actions works.
ACTIONS_LINK_MAX_AGE = 60 * 60 * 24 * 90
# Invitations written in the request when there are this many or fewer; more go to Celery.
INVITE_BATCH_SIZE = 50

# Asks ------------------------------------------------------------------------------------


def _check_manager(user, campaign):
    if not can_manage_campaign(user, campaign):
        raise PermissionDenied("Only the people who run this campaign can change its asks.")


def _clean_ask(fields):
    fields["title"] = " ".join(fields.get("title", "").split())
    errors = {}
    if not fields["title"]:
        errors["title"] = "Give the ask a title."
    if fields.get("kind") not in Ask.Kind.values:
        errors["kind"] = "Choose what kind of ask it is."
    fields["target"] = fields.get("target", "").strip()
    if fields.get("kind") == Ask.Kind.WRITE and not fields["target"]:
        errors["target"] = "Say who supporters write to: a name or a role."
    if errors:
        raise ValidationError(errors)
    return fields


@transaction.atomic
def ask_create(*, campaign, created_by, **fields):
    _check_manager(created_by, campaign)
    return Ask.objects.create(campaign=campaign, **_clean_ask(fields))


@transaction.atomic
def ask_update(*, ask, edited_by, **fields):
    _check_manager(edited_by, ask.campaign)
    current = {name: getattr(ask, name) for name in ("kind", "title", "target")}
    fields = _clean_ask({**current, **fields})
    for name, value in fields.items():
        setattr(ask, name, value)
    ask.save()
    return ask


@transaction.atomic
def ask_delete(*, ask, deleted_by):
    """An ask nobody acted on may go; one people did stays (hidden) so their actions count."""
    _check_manager(deleted_by, ask.campaign)
    if ask.actions.exists():
        raise ValidationError(
            "People have said they did this, so it stays: untick “active” to hide it instead."
        )
    ask.delete()


# Actions taken ---------------------------------------------------------------------------


@transaction.atomic
def action_record(*, ask, person, note=""):
    """``person`` says they did ``ask``. Saying it twice changes nothing.
    Returns the action and whether it is new."""
    campaign = ask.campaign
    if not ask.active or not campaign.is_public:
        raise ValidationError("This ask is no longer open.")
    existing = ActionTaken.objects.filter(ask=ask, person=person).first()
    if existing:
        return existing, False
    try:
        with transaction.atomic():
            action = ActionTaken.objects.create(ask=ask, person=person, note=note.strip()[:500])
    except IntegrityError:  # the same click a moment ago
        return ActionTaken.objects.get(ask=ask, person=person), False
    return action, True


def actions_token(signup):
    return signing.dumps({"signup": signup.pk}, salt=ACTIONS_SALT)


def signup_from_actions_token(token, *, campaign):
    """The confirmed sign-up of ``campaign`` a link was made for, or None."""
    try:
        data = signing.loads(token, salt=ACTIONS_SALT, max_age=ACTIONS_LINK_MAX_AGE)
    except signing.BadSignature:
        return None
    pk = data.get("signup") if isinstance(data, dict) else None
    return (
        Signup.objects.select_related("person")
        .filter(pk=pk, campaign=campaign, status=Signup.Status.CONFIRMED, person__isnull=False)
        .first()
    )


@transaction.atomic
def actions_link_send(*, campaign, email):
    """Email the link to record one's actions to ``email`` if it signed ``campaign`` and was
    confirmed; otherwise nothing happens, and the visitor is told the same either way. At
    most one link a day per sign-up."""
    signup = (
        Signup.objects.select_related("person")
        .filter(
            campaign=campaign,
            email__iexact=email.strip(),
            status=Signup.Status.CONFIRMED,
            person__isnull=False,
        )
        .first()
    )
    if signup is None:
        return None
    link = reverse("action:supporter_actions", args=[campaign.slug, actions_token(signup)])
    context = {
        "signup": signup,
        "campaign": campaign,
        "actions_url": site_url() + link,
        "hub_name": settings.HUB_NAME,
    }
    return message_queue(
        # Under the sign-up's keys, so erasing the person erases these too.
        key=f"action:signup:{signup.pk}:actions-link:{timezone.localdate().isoformat()}",
        to_email=signup.email,
        subject=f"[{settings.HUB_NAME}] Your link to say what you did for {campaign.name}",
        body_text=render_to_string("action/email/actions_link.txt", context),
        person=signup.person,
        # The address asked for it: no contact consent is needed, and the link is forgotten
        # once sent.
        category=OutboxMessage.Category.ACCOUNT,
    )


# Solidarity ------------------------------------------------------------------------------


def invite_url(from_campaign, to_campaign):
    """The other campaign's page, with its sign-up form told where the person came from."""
    return f"{site_url()}{to_campaign.get_absolute_url()}?invited_from={from_campaign.slug}"


@transaction.atomic
def solidarity_invite(*, from_campaign, to_campaign, invited_by):
    """Invite the supporters of ``from_campaign`` who may hear from it, and have not signed
    ``to_campaign``, to sign it: each person once for this pair of campaigns, however often
    it is run. Few are written now; many go to Celery in batches once this commits.
    Returns how many people are being invited."""
    _check_manager(invited_by, from_campaign)
    if not campaigns_related(from_campaign).filter(pk=to_campaign.pk).exists():
        raise ValidationError(
            {
                "to_campaign": "Invite supporters only to a campaign that stands with this one "
                "(or that it stands with) and is taking sign-ups."
            }
        )
    ids = list(solidarity_recipients(from_campaign, to_campaign).values_list("pk", "person_id"))
    people = len({person_id for _, person_id in ids})
    signup_ids = [pk for pk, _ in ids]
    if len(signup_ids) <= INVITE_BATCH_SIZE:
        solidarity_invite_send(
            from_campaign_id=from_campaign.pk,
            to_campaign_id=to_campaign.pk,
            signup_ids=signup_ids,
        )
        return people
    from ..tasks import solidarity_invite_batch

    def enqueue(batch):
        try:
            solidarity_invite_batch.delay(from_campaign.pk, to_campaign.pk, batch)
        except (OperationalError, OSError):  # broker down: write them now, the outbox sends
            solidarity_invite_send(
                from_campaign_id=from_campaign.pk,
                to_campaign_id=to_campaign.pk,
                signup_ids=batch,
            )

    for start in range(0, len(signup_ids), INVITE_BATCH_SIZE):
        batch = signup_ids[start : start + INVITE_BATCH_SIZE]
        transaction.on_commit(lambda batch=batch: enqueue(batch))
    return people


@transaction.atomic
def solidarity_invite_send(*, from_campaign_id, to_campaign_id, signup_ids):
    """Write the invitations of some sign-ups, checking again that each may still be
    invited. Safe to run twice: the outbox key is one per person and pair of campaigns.
    Returns how many people have an invitation from this run."""
    from_campaign = Campaign.objects.filter(pk=from_campaign_id).first()
    to_campaign = Campaign.objects.filter(pk=to_campaign_id).first()
    if from_campaign is None or to_campaign is None:
        return 0
    signups = solidarity_recipients(from_campaign, to_campaign).filter(pk__in=signup_ids)
    invited = set()
    for signup in signups.select_related("person"):
        if signup.person_id in invited:
            continue
        context = {
            "first_name": signup.person.first_name,
            "from_campaign": from_campaign,
            "to_campaign": to_campaign,
            "invite_url": invite_url(from_campaign, to_campaign),
            "unsubscribe_url": site_url()
            + reverse("action:unsubscribe", args=[unsubscribe_token(signup)]),
            "hub_name": settings.HUB_NAME,
        }
        message = message_queue(
            key=f"{solidarity_key_prefix(from_campaign.pk, to_campaign.pk)}{signup.person_id}",
            to_email=signup.person.email or signup.email,
            subject=f"[{settings.HUB_NAME}] {from_campaign.name} stands with {to_campaign.name}",
            body_text=render_to_string("action/email/solidarity_invite.txt", context),
            person=signup.person,
            category=OutboxMessage.Category.CONTACT,
        )
        if message is not None:
            invited.add(signup.person_id)
    return len(invited)


def solidarity_invite_still_wanted(message):
    """The outbox's check before sending an invitation (``register_send_check``): the person
    still hears from the first campaign and has not signed the second meanwhile."""
    parts = message.key.split(":")  # action:solidarity:<from>:<to>:<person>
    try:
        from_id, to_id, person_id = (int(part) for part in parts[2:5])
    except ValueError:
        return False
    reachable = Signup.objects.filter(
        campaign_id=from_id,
        person_id=person_id,
        status=Signup.Status.CONFIRMED,
        consent_contact=True,
        unsubscribed_at__isnull=True,
    ).exists()
    signed = Signup.objects.filter(campaign_id=to_id, person_id=person_id).exists()
    return reachable and not signed
