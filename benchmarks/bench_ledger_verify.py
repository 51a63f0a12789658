"""`ketacare ledger verify` over a large ledger: bulk-inserts N valid, hash-chained entries
(receipts and administrations keeping the balance above zero) into a fresh SQLite file with
raw executemany, then times the real command in a subprocess and reports its peak memory.

    python benchmarks/bench_ledger_verify.py [--entries 1000000] [--keep DIR]

The target (issue #9): 1,000,000 entries verified in at most 30 s, in constant memory.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CLINIC_DEA = "AB1234563"
TARGET_SECONDS = 30.0
RECEIPT_UNITS = 1000  # mL of 50 mg/mL ketamine per receipt
DOSE_UNITS = Decimal("0.5")


def _setup(var_dir: Path) -> dict[str, int]:
    """Migrate a fresh database and create the rows the entries point at."""
    os.environ["KETACARE_VAR_DIR"] = str(var_dir)
    os.environ["DATABASE_URL"] = f"sqlite:///{var_dir / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketacare.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from ketacare.accounts.models import Clinic, Role, User
    from ketacare.ledger.models import Lot, Product, StorageLocation
    from ketacare.patients.models import Patient

    clinic = Clinic.objects.create(name="Bench", slug="bench", dea_registration=CLINIC_DEA)
    user = User.objects.create_user(
        "nurse@bench.example", "x" * 16, full_name="Nurse", clinic=clinic, role=Role.CLINICIAN
    )
    patient = Patient.objects.create(
        clinic=clinic, first_name="Pat", last_name="Bench", date_of_birth=dt.date(1980, 1, 1)
    )
    product = Product.objects.create(
        clinic=clinic,
        dea_registration=CLINIC_DEA,
        name="Ketamine 50 mg/mL",
        form="vial",
        unit="mL",
        mg_per_unit=Decimal(50),
        concentration_mg_per_ml=Decimal(50),
        volume_ml=Decimal(10),
    )
    location = StorageLocation.objects.create(
        clinic=clinic, dea_registration=CLINIC_DEA, name="Safe"
    )
    lot = Lot.objects.create(
        clinic=clinic,
        dea_registration=CLINIC_DEA,
        product=product,
        lot_number="BENCH-1",
        expires_on=dt.date(2099, 1, 1),
    )
    return {
        "clinic": clinic.pk,
        "user": user.pk,
        "patient": patient.pk,
        "lot": lot.pk,
        "location": location.pk,
    }


def _milli_text(milli: int) -> str:
    sign = "-" if milli < 0 else ""
    return f"{sign}{abs(milli) // 1000}.{abs(milli) % 1000:03d}"


# The hashed fields in the order the application hashes them (checked against it below).
FIELDS = (
    "clinic_id",
    "seq",
    "dea_registration",
    "kind",
    "lot_id",
    "location_id",
    "quantity",
    "quantity_mg",
    "balance_after",
    "recorded_at",
    "actor_id",
    "witness_id",
    "patient_id",
    "treatment_session_id",
    "counterparty_name",
    "counterparty_dea",
    "counterparty_address",
    "document_number",
    "received_on",
    "directions",
    "reason",
    "corrects_id",
    "related_entry_id",
    "investigation_id",
)


def _insert(db: Path, ids: dict[str, int], total: int) -> float:
    """Rows built directly in the canonical text the database stores and verify reads back,
    hashed with the application's own helpers; executemany in batches of 50,000."""
    from ketacare.audit.hashchain import GENESIS_HASH, canonical_json, chain_hash
    from ketacare.ledger.chain import HASHED_FIELDS

    assert FIELDS == HASHED_FIELDS, "the benchmark's field order must follow the ledger's"
    started = time.perf_counter()
    connection = sqlite3.connect(db)
    # A bulk load: no fsync, a large page cache for the random-keyed hash index.
    connection.execute("PRAGMA synchronous=OFF")
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA cache_size=-524288")
    columns = ("id", "prev_hash", "hash", *FIELDS)
    sql = (
        f"INSERT INTO ledger_ledgerentry ({', '.join(columns)}) "  # noqa: S608 (fixed names)
        f"VALUES ({', '.join('?' for _ in columns)})"
    )
    base = dt.datetime(2024, 1, 1, 8, 0, 0)  # noqa: DTZ001 (naive UTC, as SQLite stores it)
    clinic, lot, location = ids["clinic"], ids["lot"], ids["location"]
    user, patient = ids["user"], ids["patient"]
    receipt_milli, dose_milli = RECEIPT_UNITS * 1000, int(DOSE_UNITS * 1000)
    prev = GENESIS_HASH
    balance = 0
    batch: list[tuple[object, ...]] = []
    for seq in range(1, total + 1):
        receipt = balance < dose_milli * 4
        change = receipt_milli if receipt else -dose_milli
        balance += change
        at = (base + dt.timedelta(seconds=seq, microseconds=seq % 7 * 1000)).isoformat(sep=" ")
        if receipt:
            hashed = (
                clinic,
                seq,
                CLINIC_DEA,
                "receipt",
                lot,
                location,
                _milli_text(change),
                _milli_text(change * 50),
                _milli_text(balance),
                at,
                user,
                None,
                None,
                None,
                "Supplier Inc.",
                "RS7654329",
                "",
                f"INV-{seq}",
                "2024-01-01",
                "",
                "",
                None,
                None,
                None,
            )
        else:
            hashed = (
                clinic,
                seq,
                CLINIC_DEA,
                "administration",
                lot,
                location,
                _milli_text(change),
                _milli_text(change * 50),
                _milli_text(balance),
                at,
                user,
                None,
                patient,
                None,
                "",
                "",
                "",
                "",
                None,
                "",
                "",
                None,
                None,
                None,
            )
        digest = chain_hash(prev, canonical_json(hashed))
        batch.append((seq, prev, digest, *hashed))
        prev = digest
        if len(batch) == 50_000:
            connection.executemany(sql, batch)
            batch.clear()
    if batch:
        connection.executemany(sql, batch)
    connection.execute(
        "INSERT INTO ledger_stockbalance (clinic_id, dea_registration, lot_id, location_id, "
        "quantity, last_entry_id, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (clinic, CLINIC_DEA, lot, location, _milli_text(balance), total, "2024-01-01 00:00:00"),
    )
    connection.execute(
        "INSERT INTO ledger_chainhead (clinic_id, entry_count, last_hash, updated_at) "
        "VALUES (?, ?, ?, ?)",
        (clinic, total, prev, "2024-01-01 00:00:00"),
    )
    connection.commit()
    connection.close()
    return time.perf_counter() - started


def build(directory: Path, entries: int) -> None:
    """Run in a child process, so the parent that times verify stays small (a child's peak
    memory includes its parent's at the moment it was started)."""
    db = directory / "bench.sqlite3"
    if db.exists():
        db.unlink()
    ids = _setup(directory)
    seconds = _insert(db, ids, entries)
    print(f"inserted {entries:,} chained entries in {seconds:.1f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--keep", help="Build the database in this directory and keep it")
    parser.add_argument("--build", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build:
        build(Path(args.build), args.entries)
        return 0
    var_dir = Path(args.keep or tempfile.mkdtemp(prefix="ketacare-bench-ledger-"))
    var_dir.mkdir(parents=True, exist_ok=True)
    db = var_dir / "bench.sqlite3"
    subprocess.run(
        [sys.executable, __file__, "--build", str(var_dir), "--entries", str(args.entries)],
        check=True,
    )

    env = {**os.environ, "KETACARE_VAR_DIR": str(var_dir), "DATABASE_URL": f"sqlite:///{db}"}
    ketacare = Path(sys.executable).with_name("ketacare")
    command = (
        [str(ketacare), "ledger", "verify"]
        if ketacare.exists()
        else [sys.executable, "-m", "ketacare.cli", "ledger", "verify"]
    )
    started = time.perf_counter()
    child = subprocess.Popen(  # noqa: S603 (our own command)
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    returncode = os.waitstatus_to_exitcode(status)
    output = (child.stdout.read() if child.stdout else "") or (
        child.stderr.read() if child.stderr else ""
    )
    peak_mib = usage.ru_maxrss / 1024
    print(output.strip())
    print(
        f"ledger verify: {args.entries:,} entries in {seconds:.1f} s wall, including process "
        f"start-up ({args.entries / seconds:,.0f} entries/s), peak memory {peak_mib:.0f} MiB, "
        f"exit {returncode}"
    )
    if not args.keep:
        shutil.rmtree(var_dir, ignore_errors=True)
    ok = returncode == 0 and (args.entries < 1_000_000 or seconds <= TARGET_SECONDS)
    print("PASS" if ok else f"FAIL (target: {TARGET_SECONDS:.0f} s for 1,000,000 entries)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
