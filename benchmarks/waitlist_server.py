"""Shared by the waiting-list benchmarks: a fresh var/ with a migrated SQLite database and one
clinic, `ketacare serve` started on a free loopback port, and a small HTTP client that
records each request's status and latency. Loopback only; every run is bounded."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KETACARE = str(Path(sys.executable).with_name("ketacare"))
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def server_env(var_dir: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "KETACARE_VAR_DIR")
    }
    env.update(
        KETACARE_VAR_DIR=str(var_dir),
        DATABASE_URL=f"sqlite:///{var_dir / 'ketacare.sqlite3'}",
        DEBUG="0",
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        ALLOWED_HOSTS=HOST,
        WAITLIST_RATE_LIMIT="off",
        # The worker sends the confirmation emails; nowhere, for a benchmark.
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
        LOG_LEVEL="ERROR",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def prepare(var_dir: Path, env: dict[str, str]) -> None:
    """Migrate and create the clinic sign-ups join."""
    subprocess.run([KETACARE, "migrate", "--noinput", "-v", "0"], env=env, check=True)
    code = (
        "from ketacare.accounts.models import Clinic;"
        "Clinic.objects.get_or_create(slug='bench', defaults={'name': 'Bench Clinic'})"
    )
    subprocess.run([KETACARE, "shell", "-c", code], env=env, check=True)


@dataclass
class Server:
    proc: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"


def start(env: dict[str, str], log: Path, workers: int = 2, timeout: float = 60) -> Server:
    port = free_port()
    out = log.open("ab")
    proc = subprocess.Popen(
        [KETACARE, "serve", "--host", HOST, "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    server = Server(proc, port, log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"ketacare serve exited {proc.returncode}; see {log}")
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(server.base + "/healthz", timeout=1) as response:
                if response.status == 200:
                    return server
        time.sleep(0.2)
    stop(server)
    raise RuntimeError(f"ketacare serve did not answer within {timeout} s; see {log}")


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (from /proc), deepest last."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, IndexError, ValueError):
            stat = (entry / "stat").read_text()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry.name))
    found: list[int] = []
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def stop(server: Server, timeout: float = 40) -> None:
    if server.proc.poll() is None:
        server.proc.send_signal(signal.SIGTERM)
        try:
            server.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            kill_hard(server)


def kill_hard(server: Server) -> None:
    """kill -9 the supervisor, gunicorn (master and workers) and the task worker at once."""
    pids = [server.proc.pid, *descendants(server.proc.pid)]
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    server.proc.wait()


@dataclass
class Result:
    status: int
    ms: float
    body: dict | None = None
    error: str = ""


@dataclass
class Tally:
    results: list[Result] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def throughput(self) -> float:
        return len(self.results) / self.seconds if self.seconds else 0.0

    def percentile(self, pct: float) -> float:
        times = sorted(r.ms for r in self.results)
        if not times:
            return 0.0
        index = min(len(times) - 1, max(0, round(pct / 100 * len(times) + 0.5) - 1))
        return times[index]


def request(url: str, body: dict | None = None, timeout: float = 30) -> Result:
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Content-Type": "application/json"} if data is not None else {}
    req = urllib.request.Request(url, data=data, headers=headers, method="POST" if data else "GET")  # noqa: S310 (loopback)
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:  # noqa: S310 (loopback)
            raw = response.read()
            status = response.status
    except urllib.error.HTTPError as exc:
        raw, status = exc.read(), exc.code
    except OSError as exc:
        return Result(0, (time.perf_counter() - started) * 1000, error=str(exc))
    ms = (time.perf_counter() - started) * 1000
    try:
        parsed = json.loads(raw) if raw else None
    except ValueError:
        parsed = None
    return Result(status, ms, parsed if isinstance(parsed, dict) else None)


def signup_body(n: int, run: str) -> dict:
    return {
        "first_name": "Load",
        "last_name": f"Test{n}",
        "email": f"load-{run}-{n}@example.org",
        "phone": "+1 555 010 0199",
        "date_of_birth": "1988-04-12",
        "region": "NY",
        "conditions": ["depression"],
        "preferred_route": "home-troche",
        "phq2": [n % 4, (n // 4) % 4],
        "gad2": [(n // 2) % 4, n % 3],
        "consent": True,
    }


def entries_in_db(var_dir: Path) -> list[tuple[str, str]]:
    """(public id as hex, email_key) of every entry, read straight from the SQLite file."""
    with contextlib.closing(sqlite3.connect(var_dir / "ketacare.sqlite3")) as db:
        return db.execute("SELECT public_id, email_key FROM waitlist_waitlistentry").fetchall()


def outbox_pending(var_dir: Path) -> int:
    with contextlib.closing(sqlite3.connect(var_dir / "ketacare.sqlite3")) as db:
        query = "SELECT COUNT(*) FROM core_outgoingemail WHERE NOT failed"
        return int(db.execute(query).fetchone()[0])


def mailed_to(mail_dir: Path, subject_start: str) -> dict[str, int]:
    """How many emails each address got whose subject starts so (file email backend)."""
    import email
    from email import policy

    counts: dict[str, int] = {}
    for path in mail_dir.glob("*.log"):
        for raw in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if not raw.strip():
                continue
            message = email.message_from_bytes(raw.strip(), policy=policy.default)
            if str(message.get("Subject", "")).startswith(subject_start):
                to = str(message["To"])
                counts[to] = counts.get(to, 0) + 1
    return counts


def integrity(var_dir: Path) -> str:
    with contextlib.closing(sqlite3.connect(var_dir / "ketacare.sqlite3")) as db:
        return str(db.execute("PRAGMA integrity_check").fetchone()[0])
