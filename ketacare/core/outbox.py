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

import logging
from collections.abc import Sequence
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from ketacare.core.crisis import CRISIS_LINE

from .delivery import KICK_KEY, KICK_TTL_S
from .models import OutgoingEmail

log = logging.getLogger(__name__)

KICK_DELAY_S = 1


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

        from .tasks import deliver_emails  # the worker's task: it imports delivery, not us

        if HUEY.immediate:  # no worker: send now, in this process
            deliver_emails()
        else:  # a moment later, so that a burst of sign-ups leaves in one batch
            deliver_emails.schedule(delay=KICK_DELAY_S)
