"""The staff waiting-list board at size: 100,000 waiting entries in a fresh SQLite file, and
the board page as a clinician opens it (the first page by priority, a filtered page, each
other sort, a deep page by keyset cursor), timed through Django's test client, queries
counted.

    python benchmarks/bench_waitlist_board.py [--entries 100000]

Target: every page in at most 10 SQL queries (transaction control, BEGIN and COMMIT, not
counted) and at most 500 ms (median of 5).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PAGE_TARGET_MS = 500.0
QUERY_TARGET = 10
CONTROL = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE", "ROLLBACK")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    args = parser.parse_args(argv)
    entries = max(1, min(args.entries, 1_000_000))
    with tempfile.TemporaryDirectory(prefix="bench-waitlist-board-") as tmp:
        os.environ.update(
            KETACARE_VAR_DIR=tmp,
            DATABASE_URL=f"sqlite:///{tmp}/bench.sqlite3",
            DJANGO_SETTINGS_MODULE="ketacare.settings",
            DEBUG="0",
            SECURE_SSL_REDIRECT="false",
            ALLOWED_HOSTS="testserver",
        )
        import django

        django.setup()
        from django.conf import settings

        # No collectstatic for a benchmark: static names as they are.
        settings.STORAGES = {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext
        from django.utils import timezone

        from ketacare.accounts.models import Clinic, Role, User
        from ketacare.waitlist.models import Program
        from tests.waitlist.bulk import insert_entries

        call_command("migrate", verbosity=0)
        clinic = Clinic.objects.create(name="Bench", slug="bench")
        program = Program.objects.create(
            clinic=clinic, slug="home", name="Home", regions_served="NY, NJ"
        )
        clinician = User.objects.create_user("c@bench.example", None, full_name="C", clinic=clinic,
                                             role=Role.CLINICIAN, mfa_exempt=True)  # fmt: skip
        started = time.perf_counter()
        insert_entries(program, entries, now=timezone.now())
        print(f"inserted {entries} entries in {time.perf_counter() - started:.1f} s")
        client = Client()
        client.force_login(clinician)
        from ketacare.waitlist.selectors import BoardFilters, board_page

        cursor = board_page(clinician, BoardFilters()).next_cursor
        pages = {
            "first page, by priority": {},
            "NY, positive screens": {"region": "NY", "positive": "1"},
            "waited 8+ weeks, by waiting time": {"min_weeks": "8", "sort": "waiting"},
            "by pre-screen score": {"sort": "prescreen"},
            "newest first": {"sort": "newest"},
            "all statuses": {"status": "all"},
            "second page (keyset)": {"after": cursor},
        }
        ok = True
        for name, params in pages.items():
            times = []
            for _ in range(5):
                with CaptureQueriesContext(connection) as queries:
                    t0 = time.perf_counter()
                    response = client.get("/waitlist/board/", params)
                    times.append((time.perf_counter() - t0) * 1000)
                assert response.status_code == 200, response.status_code
            # Statements that read or write; not the BEGIN/COMMIT SQLite logs around each write.
            sql = [q for q in queries.captured_queries if not q["sql"].startswith(CONTROL)]
            median = statistics.median(times)
            good = median <= PAGE_TARGET_MS and len(sql) <= QUERY_TARGET
            ok &= good
            if not good and os.environ.get("BENCH_VERBOSE"):
                print("\n".join("    " + q["sql"][:150] for q in sql))
            print(
                f"{name:<34} median {median:6.1f} ms, {len(sql)} queries {'ok' if good else 'MISS'}"
            )
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
