"""Crash safety of waiting-list sign-ups: `ketacare serve --workers 2` on SQLite takes
sign-ups from loopback clients and is killed with SIGKILL (supervisor, gunicorn master and
workers, task worker, all at once) in the middle of the load; it is started again and the
database checked. Repeated for several rounds.

    python benchmarks/bench_waitlist_crash.py [--rounds 3] [--clients 4] [--seconds 4]

Pass: after each restart every sign-up that got a success answer (201, or 200 for a repeat)
is in the database, no address is there twice, the file passes `PRAGMA integrity_check`;
the sign-ups that got no answer, sent again, are accepted exactly once (201 if the crash
lost them, 200 with their id if they had been committed before it); and every stored
sign-up's confirmation email is sent (the file email backend counts them; the outbox may
send one twice after a crash, never zero times).
"""

from __future__ import annotations

import argparse
import itertools
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import waitlist_server as ws  # noqa: E402

MAX_REQUESTS_PER_ROUND = 5000


def load_until_killed(
    server: ws.Server, run: str, clients: int, seconds: float
) -> tuple[dict, list]:
    """Send sign-ups until the server is killed after `seconds`; (email -> id acknowledged,
    emails without an answer)."""
    acknowledged: dict[str, str] = {}
    unanswered: list[str] = []
    lock = threading.Lock()
    counter = itertools.count()
    stop = threading.Event()

    def client() -> None:
        while not stop.is_set():
            n = next(counter)
            if n >= MAX_REQUESTS_PER_ROUND:
                return
            body = ws.signup_body(n, run)
            result = ws.request(server.base + "/api/v1/waitlist", body, timeout=10)
            with lock:
                if result.status in (200, 201) and result.body:
                    acknowledged[body["email"]] = result.body["id"]
                elif result.status == 0 or result.status >= 500:
                    unanswered.append(body["email"])
                else:
                    raise AssertionError(f"unexpected answer {result.status}: {result.body}")
            if result.status == 0:
                return  # the server is gone

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    ws.kill_hard(server)
    stop.set()
    for thread in threads:
        thread.join(30)
    return acknowledged, unanswered


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=4.0, help="load before each kill -9")
    parser.add_argument("--keep", help="keep the var/ directory here")
    args = parser.parse_args(argv)
    rounds = max(1, min(args.rounds, 10))
    clients = max(1, min(args.clients, 16))
    ok = True
    with tempfile.TemporaryDirectory(prefix="bench-waitlist-crash-") as tmp:
        var_dir = Path(args.keep or tmp)
        var_dir.mkdir(parents=True, exist_ok=True)
        mail_dir = var_dir / "mail"
        env = ws.server_env(var_dir, EMAIL_URL=f"filemail:///{mail_dir}")
        ws.prepare(var_dir, env)
        all_acknowledged: dict[str, str] = {}
        for round_no in range(1, rounds + 1):
            run = f"r{round_no}-{uuid.uuid4().hex[:6]}"
            server = ws.start(env, var_dir / "serve.log")
            acknowledged, unanswered = load_until_killed(server, run, clients, args.seconds)
            server = ws.start(env, var_dir / "serve.log")  # after the crash
            try:
                rows = ws.entries_in_db(var_dir)
                ids = {pid.replace("-", "") for pid, _ in rows}
                keys = [key for _, key in rows if key]
                lost = [e for e, i in acknowledged.items() if i.replace("-", "") not in ids]
                twice = len(keys) - len(set(keys))
                # Those without an answer, sent again: exactly once each, whatever happened.
                resent_new = resent_known = resent_bad = 0
                for email in unanswered:
                    n = int(email.split("-")[-1].split("@")[0])
                    result = ws.request(server.base + "/api/v1/waitlist", ws.signup_body(n, run))
                    if result.status == 201:
                        resent_new += 1
                    elif result.status == 200:
                        resent_known += 1
                    else:
                        resent_bad += 1
                    if result.body:
                        acknowledged[email] = result.body["id"]
                rows = ws.entries_in_db(var_dir)
                mine = [key for _, key in rows if key and f"-{run}-" in key]
                integrity = ws.integrity(var_dir)
                # The outbox survived the crash: wait for the worker (kick, or the minute's sweep).
                deadline = time.monotonic() + 150
                while ws.outbox_pending(var_dir) and time.monotonic() < deadline:
                    time.sleep(1)
                mailed = ws.mailed_to(mail_dir, "Confirm your place")
                unmailed = [key for key in mine if not mailed.get(key)]
                mailed_twice = sum(1 for key in mine if mailed.get(key, 0) > 1)
            finally:
                ws.stop(server)
            all_acknowledged.update(acknowledged)
            round_ok = (
                not lost and not twice and not resent_bad and integrity == "ok"
                and len(mine) == len(set(mine)) == len(acknowledged) and not unmailed
            )  # fmt: skip
            ok &= round_ok
            print(
                f"round {round_no}: {len(acknowledged) - len(unanswered)} acknowledged before "
                f"kill -9, {len(unanswered)} without an answer; after restart: lost {len(lost)}, "
                f"twice {twice}; resent: {resent_new} new, {resent_known} already stored, "
                f"{resent_bad} failed; entries {len(mine)} = acknowledged {len(acknowledged)}; "
                f"confirmation emails: {len(mine) - len(unmailed)} of {len(mine)} sent "
                f"({mailed_twice} twice); integrity {integrity} -> {'ok' if round_ok else 'FAIL'}"
            )
        total = ws.entries_in_db(var_dir)
        print(f"{len(total)} entries in all, {len(all_acknowledged)} sign-ups acknowledged.")
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
