"""Scheduled treatment work for the Huey worker: the day-before reminders, each evening."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import services


# Hourly: each session is reminded once, on the day before in its clinic's time zone, so
# clinics in any zone get theirs during the day and a worker that was down catches up.
@db_periodic_task(crontab(minute="20"))
def send_session_reminders() -> int:
    return services.send_reminders()
