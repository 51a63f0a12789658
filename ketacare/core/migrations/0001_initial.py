"""The outbox moves here from the waiting list without losing a queued email: the model is
taken over in state on the existing table (waitlist_outgoingemail, created by
waitlist.0001_initial), which is then renamed, and its index with it. The rows stay."""

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("waitlist", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="OutgoingEmail",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("to", models.JSONField()),
                        ("subject", models.CharField(max_length=300)),
                        ("body", models.TextField()),
                        ("html", models.TextField(blank=True, default="")),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("next_attempt_at", models.DateTimeField()),
                        ("attempts", models.PositiveSmallIntegerField(default=0)),
                        ("claimed_until", models.DateTimeField(blank=True, null=True)),
                        ("claim", models.CharField(blank=True, default="", max_length=32)),
                        ("last_error", models.CharField(blank=True, default="", max_length=500)),
                        ("failed", models.BooleanField(default=False, help_text="Given up after repeated failures.")),
                    ],
                    options={
                        "ordering": ["id"],
                        "db_table": "waitlist_outgoingemail",
                        "indexes": [models.Index(fields=["failed", "next_attempt_at"], name="wl_outbox_due")],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name="outgoingemail", table=None),
        migrations.RenameIndex(
            model_name="outgoingemail", new_name="core_outbox_due", old_name="wl_outbox_due"
        ),
    ]
