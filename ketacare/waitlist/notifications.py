"""Waiting-list and contact emails: rendered from templates here (plain text + HTML) and put
in the outbox (ketacare.waitlist.outbox) in the same transaction as the change that causes
them; the worker sends them, retrying a failing mail server. A person who never got their
email can also sign up again with the same address: that sends it again."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

from ketacare.web.context_processors import CRISIS_LINE

from . import outbox


def render(template: str, context: dict[str, Any]) -> tuple[str, str, str]:
    """`<template>_subject.txt`, `<template>.txt` and `<template>.html`; a bare name is
    looked up in `waitlist/email/`."""
    context = {"crisis_line": CRISIS_LINE, **context}
    base = template if "/" in template else f"waitlist/email/{template}"
    subject = " ".join(render_to_string(f"{base}_subject.txt", context).split())
    body = render_to_string(f"{base}.txt", context)
    html = render_to_string(f"{base}.html", context)
    return subject, body, html


def queue(template: str, context: dict[str, Any], to: str | list[str]) -> None:
    """Render now (the request knows the site's address) and put it in the outbox, in the
    caller's transaction; the worker sends it once that has committed."""
    queue_rendered(render(template, context), to)


def queue_rendered(rendered: tuple[str, str, str], to: str | list[str]) -> None:
    recipients = [to] if isinstance(to, str) else list(to)
    if recipients:
        subject, body, html = rendered
        outbox.add(subject=subject, body=body, html=html, to=recipients)
