"""Per-address rate limits (the public forms use them), counted in the shared cache (the
file cache on one machine, Redis when several app servers share it), so every worker sees
one count.

A rate is "N/s", "N/m", "N/h" or "N/d" (e.g. "10/h"); "off" disables the limit.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpRequest

from ketacare.core.context import client_ip

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Rate:
    count: int
    period_s: int


def parse_rate(text: str) -> Rate | None:
    """`None` for "off" (or empty); ValueError for anything unreadable."""
    text = (text or "").strip().lower()
    if text in ("", "off", "none", "0"):
        return None
    count, _, unit = text.partition("/")
    unit = unit.strip()
    period = _PERIODS.get(unit[:1]) if unit else None
    if not count.strip().isdigit() or period is None or int(count) < 1:
        raise ValueError(f"rate limit must look like '10/h' or 'off', not {text!r}")
    return Rate(int(count), period)


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after_s: int = 0

    @property
    def retry_after_text(self) -> str:
        minutes = max(1, -(-self.retry_after_s // 60))
        return f"{minutes} minute{'s' if minutes != 1 else ''}"


def hit(request: HttpRequest, *, scope: str, rate: str) -> Verdict:
    """Count one attempt from the request's address; refuse it once the window is full."""
    limit = parse_rate(rate)
    if limit is None:
        return Verdict(True)
    now = time.time()
    window = int(now // limit.period_s)
    key = f"ratelimit:{scope}:{client_ip(request) or 'unknown'}:{window}"
    cache.add(key, 0, timeout=limit.period_s + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=limit.period_s + 1)
        count = 1
    retry_after = int(limit.period_s - (now % limit.period_s)) + 1
    return Verdict(count <= limit.count, retry_after)
