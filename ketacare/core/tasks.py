"""The outbox's work for the Huey worker: sent when kicked after a commit, and swept every
minute (what a kick missed, retries whose time has come, claims of a worker that died)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from . import delivery


@db_task()
def deliver_emails() -> int:
    """Send the outbox (queued by a kick after a commit)."""
    return delivery.deliver()


@db_periodic_task(crontab(minute="*"))
def sweep_outbox() -> int:
    """Every minute: what a kick missed, and retries whose time has come."""
    return delivery.deliver()
