"""Scores per second for each instrument, and plan_dose decisions per second, on one core.

    python benchmarks/bench_scoring.py [--seconds 0.2] [--repeats 5]

Answers are valid and random with a fixed seed; each figure is the best of several repeats
timed with time.perf_counter. Pure Python: no Django needed.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ketacare.clinical.dosing import DEFAULT_PROTOCOLS, plan_dose  # noqa: E402
from ketacare.clinical.instruments import INSTRUMENTS, score  # noqa: E402

SEED = 20260310
SAMPLES = 1000


def best_rate(run: Callable[[], int], seconds: float, repeats: int) -> float:
    """Calls per second of the fastest repeat; `run` does a batch and returns its size."""
    batches = 1
    while True:  # size the repeat to last about `seconds`
        start = time.perf_counter()
        for _ in range(batches):
            run()
        if time.perf_counter() - start >= seconds / 4:
            break
        batches *= 2
    best = 0.0
    for _ in range(repeats):
        start = time.perf_counter()
        done = sum(run() for _ in range(batches))
        best = max(best, done / (time.perf_counter() - start))
    return best


def instrument_batch(code: str, rng: random.Random) -> Callable[[], int]:
    items = INSTRUMENTS[code].items
    sheets = [[rng.choice(item.allowed_values) for item in items] for _ in range(SAMPLES)]

    def run() -> int:
        for answers in sheets:
            score(code, answers)
        return len(sheets)

    return run


def dosing_batch(rng: random.Random) -> Callable[[], int]:
    at = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
    codes = list(DEFAULT_PROTOCOLS)
    requests: list[dict[str, Any]] = []
    for _ in range(SAMPLES):
        requests.append(
            {
                "protocol": rng.choice(codes),
                "weight_kg": round(rng.uniform(45, 120), 1),
                "dose_mg": rng.choice([None, None, 56, 84, round(rng.uniform(20, 150), 1)]),
                "vitals": {
                    "systolic": rng.randint(100, 170),
                    "diastolic": rng.randint(60, 105),
                    "heart_rate": rng.randint(50, 115),
                    "spo2": rng.randint(90, 100),
                },
                "history": [
                    (at - timedelta(hours=rng.randint(12, 24 * 30)), 35.0)
                    for _ in range(rng.randint(0, 8))
                ],
                "override_reason": rng.choice([None, None, "Prescriber reviewed"]),
            }
        )

    def run() -> int:
        for request in requests:
            plan_dose(**request, at=at)
        return len(requests)

    return run


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=0.2, help="target time per repeat")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    rng = random.Random(SEED)  # noqa: S311 - benchmark data, not security
    out = sys.stdout
    out.write(f"Python {sys.version.split()[0]}, best of {args.repeats}\n")
    for code in INSTRUMENTS:
        rate = best_rate(instrument_batch(code, rng), args.seconds, args.repeats)
        out.write(f"{code:<14} {rate:>12,.0f} scores/s\n")
    rate = best_rate(dosing_batch(rng), args.seconds, args.repeats)
    out.write(f"{'plan_dose':<14} {rate:>12,.0f} decisions/s\n")


if __name__ == "__main__":
    main()
