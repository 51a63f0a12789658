"""Small builders shared by the clinical-core tests."""

from __future__ import annotations


def spread(total: int, count: int, high: int) -> list[int]:
    """`count` item values in 0..high summing to `total`, filled from the first item."""
    if not 0 <= total <= count * high:
        raise ValueError(f"cannot spread {total} over {count} items of at most {high}")
    values = []
    for _ in range(count):
        value = min(high, total)
        values.append(value)
        total -= value
    return values
