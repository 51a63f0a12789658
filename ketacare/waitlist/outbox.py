"""The waiting list's outbox. `add()` stores a rendered email in the current transaction and,
once that commits, kicks the worker; the worker sends what is due and deletes it. A failed
send is retried with growing delays; an email never leaves for a change that rolled back and
is never lost to a crash between the commit and the hand-over (a sweep every minute picks up
anything a kick missed).

At most one kick is queued at a time (a flag in the shared cache), to run a second later:
under a burst of sign-ups a request pays for an INSERT, not for a queue write, and the
worker sends the burst in one batch (two writes), not one email at a time."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import smtplib
from typing import Any

from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import OutgoingEmail

log = logging.getLogger(__name__)

KICK_KEY = "waitlist:outbox:kick"
KICK_TTL_S = 60  # a kick lost with a dead worker is retried after this (or by the sweep)
KICK_DELAY_S = 1
CLAIM = dt.timedelta(minutes=5)
# Minutes to wait after the 1st, 2nd, ... failure; after the last, give up (and log it).
BACKOFF_MIN = (1, 2, 5, 15, 30, 60, 120, 240)
BATCH = 50


def add(*, subject: str, body: str, html: str, to: list[str]) -> None:
    OutgoingEmail.objects.create(
        to=to, subject=subject[:300], body=body, html=html, next_attempt_at=timezone.now()
    )
    transaction.on_commit(kick)


def kick() -> None:
    if cache.add(KICK_KEY, 1, timeout=KICK_TTL_S):
        from huey.contrib.djhuey import HUEY

        from .tasks import deliver_emails

        if HUEY.immediate:  # no worker: send now, in this process
            deliver_emails()
        else:  # a moment later, so that a burst of sign-ups leaves in one batch
            deliver_emails.schedule(delay=KICK_DELAY_S)


def _due(now: dt.datetime) -> Q:
    return Q(failed=False, next_attempt_at__lte=now) & (
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    )


def deliver(*, limit: int = 1000) -> int:
    """Send the emails that are due, at most `limit`, claimed and cleared a batch at a time
    (two writes per batch, not per email); the number sent."""
    sent = tried = 0
    while tried < limit:
        now = timezone.now()
        ids = list(OutgoingEmail.objects.filter(_due(now)).values_list("pk", flat=True)[:BATCH])
        if not ids:
            # Clear the flag, then look once more: a row committed in between got no kick.
            cache.delete(KICK_KEY)
            if not OutgoingEmail.objects.filter(_due(timezone.now())).exists():
                return sent
            cache.add(KICK_KEY, 1, timeout=KICK_TTL_S)
            continue
        tried += len(ids)
        claim = secrets.token_hex(16)
        OutgoingEmail.objects.filter(_due(now), pk__in=ids).update(
            claimed_until=now + CLAIM, claim=claim
        )
        emails = list(OutgoingEmail.objects.filter(claim=claim, pk__in=ids))
        connection = get_connection()
        try:
            connection.open()
        except (smtplib.SMTPException, OSError) as exc:
            for email in emails:  # the mail server is down: all of them wait for a retry
                _failed(email, exc)
            return sent
        done: list[int] = []
        try:
            for email in emails:
                if _send(email, connection):
                    done.append(email.pk)
        finally:
            connection.close()
        OutgoingEmail.objects.filter(pk__in=done).delete()
        sent += len(done)
    return sent


def _send(email: OutgoingEmail, connection: Any) -> bool:
    message = EmailMultiAlternatives(
        subject=email.subject, body=email.body, to=list(email.to), connection=connection
    )
    if email.html:
        message.attach_alternative(email.html, "text/html")
    try:
        message.send()
    except (smtplib.SMTPException, OSError, ValueError) as exc:
        _failed(email, exc)
        return False
    return True


def _failed(email: OutgoingEmail, exc: Exception) -> None:
    """Count a failed attempt: retry later, or give up (and say so in the log)."""
    email.attempts += 1
    email.last_error = f"{type(exc).__name__}: {exc}"[:500]
    email.claimed_until = None
    email.claim = ""
    if email.attempts > len(BACKOFF_MIN):
        email.failed = True
        log.error(
            "Gave up sending email #%s after %s attempts: %s",
            email.pk, email.attempts, email.last_error,
        )  # fmt: skip
    else:
        delay = dt.timedelta(minutes=BACKOFF_MIN[email.attempts - 1])
        email.next_attempt_at = timezone.now() + delay
        log.warning(
            "Sending email #%s failed (attempt %s), retrying in %s: %s",
            email.pk, email.attempts, delay, email.last_error,
        )  # fmt: skip
    email.save()
