"""`ketacare serve`: the web server (gunicorn, or Django's dev server with `--dev`) and one
background-task consumer beside it, supervised together.

Each child runs in its own process group, so a signal reaches a child's own children too
(gunicorn's workers, the dev server's reloader). SIGTERM or SIGINT to `serve` is passed on
to both; when either child dies the other is stopped and `serve` exits non-zero, so a
process manager (systemd, Docker) sees the failure and restarts the pair."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

POLL_SECONDS = 0.2
SHM = "/dev/shm"  # noqa: S108 - gunicorn's heartbeat files, not data; the documented choice


def _die_with_parent() -> None:
    """In the child, before exec: get SIGTERM if `serve` itself is killed (Linux only), so a
    `kill -9` of the supervisor does not leave orphans serving."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM)


def _signal_group(proc: subprocess.Popen[bytes], sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, sig)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Command(BaseCommand):
    help = (
        "Serve KetaCare: gunicorn (or Django's dev server with --dev) and a background-task "
        "consumer beside it. Runs collectstatic first when DEBUG is off."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on.")
        parser.add_argument("--port", type=int, default=8000, help="Port to listen on.")
        parser.add_argument(
            "--workers", type=int, default=2, help="gunicorn worker processes (default 2)."
        )
        parser.add_argument(
            "--dev", action="store_true", help="Django's auto-reloading dev server, not gunicorn."
        )
        parser.add_argument(
            "--graceful-timeout",
            type=int,
            default=30,
            help="Seconds a request or task may take to finish after a stop signal.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["workers"] < 1:
            raise CommandError("--workers must be at least 1.")
        if not 0 < options["port"] < 65536:
            raise CommandError("--port must be between 1 and 65535.")
        if not settings.DEBUG:
            # The manifest storage can only name static files that were collected.
            call_command("collectstatic", interactive=False, verbosity=0)
            self.stdout.write(f"Static files collected into {settings.STATIC_ROOT}.")

        host = options["host"]
        bind = f"[{host}]:{options['port']}" if ":" in host else f"{host}:{options['port']}"
        manage = [sys.executable, "-m", "ketacare.cli"]
        if options["dev"]:
            web = [*manage, "runserver", bind]
        else:
            web = [
                sys.executable, "-m", "gunicorn", "ketacare.wsgi:application",
                "--bind", bind,
                "--workers", str(options["workers"]),
                "--timeout", "60",
                "--graceful-timeout", str(options["graceful_timeout"]),
                "--access-logfile", "-",
                "--error-logfile", "-",
                "--max-requests", "2000",
                "--max-requests-jitter", "200",
                # One control socket in $HOME would be shared by every instance on the host.
                "--no-control-socket",
            ]  # fmt: skip
            if os.path.isdir(SHM):
                # Worker heartbeats in memory: a slow disk must not get workers killed.
                web += ["--worker-tmp-dir", SHM]
        children = {
            "web server": self._spawn(web),
            "task worker": self._spawn([*manage, "worker"]),
        }
        kind = "dev server" if options["dev"] else f"gunicorn, {options['workers']} workers"
        self.stdout.write(
            f"KetaCare is starting on http://{bind}/ ({kind} + task worker). Stop with Ctrl-C."
        )
        self._supervise(children, options["graceful_timeout"])

    def _spawn(self, command: list[str]) -> subprocess.Popen[bytes]:
        preexec: Callable[[], None] | None = _die_with_parent if sys.platform == "linux" else None
        return subprocess.Popen(  # noqa: S603 - our own interpreter and fixed arguments
            command, start_new_session=True, preexec_fn=preexec
        )

    def _supervise(self, children: dict[str, subprocess.Popen[bytes]], grace: int) -> None:
        received: list[int] = []

        def on_signal(signum: int, frame: object) -> None:
            received.append(signum)

        previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
        died: tuple[str, int] | None = None
        try:
            while not received and died is None:
                for name, proc in children.items():
                    code = proc.poll()
                    if code is not None:
                        died = (name, code)
                        break
                else:
                    time.sleep(POLL_SECONDS)
        finally:
            if received:
                self.stdout.write(
                    f"Received {signal.Signals(received[0]).name}: stopping (waiting up to "
                    f"{grace} s for requests and tasks to finish)."
                )
            elif died is not None:
                self.stderr.write(f"The {died[0]} exited with code {died[1]}: stopping the rest.")
            self._stop(list(children.values()), grace)
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        if died is not None:
            raise CommandError(
                f"The {died[0]} exited unexpectedly with code {died[1]}.",
                returncode=died[1] if died[1] > 0 else 1,
            )
        self.stdout.write("KetaCare stopped.")

    @staticmethod
    def _stop(procs: list[subprocess.Popen[bytes]], grace: int) -> None:
        # SIGTERM is the graceful stop for gunicorn and (settings.HUEY graceful_signal) Huey.
        for proc in procs:
            _signal_group(proc, signal.SIGTERM)
        deadline = time.monotonic() + grace + 5
        for proc in procs:
            while time.monotonic() < deadline and (proc.poll() is None or _group_alive(proc.pid)):
                time.sleep(POLL_SECONDS)
        for proc in procs:
            if proc.poll() is None or _group_alive(proc.pid):
                _signal_group(proc, signal.SIGKILL)
            proc.wait()
