"""The outbox is the one way an email leaves KetaCare, and a crash loses none: every kind of
email is stored with the change that causes it, and a real worker killed with SIGKILL in the
middle of sending, then started again, sends each exactly once."""

from __future__ import annotations

import contextlib
import email
import json
import os
import signal
import sqlite3
import subprocess
import time
from email import policy
from pathlib import Path

import pytest

from tests.ketacare_process import KETACARE, ketacare_env, migrated_var_dir, run_ketacare

REPO = Path(__file__).resolve().parents[2]
HANG_AT = 4  # the 4th message hangs the mail server: 3 sent before the kill


def _wait_for(condition, timeout: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}; worker log:\n{log.read_text()}")


def _sent(mail_dir: Path) -> list[tuple[str, tuple[str, ...]]]:
    sent = []
    for path in mail_dir.glob("*.eml"):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        to = tuple(address.strip() for address in str(message["To"]).split(","))
        sent.append((" ".join(str(message["Subject"]).split()), to))
    return sent


def _outbox_rows(var_dir: Path) -> int:
    with contextlib.closing(sqlite3.connect(var_dir / "ketacare.sqlite3")) as db:
        return db.execute("SELECT COUNT(*) FROM core_outgoingemail").fetchone()[0]


def _start_worker(env: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("a") as out:
        return subprocess.Popen(
            [KETACARE, "worker"], env=env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip


@pytest.mark.slow
def test_a_worker_killed_mid_send_loses_no_email_and_sends_none_twice(tmp_path_factory, tmp_path):
    var_dir = migrated_var_dir(tmp_path_factory, tmp_path)
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = ketacare_env(
        var_dir,
        PYTHONPATH=str(REPO),
        EMAIL_BACKEND="tests.core.hanging_mail.EmailBackend",
        OUTBOX_TEST_MAIL_DIR=str(mail_dir),
        OUTBOX_TEST_HANG_AT=str(HANG_AT),
        SITE_URL="https://clinic.example",
        HUEY_WORKERS="1",
    )
    code = "from tests.core.one_email_of_each_kind import main; main()"
    queued = run_ketacare("shell", "-c", code, env=env, check=True)
    expected = sorted(
        (" ".join(subject.split()), tuple(to))
        for subject, to in json.loads(queued.stdout.strip().splitlines()[-1])
    )
    subjects = " | ".join(subject for subject, _ in expected).lower()
    for kind in ("invit", "reset", "urgent safety", "vitals alert", "tomorrow", "confirm"):
        assert kind in subjects, f"no {kind!r} email queued: {subjects}"
    assert len(expected) == 8 and not _sent(mail_dir), "\n".join(map(str, expected))

    log = tmp_path / "worker.log"
    worker = _start_worker(env, log)
    try:
        _wait_for(lambda: (mail_dir / "hung").exists(), 60, "the mail server to hang", log)
        assert len(_sent(mail_dir)) == HANG_AT - 1
        os.killpg(worker.pid, signal.SIGKILL)  # mid-send: the 4th email is on the wire
        worker.wait(10)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(10)
    # Each email sent was deleted before the next was tried: only the unsent remain.
    assert _outbox_rows(var_dir) == len(expected) - (HANG_AT - 1)
    # The dead worker's claim would run out after delivery.CLAIM; let that time pass.
    with contextlib.closing(sqlite3.connect(var_dir / "ketacare.sqlite3")) as db, db:
        db.execute("UPDATE core_outgoingemail SET claimed_until = '2000-01-01 00:00:00'")

    worker = _start_worker(env, log)  # the minute's sweep picks the rest up
    try:
        _wait_for(lambda: len(_sent(mail_dir)) >= len(expected), 100, "the other emails", log)
        _wait_for(lambda: _outbox_rows(var_dir) == 0, 10, "an empty outbox", log)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(10)
    assert sorted(_sent(mail_dir)) == expected  # every email, each exactly once


@pytest.mark.slow
def test_an_install_with_queued_emails_keeps_them_when_the_outbox_moves_to_core(
    tmp_path_factory, tmp_path
):
    var_dir = migrated_var_dir(tmp_path_factory, tmp_path)
    env = ketacare_env(var_dir)
    # Back to before the move: the outbox table is the waiting list's, with an email queued.
    run_ketacare("migrate", "core", "zero", "--noinput", "-v", "0", env=env, check=True)
    with contextlib.closing(sqlite3.connect(var_dir / "ketacare.sqlite3")) as db, db:
        db.execute(
            'INSERT INTO waitlist_outgoingemail ("to", subject, body, html, created_at,'
            " next_attempt_at, attempts, claim, last_error, failed) VALUES"
            " ('[\"a@example.org\"]', 'Queued before the upgrade', 'Hello', '',"
            " '2026-01-01 00:00:00', '2026-01-01 00:00:00', 0, '', '', 0)"
        )
    run_ketacare("migrate", "--noinput", "-v", "0", env=env, check=True)
    code = (
        "from ketacare.core.models import OutgoingEmail;"
        "print([(e.subject, e.to) for e in OutgoingEmail.objects.all()])"
    )
    shown = run_ketacare("shell", "-c", code, env=env, check=True)
    assert (
        shown.stdout.strip().splitlines()[-1]
        == "[('Queued before the upgrade', ['a@example.org'])]"
    )
