"""The indexes of a volunteer's and of a round's conversations carry the conversations' ids,
in the lists' order (newest first): a page of the list is read from them, and the ids of the
conversations a volunteer may open (for their follow-ups and theme counts) are read from the
index alone, never from the conversations themselves (issue #9). Indexes only."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("listening", "0004_historicalconversation")]

    operations = [
        migrations.RemoveIndex(model_name="conversation", name="conversation_logger_idx"),
        migrations.RemoveIndex(model_name="conversation", name="conversation_round_idx"),
        migrations.AddIndex(
            model_name="conversation",
            index=models.Index(
                fields=["logged_by", "-held_on", "-id"], name="conversation_logger_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="conversation",
            index=models.Index(fields=["round", "-held_on", "-id"], name="conversation_round_idx"),
        ),
    ]
