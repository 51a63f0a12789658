"""The screening blood pressure's plausible systolic range starts at 40 mmHg, as everywhere
else (ketacare/clinical/vitals_ranges.py), not 50. Only widens: no existing row breaks it."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("screening", "0002_immutable_records"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="screening",
            name="screening_bp_range",
        ),
        migrations.AddConstraint(
            model_name="screening",
            constraint=models.CheckConstraint(
                condition=(
                    models.Q(screening_systolic__isnull=True)
                    | models.Q(screening_systolic__range=(40, 300))
                )
                & (
                    models.Q(screening_diastolic__isnull=True)
                    | models.Q(screening_diastolic__range=(20, 200))
                ),
                name="screening_bp_range",
            ),
        ),
    ]
