"""Sending the outbox (`ketacare.core.outbox`): claim a batch of due emails, send each and
delete it as soon as the mail server has taken it, retry failures with growing delays. Run by
the worker's tasks (`ketacare.core.tasks`), never in a request."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import smtplib
from typing import Any

from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import Q
from django.utils import timezone

from .models import OutgoingEmail

log = logging.getLogger("ketacare.core.outbox")

KICK_KEY = "core:outbox:kick"
KICK_TTL_S = 60  # a kick lost with a dead worker is retried after this (or by the sweep)
CLAIM = dt.timedelta(minutes=5)
# Minutes to wait after the 1st, 2nd, ... failure; after the last, give up (and log it).
BACKOFF_MIN = (1, 2, 5, 15, 30, 60, 120, 240)
BATCH = 50


def _due(now: dt.datetime) -> Q:
    return Q(failed=False, next_attempt_at__lte=now) & (
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    )


def deliver(*, limit: int = 1000) -> int:
    """Send the emails that are due, at most `limit`, claimed a batch at a time and each
    deleted as soon as it is sent; the number sent."""
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
        try:
            for email in emails:
                if _send(email, connection):
                    # Gone before the next one is tried: a crash from here on cannot resend it.
                    OutgoingEmail.objects.filter(pk=email.pk).delete()
                    sent += 1
        finally:
            connection.close()
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
