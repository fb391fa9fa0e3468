"""An index in the order the follow-ups list shows them (done last, soonest due first), so a
page of follow-ups is read from the index instead of sorting all of them (found by the
benchmark, issue #9). Raw SQL because the model declares its indexes elsewhere."""

from django.db import migrations

INDEX = "followup_order_idx"


class Migration(migrations.Migration):
    dependencies = [("listening", "0002_conversation_search_index")]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON listening_followup (done_at, due_on, id)",
            f"DROP INDEX IF EXISTS {INDEX}",
            elidable=False,
        )
    ]
