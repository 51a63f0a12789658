"""Background work for accounts: outgoing email goes through the Huey worker, so a slow or
failing mail server never holds up a page (and a failure is retried)."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.mail import EmailMultiAlternatives
from huey.contrib.djhuey import task


@task(retries=3, retry_delay=60)
def send_email(subject: str, body: str, to: str | Sequence[str], html: str | None = None) -> None:
    """Send one already-rendered email (plain text, plus HTML when given)."""
    recipients = [to] if isinstance(to, str) else list(to)
    message = EmailMultiAlternatives(subject=subject, body=body, to=recipients)
    if html:
        message.attach_alternative(html, "text/html")
    message.send()
