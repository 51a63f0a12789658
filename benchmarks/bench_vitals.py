"""Saving a vitals row at the chair: the time the tablet waits for `POST /treatments/sessions/
<id>/vitals/` (htmx: the row saved, its alerts checked, the audit row appended, the workflow
re-rendered), on a fresh SQLite file (WAL), with the day's sessions each holding a realistic
flowsheet. Also reported: the same write over the JSON API, and the service alone.

    python benchmarks/bench_vitals.py [--rows 400] [--sessions 20] [--keep DIR]

Target: p95 of the page's save ≤ 50 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET_P95_MS = 50.0
PASSWORD = "bench-password-123"  # noqa: S105 (a throwaway benchmark user)


def _setup(var_dir: Path, sessions: int) -> dict[str, Any]:
    os.environ["KETACARE_VAR_DIR"] = str(var_dir)
    os.environ["DATABASE_URL"] = f"sqlite:///{var_dir / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketacare.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.utils import timezone

    from ketacare.accounts.models import Clinic, Role, User
    from ketacare.patients.models import Patient, WeightMeasurement
    from ketacare.protocols.selectors import current_version
    from ketacare.screening.models import RouteDecision, Screening
    from ketacare.treatments.models import Chair, TreatmentOrder, TreatmentSession

    clinic = Clinic.objects.create(name="Bench", slug="bench")  # its protocols come with it
    users = {
        role: User.objects.create_user(
            f"{role}@bench.example",
            PASSWORD,
            full_name=role.title(),
            clinic=clinic,
            role=role,
            mfa_exempt=True,
        )  # fmt: skip
        for role in (Role.CLINICIAN, Role.PRESCRIBER)
    }
    protocol = current_version(clinic.pk, "iv-depression")
    now = timezone.now()
    ids = []
    for n in range(sessions):
        patient = Patient.objects.create(clinic=clinic, first_name=f"P{n}", last_name="Bench",
                                         date_of_birth=dt.date(1980, 1, 1))  # fmt: skip
        WeightMeasurement.objects.create(
            patient=patient, weight_kg=Decimal("70"), measured_on=now.date(),
            recorded_by=users["clinician"],
        )  # fmt: skip
        screening = Screening.objects.create(patient=patient, status="decided", started_at=now)
        RouteDecision.objects.create(screening=screening, route="iv", decision="approve",
                                     reason="Bench.", rule_status="eligible",
                                     decided_by=users["prescriber"], decided_at=now)  # fmt: skip
        order = TreatmentOrder.objects.create(
            clinic=clinic, patient=patient, protocol=protocol, route="iv",
            starting_dose=Decimal("0.5"), titration_plan="Bench.", sessions_planned=6,
            start_date=now.date(), prescriber=users["prescriber"], signed_at=now,
            signature_method="password",
        )  # fmt: skip
        chair = Chair.objects.create(clinic=clinic, room="Room", name=f"Chair {n}")
        session = TreatmentSession.objects.create(
            clinic=clinic, patient=patient, order=order, protocol=protocol, chair=chair,
            clinician=users["clinician"], scheduled_start=now, status="in_progress",
            scheduled_end=now + dt.timedelta(hours=2), created_at=now,
            created_by=users["clinician"], checked_in_at=now, checked_in_by=users["clinician"],
            dose_started_at=now - dt.timedelta(minutes=30),
        )  # fmt: skip
        ids.append(session.pk)
    return {"clinician": users["clinician"], "sessions": ids}


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)

    def pick(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]

    return {"p50": pick(0.50), "p95": pick(0.95), "p99": pick(0.99),
            "mean": statistics.fmean(ordered)}  # fmt: skip


def _reading(n: int) -> dict[str, int]:
    # Every 25th reading is out of range, so alerts (and their rows) are part of the cost.
    return {"systolic": 185 if n % 25 == 0 else 118 + n % 20, "diastolic": 78,
            "heart_rate": 70 + n % 15, "spo2": 97}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=400, help="rows saved through the page")
    parser.add_argument("--sessions", type=int, default=20, help="sessions the rows go to")
    parser.add_argument("--keep", type=Path, help="build the database in DIR and keep it")
    args = parser.parse_args(argv)
    var_dir = args.keep or Path(tempfile.mkdtemp(prefix="ketacare-bench-vitals-"))
    var_dir.mkdir(parents=True, exist_ok=True)
    data = _setup(var_dir, args.sessions)

    from django.test import Client
    from django.test.utils import override_settings

    from ketacare.treatments import services
    from ketacare.treatments.models import TreatmentSession, VitalSigns

    sessions = data["sessions"]
    with override_settings(SECURE_SSL_REDIRECT=False, ALLOWED_HOSTS=["testserver"],
                           STAFF_IDLE_TIMEOUT_MINUTES=24 * 60):  # fmt: skip
        client = Client()
        client.force_login(data["clinician"])
        # Warm up: templates compiled, connections opened.
        for n in range(10):
            client.post(f"/treatments/sessions/{sessions[n % len(sessions)]}/vitals/",
                        _reading(n), HTTP_HX_REQUEST="true")  # fmt: skip
        page_ms = []
        page_cpu_ms = []
        for n in range(args.rows):
            url = f"/treatments/sessions/{sessions[n % len(sessions)]}/vitals/"
            started, cpu = time.perf_counter(), time.process_time()
            response = client.post(url, _reading(n), HTTP_HX_REQUEST="true")
            page_ms.append((time.perf_counter() - started) * 1000)
            page_cpu_ms.append((time.process_time() - cpu) * 1000)
            if response.status_code != 200 or b"Vitals recorded." not in response.content:
                print(f"Unexpected answer {response.status_code}", file=sys.stderr)
                return 1
        api_ms = []
        for n in range(args.rows // 2):
            url = f"/api/v1/treatments/sessions/{sessions[n % len(sessions)]}/vitals"
            started = time.perf_counter()
            response = client.post(url, json.dumps(_reading(n)), content_type="application/json")
            api_ms.append((time.perf_counter() - started) * 1000)
            if response.status_code != 201:
                print(f"Unexpected API answer {response.status_code}", file=sys.stderr)
                return 1
        service_ms = []
        session = TreatmentSession.objects.select_related("patient", "protocol").get(pk=sessions[0])
        for n in range(args.rows // 2):
            started = time.perf_counter()
            services.record_vitals(actor=data["clinician"], session=session, **_reading(n))
            service_ms.append((time.perf_counter() - started) * 1000)
    rows = VitalSigns.objects.count()
    page, api, service = _percentiles(page_ms), _percentiles(api_ms), _percentiles(service_ms)
    cpu = _percentiles(page_cpu_ms)
    per_session = rows // len(sessions)
    print(
        f"SQLite (WAL) in {var_dir}; {len(sessions)} sessions, ~{per_session} rows each at the end"
    )
    for label, stats in (("page (htmx partial)", page), ("API (JSON)", api),
                         ("service only", service)):  # fmt: skip
        print(f"  {label:<20} p50 {stats['p50']:6.1f} ms  p95 {stats['p95']:6.1f} ms  "
              f"p99 {stats['p99']:6.1f} ms  mean {stats['mean']:6.1f} ms")  # fmt: skip
    # The machine may be shared: the CPU time this process spent shows what the code costs
    # when the wall-clock time includes waiting for a core.
    print(f"  {'page, CPU time':<20} p50 {cpu['p50']:6.1f} ms  p95 {cpu['p95']:6.1f} ms  "
          f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")  # fmt: skip
    ok = page["p95"] <= TARGET_P95_MS
    print(f"Target: page save p95 ≤ {TARGET_P95_MS:.0f} ms: {'met' if ok else 'MISSED'} "
          f"({page['p95']:.1f} ms)")  # fmt: skip
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
