"""Database-level guard for append-only treatment records (dose plans, vitals, events, notes,
order status changes) and protocol versions: the database refuses an UPDATE whatever client
sends it; PostgreSQL refuses a row DELETE as well (TRUNCATE, a deliberate wipe such as the
test flush, is left alone)."""

from django.db import migrations

# Fixed here (not imported from models): a migration must not change when the code does.
IMMUTABLE_TABLES = (
    "treatments_doseplan",
    "treatments_vitalsigns",
    "treatments_sessionevent",
    "treatments_sessionnote",
    "treatments_orderstatuschange",
    "protocols_clinicprotocol",
)
MESSAGE = "treatment records are append-only: write a correction instead"


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            "CREATE OR REPLACE FUNCTION treatments_refuse_change() RETURNS trigger AS $$ "
            f"BEGIN RAISE EXCEPTION '{MESSAGE}'; END; $$ LANGUAGE plpgsql;"
        )
    for table in IMMUTABLE_TABLES:
        if vendor == "sqlite":
            schema_editor.execute(
                f'CREATE TRIGGER "{table}_no_update" BEFORE UPDATE ON "{table}" '
                f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;"
            )
        elif vendor == "postgresql":
            schema_editor.execute(
                f'CREATE TRIGGER "{table}_append_only" BEFORE UPDATE OR DELETE ON "{table}" '
                "FOR EACH ROW EXECUTE FUNCTION treatments_refuse_change();"
            )


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in IMMUTABLE_TABLES:
        if vendor == "sqlite":
            schema_editor.execute(f'DROP TRIGGER IF EXISTS "{table}_no_update";')
        elif vendor == "postgresql":
            schema_editor.execute(f'DROP TRIGGER IF EXISTS "{table}_append_only" ON "{table}";')
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS treatments_refuse_change();")


class Migration(migrations.Migration):
    dependencies = [("treatments", "0001_initial"), ("protocols", "0002_load_defaults")]

    operations = [migrations.RunPython(forwards, backwards)]
