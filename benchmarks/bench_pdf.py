"""Time to build one printable document with the embedded Unicode fonts (ketacare.core.pdf):
a Latin/Greek/Vietnamese page, which needs only DejaVu Sans, and a page with a Chinese name,
which loads the CJK fallback font. Median of several builds; target: a Latin document in at
most 0.25 s on one core (the session record and the DEA report are built on request).

    python benchmarks/bench_pdf.py [--repeats 9]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ketacare.core.pdf import KetaCarePDF  # noqa: E402

TARGET_LATIN_S = 0.25
ROWS = 40  # about a page of a ledger report


def build(name: str) -> int:
    pdf = KetaCarePDF(title="Benchmark")
    pdf.footer_text = "KetaCare benchmark"
    pdf.add_page()
    for row in range(ROWS):
        line = f"{row:>3}  {name}  ketamine 50 mg/mL  lot A{row:04}  -2.00 mL"
        pdf.multi_cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
    return len(pdf.output())


def median_seconds(name: str, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        build(name)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=9)
    args = parser.parse_args()
    latin = median_seconds("Nguyễn Thị Minh Khai, Łukasz Żółć, Γιώργος", args.repeats)
    chinese = median_seconds("王小明", args.repeats)
    print(f"Latin/Greek/Vietnamese page: {latin * 1000:.0f} ms (median of {args.repeats})")
    print(f"page with a Chinese name:   {chinese * 1000:.0f} ms (loads the CJK font)")
    print(f"ratio CJK / Latin: {chinese / latin:.1f}")
    if latin > TARGET_LATIN_S:
        print(f"MISSED: a Latin document took {latin:.2f} s (target {TARGET_LATIN_S} s)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
