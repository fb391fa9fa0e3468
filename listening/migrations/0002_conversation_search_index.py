"""A GIN index for the full-text search of conversations, on PostgreSQL only (SQLite searches
word by word without it). Its expression is the one ``selectors.conversation_search`` builds,
so PostgreSQL uses it."""

from django.db import migrations

INDEX = "conversation_search_idx"
EXPRESSION = (
    "to_tsvector('english'::regconfig, COALESCE(concerns, '') || ' ' || COALESCE(hopes, '')"
    " || ' ' || COALESCE(needs, '') || ' ' || COALESCE(talents, ''))"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON listening_conversation USING gin ({EXPRESSION})"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("listening", "0001_initial")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
