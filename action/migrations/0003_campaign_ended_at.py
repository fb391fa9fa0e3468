"""Campaign.ended_at: when a campaign was won or lost, from which the retention of its
supporters counts. Campaigns already won or lost were never dated: they get the latest thing
known to have happened on them (their creation, a sign-up or its confirmation, an action
taken, an update sent), the closest record of their end. The retention rule also waits for
no activity since its cutoff, so this keeps exactly the campaigns it kept before."""

from django.db import migrations, models
from django.db.models import Max


def backfill_ended_at(apps, schema_editor):
    Campaign = apps.get_model("action", "Campaign")
    Signup = apps.get_model("action", "Signup")
    ActionTaken = apps.get_model("action", "ActionTaken")
    SupporterUpdate = apps.get_model("action", "SupporterUpdate")
    ended = Campaign.objects.filter(status__in=["won", "lost"], ended_at__isnull=True)
    for campaign in ended.only("pk", "created_at").iterator():
        known = [
            campaign.created_at,
            *Signup.objects.filter(campaign=campaign)
            .aggregate(Max("created_at"), Max("confirmed_at"))
            .values(),
            ActionTaken.objects.filter(ask__campaign=campaign).aggregate(at=Max("taken_at"))["at"],
            SupporterUpdate.objects.filter(campaign=campaign).aggregate(at=Max("sent_at"))["at"],
        ]
        campaign.ended_at = max(moment for moment in known if moment is not None)
        campaign.save(update_fields=["ended_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("action", "0002_actiontaken_person_kept_anonymous"),
    ]

    operations = [
        migrations.AddField(
            model_name="campaign",
            name="ended_at",
            field=models.DateTimeField(
                blank=True,
                editable=False,
                help_text="When it was won or lost.",
                null=True,
                verbose_name="ended",
            ),
        ),
        migrations.RunPython(backfill_ended_at, migrations.RunPython.noop, elidable=True),
    ]
