"""A GIN index for the full-text search of the learning log, on PostgreSQL only (SQLite
searches word by word without it). Its expression is the one ``selectors.learnings``
builds, so PostgreSQL uses it."""

from django.db import migrations

INDEX = "learning_search_idx"
EXPRESSION = (
    "to_tsvector('english'::regconfig, COALESCE(title, '') || ' ' || COALESCE(happened, '')"
    " || ' ' || COALESCE(learned, '') || ' ' || COALESCE(differently, ''))"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON framework_learning USING gin ({EXPRESSION})"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("framework", "0004_reading_indexes")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
