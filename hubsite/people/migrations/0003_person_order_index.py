"""An index in the order the people list shows people (``Person.Meta.ordering``), so its
first page reads 25 rows from the index instead of sorting everyone (found by the benchmark,
issue #9). Raw SQL because the model declares its indexes elsewhere; moving it into
``Meta.indexes`` later means replacing this migration's operation with AddIndex."""

from django.db import migrations

INDEX = "person_order_idx"


class Migration(migrations.Migration):
    dependencies = [("people", "0002_group_public")]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON people_person (last_name, first_name, id)",
            f"DROP INDEX IF EXISTS {INDEX}",
            elidable=False,
        )
    ]
