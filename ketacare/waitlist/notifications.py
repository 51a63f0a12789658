"""Waiting-list emails: templates in `waitlist/email/`, rendered and stored by the outbox
(ketacare.core.outbox) in the same transaction as the change that causes them; the worker
sends them, retrying a failing mail server. A person who never got their email can also
sign up again with the same address: that sends it again."""

from __future__ import annotations

from typing import Any

from ketacare.core import outbox


def render(template: str, context: dict[str, Any]) -> tuple[str, str, str]:
    """(subject, text, HTML) of a waiting-list email: a bare name is looked up in
    `waitlist/email/`."""
    return outbox.render(_base(template), context)


def queue(template: str, context: dict[str, Any], to: str | list[str]) -> None:
    """Render now (the request knows the site's address) and put it in the outbox."""
    outbox.queue(_base(template), context, to)


def queue_rendered(rendered: tuple[str, str, str], to: str | list[str]) -> None:
    subject, body, html = rendered
    outbox.add(subject=subject, body=body, html=html, to=to)


def _base(template: str) -> str:
    return template if "/" in template else f"waitlist/email/{template}"
