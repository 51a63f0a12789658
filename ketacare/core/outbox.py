"""The outbox: the one way an email leaves KetaCare. `queue()` renders a template (or
`add()` takes an already-rendered email) and stores it in the caller's transaction; once
that commits, the worker is kicked, sends what is due and deletes each email as soon as the
mail server has taken it. A failed send is retried with growing delays. An email never
leaves for a change that rolled back, and is never lost to a crash between the commit and
the hand-over: a sweep every minute (ketacare.core.tasks) picks up anything a kick missed,
and an email claimed by a worker that died is claimed again once its claim (CLAIM) runs out.

Each email is deleted right after it is sent, before the next one is tried, so a worker
killed in the middle of a batch sends again none of the emails it had sent. One window
remains: a crash after the mail server accepted an email and before its row was deleted
sends that one email twice (at least once, never zero times); SMTP gives no way to close it.

At most one kick is queued at a time (a flag in the shared cache), to run a second later:
under a burst of sign-ups a request pays for an INSERT, not for a queue write, and the
worker sends the burst in batches (one claim per batch)."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import smtplib
from collections.abc import Sequence
from typing import Any

from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from ketacare.core.crisis import CRISIS_LINE

from .models import OutgoingEmail

log = logging.getLogger(__name__)

KICK_KEY = "core:outbox:kick"
KICK_TTL_S = 60  # a kick lost with a dead worker is retried after this (or by the sweep)
KICK_DELAY_S = 1
CLAIM = dt.timedelta(minutes=5)
# Minutes to wait after the 1st, 2nd, ... failure; after the last, give up (and log it).
BACKOFF_MIN = (1, 2, 5, 15, 30, 60, 120, 240)
BATCH = 50


def render(template_base: str, context: dict[str, Any]) -> tuple[str, str, str]:
    """(subject, plain text, HTML) from `<base>_subject.txt`, `<base>.txt` and `<base>.html`;
    the subject on one line. Every email's context has the crisis line (`crisis_line`)."""
    context = {"crisis_line": CRISIS_LINE, **context}
    subject = " ".join(render_to_string(f"{template_base}_subject.txt", context).split())
    body = render_to_string(f"{template_base}.txt", context)
    html = render_to_string(f"{template_base}.html", context)
    return subject, body, html


def queue(template_base: str, context: dict[str, Any], to: str | Sequence[str]) -> None:
    """Render now (the request knows the site's address) and put it in the outbox, in the
    caller's transaction; the worker sends it once that has committed. One email with every
    address in `to`; none when `to` is empty."""
    recipients = _recipients(to)
    if recipients:
        subject, body, html = render(template_base, context)
        add(subject=subject, body=body, html=html, to=recipients)


def add(*, subject: str, body: str, html: str = "", to: str | Sequence[str]) -> None:
    """Put an already-rendered email in the outbox, in the caller's transaction."""
    recipients = _recipients(to)
    if not recipients:
        return
    OutgoingEmail.objects.create(
        to=recipients, subject=subject[:300], body=body, html=html,
        next_attempt_at=timezone.now(),
    )  # fmt: skip
    transaction.on_commit(kick)


def _recipients(to: str | Sequence[str]) -> list[str]:
    return [to] if isinstance(to, str) else list(to)


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
