"""The database itself refuses to change or delete an audit entry (not only the ORM).

PostgreSQL refuses UPDATE and DELETE row by row; TRUNCATE (used only by the test runner to
empty tables between tests) is not a row change. SQLite refuses UPDATE; it empties tables
with DELETE between tests, so deletes are refused there by the ORM only."""

from django.db import migrations

PG_UP = """
CREATE OR REPLACE FUNCTION privacy_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'The audit log is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER privacy_auditentry_append_only
    BEFORE UPDATE OR DELETE ON privacy_auditentry
    FOR EACH ROW EXECUTE FUNCTION privacy_audit_append_only();
"""
PG_DOWN = """
DROP TRIGGER IF EXISTS privacy_auditentry_append_only ON privacy_auditentry;
DROP FUNCTION IF EXISTS privacy_audit_append_only();
"""
SQLITE_UP = """
CREATE TRIGGER privacy_auditentry_append_only BEFORE UPDATE ON privacy_auditentry
BEGIN SELECT RAISE(ABORT, 'The audit log is append-only'); END;
"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS privacy_auditentry_append_only;"


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_UP)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_UP)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_DOWN)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_DOWN)


class Migration(migrations.Migration):
    dependencies = [("privacy", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
