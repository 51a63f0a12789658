"""Emails are rendered here, in the request (where the site's address is known), and handed
to the worker as plain strings: the task needs no database and no request."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

from .tasks import send_email


def render_email(template_prefix: str, context: dict[str, Any]) -> tuple[str, str, str]:
    """`accounts/email/<prefix>_subject.txt`, `<prefix>.txt` and `<prefix>.html`."""
    base = f"accounts/email/{template_prefix}"
    subject = " ".join(render_to_string(f"{base}_subject.txt", context).split())
    body = render_to_string(f"{base}.txt", context)
    html = render_to_string(f"{base}.html", context)
    return subject, body, html


def queue_email(template_prefix: str, context: dict[str, Any], to: str) -> None:
    subject, body, html = render_email(template_prefix, context)
    send_email(subject, body, [to], html=html)
