"""Waiting-list sign-up throughput: `ketacare serve --workers 2` on SQLite (rate limit off),
loopback clients, a bounded number of requests. Measures `POST /api/v1/waitlist` against a
trivial `GET /healthz` on the same server in the same run (healthz before and after the
sign-ups, averaged), the sign-ups' latency, and that the database holds exactly the
accepted sign-ups: none lost, none twice.

    python benchmarks/bench_waitlist_load.py [--signups 3000] [--health 3000] [--clients 4]

Targets: sign-up throughput >= 0.5 x healthz throughput; p99 latency <= 50 ms; entries in
the database = sign-ups accepted (201), each once.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import waitlist_server as ws  # noqa: E402

RATIO_TARGET = 0.5
P99_TARGET_MS = 50.0


def run_phase(urls_and_bodies: list[tuple[str, dict | None]], clients: int) -> ws.Tally:
    tally = ws.Tally()
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        tally.results = list(pool.map(lambda item: ws.request(*item), urls_and_bodies))
    tally.seconds = time.perf_counter() - started
    return tally


def describe(name: str, tally: ws.Tally) -> str:
    return (
        f"{name:<22} {len(tally.results):>6} requests in {tally.seconds:6.2f} s = "
        f"{tally.throughput:7.1f}/s; p50 {tally.percentile(50):6.1f} ms, "
        f"p99 {tally.percentile(99):6.1f} ms"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signups", type=int, default=3000, help="sign-ups to send (max 20000)")
    parser.add_argument("--health", type=int, default=3000, help="healthz requests per phase")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients (max 16)")
    parser.add_argument("--keep", help="keep the var/ directory here")
    args = parser.parse_args(argv)
    signups = max(1, min(args.signups, 20_000))
    health = max(1, min(args.health, 20_000))
    clients = max(1, min(args.clients, 16))

    with tempfile.TemporaryDirectory(prefix="bench-waitlist-") as tmp:
        var_dir = Path(args.keep or tmp)
        var_dir.mkdir(parents=True, exist_ok=True)
        env = ws.server_env(var_dir)
        ws.prepare(var_dir, env)
        server = ws.start(env, var_dir / "serve.log")
        try:
            warm = [(server.base + "/healthz", None)] * 200
            run_phase(warm, clients)
            run_id = uuid.uuid4().hex[:8]
            run_phase([(server.base + "/api/v1/waitlist", ws.signup_body(-i - 1, "warm" + run_id))
                       for i in range(50)], clients)  # fmt: skip
            health_before = run_phase([(server.base + "/healthz", None)] * health, clients)
            bodies = [ws.signup_body(i, run_id) for i in range(signups)]
            signup = run_phase([(server.base + "/api/v1/waitlist", b) for b in bodies], clients)
            health_after = run_phase([(server.base + "/healthz", None)] * health, clients)
        finally:
            ws.stop(server)

        accepted = [r for r in signup.results if r.status == 201]
        failed = [r for r in signup.results if r.status != 201]
        accepted_ids = [r.body["id"] for r in accepted if r.body]
        in_db = {
            pid.replace("-", ""): key
            for pid, key in ws.entries_in_db(var_dir)
            if key and key.startswith(f"load-{run_id}-")
        }
        missing = [i for i in accepted_ids if i.replace("-", "") not in in_db]
        duplicated_ids = len(accepted_ids) - len(set(accepted_ids))
        extra = len(in_db) - len(set(accepted_ids))

    health_rate = (health_before.throughput + health_after.throughput) / 2
    ratio = signup.throughput / health_rate if health_rate else 0.0
    p99 = signup.percentile(99)
    print(describe("GET /healthz (before)", health_before))
    print(describe("GET /healthz (after)", health_after))
    print(describe("POST /api/v1/waitlist", signup))
    print(f"throughput ratio (sign-up / healthz): {ratio:.2f} (target >= {RATIO_TARGET})")
    print(f"sign-up p99 latency: {p99:.1f} ms (target <= {P99_TARGET_MS:.0f} ms)")
    print(
        f"accepted {len(accepted)}, not accepted {len(failed)}; in the database {len(in_db)}; "
        f"lost {len(missing)}, duplicated ids {duplicated_ids}, unacknowledged extra {extra}"
    )
    if failed:
        statuses = sorted({(r.status, r.error[:60]) for r in failed})
        print(f"failures: {statuses[:5]}")
    ok = True
    if missing or duplicated_ids or extra or failed:
        print("FAIL: every sign-up must be accepted and stored exactly once.")
        ok = False
    if ratio < RATIO_TARGET:
        print(f"MISS: throughput ratio {ratio:.2f} < {RATIO_TARGET}")
        ok = False
    if p99 > P99_TARGET_MS:
        print(f"MISS: p99 {p99:.1f} ms > {P99_TARGET_MS:.0f} ms")
        ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
