"""Run every benchmarks/bench_*.py, one after the other, each in its own process, and fail
if any of them fails (a benchmark that misses its target exits non-zero).

    python benchmarks/run_all.py [-k NAME] [--list]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-k", dest="only", default="", help="only benchmarks whose name has this")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    args = parser.parse_args(argv)
    benches = sorted(p for p in HERE.glob("bench_*.py") if args.only in p.stem)
    if args.list:
        print("\n".join(p.name for p in benches))
        return 0
    if not benches:
        print(f"No benchmark matches {args.only!r}.", file=sys.stderr)
        return 1
    failed = []
    for bench in benches:
        print(f"\n=== {bench.name} ===", flush=True)
        start = time.perf_counter()
        code = subprocess.call([sys.executable, str(bench)], cwd=HERE.parent)
        took = time.perf_counter() - start
        print(f"--- {bench.name}: {'ok' if code == 0 else f'FAILED (exit {code})'} in {took:.1f} s")
        if code != 0:
            failed.append(bench.name)
    print(f"\n{len(benches) - len(failed)} of {len(benches)} benchmarks passed.")
    if failed:
        print("Failed: " + ", ".join(failed), file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
