"""Give every existing clinic version 1 of each reference protocol (new clinics get them when
they are created). The defaults are the clinical core's, read when the migration runs."""

from decimal import Decimal

from django.db import migrations
from django.utils import timezone


def _dec(value):
    return None if value is None else Decimal(repr(value))


def load(apps, schema_editor):
    from ketacare.clinical.dosing import DEFAULT_PROTOCOLS

    Clinic = apps.get_model("accounts", "Clinic")
    ClinicProtocol = apps.get_model("protocols", "ClinicProtocol")
    now = timezone.now()
    for clinic in Clinic.objects.all():
        have = set(ClinicProtocol.objects.filter(clinic=clinic).values_list("code", flat=True))
        for code, p in DEFAULT_PROTOCOLS.items():
            if code in have:
                continue
            ClinicProtocol.objects.create(
                clinic=clinic, code=code, version=1, title=p.title, route=p.route,
                per_kg=p.per_kg, standard_dose=_dec(p.standard_dose), max_dose=_dec(p.max_dose),
                override_ceiling=_dec(p.override_ceiling),
                first_session_dose=_dec(p.first_session_dose),
                allowed_doses=sorted(p.allowed_doses) if p.allowed_doses is not None else None,
                min_interval_hours=_dec(p.min_interval_hours),
                frequency_caps=[[c.first_week, c.last_week, c.max_per_7_days]
                                for c in p.frequency_caps],
                infusion_minutes=p.infusion_minutes, observation_minutes=p.observation_minutes,
                post_dose_bp_check_minutes=p.post_dose_bp_check_minutes,
                max_rate_mg_per_kg_per_hour=_dec(p.max_rate_mg_per_kg_per_hour),
                at_home=p.at_home, source=p.source, vitals_interval_minutes=15, active=True,
                change_note="Reference default (clinical-reference.md §3).", created_at=now,
            )


class Migration(migrations.Migration):
    dependencies = [("protocols", "0001_initial"), ("accounts", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
