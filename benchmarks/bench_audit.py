"""The audit trail at size: bulk-inserts N valid, hash-chained audit events into a fresh
SQLite file, then times `ketacare audit verify` in a subprocess (and its peak memory) and
the audit log page (/audit/) for the clinic administrator: newest page, a filtered page and
a deep page.

    python benchmarks/bench_audit.py [--events 1000000] [--keep DIR]

Targets: 1,000,000 events verified in at most 60 s in constant memory; each audit log page
answered in at most 500 ms (median of 5) at that size.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

VERIFY_TARGET_SECONDS = 60.0
PAGE_TARGET_MS = 500.0
ACTORS = 20  # staff members whose reads fill the trail


def _setup(var_dir: Path) -> dict[str, Any]:
    os.environ["KETACARE_VAR_DIR"] = str(var_dir)
    os.environ["DATABASE_URL"] = f"sqlite:///{var_dir / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketacare.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from ketacare.accounts.models import Clinic, Role, User

    clinic = Clinic.objects.create(name="Bench", slug="bench")
    admin = User.objects.create_user("admin@bench.example", None, full_name="Admin",
                                     clinic=clinic, role=Role.ADMIN, mfa_exempt=True)  # fmt: skip
    return {"clinic": clinic.pk, "admin": admin}


def _insert(db: Path, clinic_id: int, total: int) -> float:
    """Rows in the text the database stores, hashed with the application's own function."""
    from django.db import connection as django_connection

    from ketacare.audit.log import GENESIS_HASH, HASHED_FIELDS, compute_hash

    started = time.perf_counter()
    adapt = django_connection.ops.adapt_datetimefield_value
    connection = sqlite3.connect(db)
    connection.execute("PRAGMA synchronous=OFF")
    connection.execute("PRAGMA journal_mode=WAL")
    columns = ("prev_hash", "hash", *HASHED_FIELDS)
    sql = (
        f"INSERT INTO audit_auditevent ({', '.join(columns)}) "  # noqa: S608 (fixed names)
        f"VALUES ({', '.join('?' for _ in columns)})"
    )
    base = dt.datetime(2025, 1, 1, 8, 0, tzinfo=dt.UTC)
    prev = GENESIS_HASH
    batch: list[tuple[object, ...]] = []
    for n in range(1, total + 1):
        actor = n % ACTORS + 1
        fields: dict[str, Any] = {
            "at": base + dt.timedelta(seconds=n * 7),
            "actor_id": 1000 + actor,
            "actor_email": f"staff{actor}@bench.example",
            "actor_role": "clinician",
            "clinic_id": clinic_id,
            "action": "update" if n % 10 == 0 else "view",
            "model": "patients.Patient",
            "object_id": str(n % 5000 + 1),
            "patient_id": n % 5000 + 1,
            "ip": None,
            "path": f"/patients/{n % 5000 + 1}/",
            "outcome": "denied" if n % 97 == 0 else "success",
            "detail": "",
        }
        digest = compute_hash(prev, fields)
        stored = {**fields, "at": adapt(fields["at"])}
        batch.append((prev, digest, *(stored[name] for name in HASHED_FIELDS)))
        prev = digest
        if len(batch) == 50_000:
            connection.executemany(sql, batch)
            batch.clear()
    if batch:
        connection.executemany(sql, batch)
    connection.commit()
    connection.close()
    return time.perf_counter() - started


def _time_pages(admin: Any, total: int) -> dict[str, float]:
    from django.test import Client
    from django.test.utils import override_settings

    pages = {
        "newest page": {},
        "filtered (actor + outcome)": {"actor": "staff7@", "outcome": "denied"},
        "filtered (patient + dates)": {"patient": "42", "date_from": "2025-01-02",
                                       "date_to": "2025-03-31"},
        "page 200": {"page": "200"},
    }  # fmt: skip
    results = {}
    # The benchmark speaks plain HTTP to the test client, without collected static files.
    with override_settings(
        SECURE_SSL_REDIRECT=False,
        ALLOWED_HOSTS=["testserver"],
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    ):
        client = Client()
        client.force_login(admin)
        for name, params in pages.items():
            timings = []
            for _ in range(5):
                started = time.perf_counter()
                response = client.get("/audit/", params)
                timings.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, (name, response.status_code)
            results[name] = statistics.median(timings)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--keep", help="Build the database in this directory and keep it")
    args = parser.parse_args()
    var_dir = Path(args.keep or tempfile.mkdtemp(prefix="ketacare-bench-audit-"))
    var_dir.mkdir(parents=True, exist_ok=True)
    db = var_dir / "bench.sqlite3"
    if db.exists():
        db.unlink()
    ids = _setup(var_dir)
    insert_seconds = _insert(db, ids["clinic"], args.events)
    print(f"inserted {args.events:,} chained audit events in {insert_seconds:.1f} s")

    env = {**os.environ, "KETACARE_VAR_DIR": str(var_dir), "DATABASE_URL": f"sqlite:///{db}"}
    ketacare = Path(sys.executable).with_name("ketacare")
    command = [str(ketacare), "audit", "verify"] if ketacare.exists() else [
        sys.executable, "-m", "ketacare.cli", "audit", "verify"
    ]  # fmt: skip
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(done.stdout.strip() or done.stderr.strip())
    print(
        f"audit verify: {args.events:,} events in {seconds:.1f} s "
        f"({args.events / seconds:,.0f} events/s), peak memory {peak_mib:.0f} MiB, "
        f"exit {done.returncode}"
    )
    pages = _time_pages(ids["admin"], args.events)
    for name, ms in pages.items():
        print(f"audit log page, {name}: {ms:.0f} ms (median of 5)")

    if not args.keep:
        for path in var_dir.iterdir():
            if path.is_file():
                path.unlink()
    full_size = args.events >= 1_000_000
    verify_ok = done.returncode == 0 and (not full_size or seconds <= VERIFY_TARGET_SECONDS)
    pages_ok = not full_size or max(pages.values()) <= PAGE_TARGET_MS
    if verify_ok and pages_ok:
        print("PASS")
        return 0
    print(
        f"FAIL (targets at 1,000,000 events: verify in {VERIFY_TARGET_SECONDS:.0f} s, "
        f"each page in {PAGE_TARGET_MS:.0f} ms)"
    )
    return 1


if __name__ == "__main__":
    sys.exit(main())
