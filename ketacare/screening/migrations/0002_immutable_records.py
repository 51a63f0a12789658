"""Database-level guard for append-only screening records (assessments, consent documents and
signatures, review notes, route decisions, re-evaluations): the database refuses an UPDATE,
whatever client sends it. PostgreSQL refuses a row DELETE as well; TRUNCATE (a deliberate
wipe of the whole table, as Django's test flush does) is left alone. On SQLite the flush
deletes rows one table at a time, so deletes are refused by the application (and by the
PROTECT foreign keys) only."""

from django.db import migrations

# Fixed here (not imported from models): a migration must not change when the code does.
IMMUTABLE_TABLES = (
    "screening_assessment",
    "screening_consentdocument",
    "screening_consentsignature",
    "screening_reviewnote",
    "screening_routedecision",
    "screening_reevaluation",
)
MESSAGE = "screening records are append-only: write a correction instead"


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in IMMUTABLE_TABLES:
        if vendor == "sqlite":
            schema_editor.execute(
                f'CREATE TRIGGER "{table}_no_update" BEFORE UPDATE ON "{table}" '
                f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;"
            )
        elif vendor == "postgresql":
            schema_editor.execute(
                f'CREATE TRIGGER "{table}_append_only" BEFORE UPDATE OR DELETE ON "{table}" '
                "FOR EACH ROW EXECUTE FUNCTION screening_refuse_change();"
            )


def create_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE OR REPLACE FUNCTION screening_refuse_change() RETURNS trigger AS $$ "
            f"BEGIN RAISE EXCEPTION '{MESSAGE}'; END; $$ LANGUAGE plpgsql;"
        )


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in IMMUTABLE_TABLES:
        if vendor == "sqlite":
            schema_editor.execute(f'DROP TRIGGER IF EXISTS "{table}_no_update";')
        elif vendor == "postgresql":
            schema_editor.execute(f'DROP TRIGGER IF EXISTS "{table}_append_only" ON "{table}";')
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS screening_refuse_change();")


def forwards(apps, schema_editor):
    create_function(apps, schema_editor)
    create_triggers(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("screening", "0001_initial")]

    operations = [migrations.RunPython(forwards, drop_triggers)]
