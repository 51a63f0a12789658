"""OutgoingEmail now belongs to the core app (every email goes through one outbox). Only the
migration state forgets it here: the table and its queued rows stay, and
core.0001_initial takes them over (and renames the table)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("waitlist", "0001_initial"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="OutgoingEmail")],
            database_operations=[],
        ),
    ]
