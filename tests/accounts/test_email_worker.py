"""The password-reset email really goes through the outbox and the Huey queue: the request
only stores it and schedules a kick, and a real consumer (worker thread) sends it. The queue
is a throw-away SQLite file, so no task leaks into var/ or into another test. (Retries of a
failing mail server are the outbox's: tests/waitlist/test_emails.py.)"""

import signal
import threading
import time

import pytest
from huey import signals
from huey.contrib.djhuey import HUEY
from huey.storage import SqliteStorage

from ketacare.core.models import OutgoingEmail

HANDLED_SIGNALS = [s for s in (signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", None)) if s]


@pytest.fixture
def real_queue(tmp_path):
    """Huey out of immediate mode, on its own SQLite file for this test only."""
    HUEY.immediate = False
    HUEY.storage = SqliteStorage(HUEY.name, filename=str(tmp_path / "huey.sqlite3"))
    yield HUEY
    HUEY.storage.close()
    HUEY.immediate = True  # back to inline tasks (in-memory storage), as the suite expects


@pytest.fixture
def start_consumer(real_queue):
    """`start_consumer()`: a real consumer, one worker thread, no periodic tasks; stopped
    gracefully after the test. Its start() installs signal handlers for the main process:
    pytest's own are put back afterwards."""
    saved = {signum: signal.getsignal(signum) for signum in HANDLED_SIGNALS}
    started = []

    def _start():
        consumer = real_queue.create_consumer(
            workers=1, worker_type="thread", periodic=False, initial_delay=0.05, max_delay=0.2
        )
        consumer.start()
        started.append(consumer)
        return consumer

    yield _start
    for consumer in started:
        consumer.stop(graceful=True)
    for signum, handler in saved.items():
        signal.signal(signum, handler)


def _wait_for(condition, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


@pytest.mark.django_db(transaction=True)  # the worker thread reads the outbox on its own
def test_the_reset_email_is_sent_by_a_real_worker_not_by_the_request(
    world, client, mailoutbox, start_consumer
):
    response = client.post("/accounts/password-reset/", {"email": world.clinician.email})

    assert response.status_code == 302
    assert mailoutbox == []  # the request only stored it and kicked the worker
    assert OutgoingEmail.objects.count() == 1
    assert HUEY.pending_count() == 1  # the kick: a delivery a second from now

    ran_in = []

    def on_complete(signal_name, task):
        ran_in.append((task.name, threading.current_thread().name))

    HUEY.signal(signals.SIGNAL_COMPLETE)(on_complete)
    try:
        start_consumer()
        assert _wait_for(lambda: len(mailoutbox) == 1), "the worker did not send the email"
        assert _wait_for(lambda: ran_in)
    finally:
        HUEY.disconnect_signal(on_complete, signals.SIGNAL_COMPLETE)

    assert ran_in == [("deliver_emails", "Worker-1")]

    message = mailoutbox[0]
    assert message.to == [world.clinician.email]
    assert "/accounts/password-reset/" in message.body
    assert message.alternatives and message.alternatives[0][1] == "text/html"
    assert HUEY.pending_count() == 0
    assert not OutgoingEmail.objects.exists()
