"""The domain's two errors, raised by services and selectors and mapped to HTTP at the edge
(pages: `ketacare.core.views`; the API: one handler in `ketacare.api.api`). A service never
raises `Http404` or builds a response: it says *what* went wrong, the edge says how to show it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


class DomainError(Exception):
    """Base of every error a service raises on purpose."""


class NotFound(DomainError):
    """Not there, or not the actor's to see. Answered 404 (never 403), so that a record's
    existence does not leak to someone who may not see it."""

    def __init__(self, message: str = "Not found.") -> None:
        super().__init__(message)
        self.message = message


class Refusal(DomainError):
    """A request the rules refuse, with a message a person can act on.

    `field` is the form field it concerns (None: the request as a whole); `code` a stable
    lower-snake code for scripts; `codes` the clinical rule codes behind it (dosing reasons,
    discharge criteria...); `errors` several messages by field, when one refusal has many.
    Nothing was saved: services raise it before or inside their transaction."""

    status = 422

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        code: str = "refused",
        codes: Sequence[str] = (),
        errors: Mapping[str | None, Sequence[str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code
        self.codes = list(codes)
        self.errors: dict[str | None, list[str]] = (
            {key: list(value) for key, value in errors.items()} if errors else {field: [message]}
        )

    @property
    def detail(self) -> str:
        """The one-line text of an API answer: the field it concerns, then the message."""
        return f"{self.field}: {self.message}" if self.field else self.message

    def as_json(self) -> dict[str, object]:
        return {
            "detail": self.detail,
            "code": self.code,
            "field": self.field,
            "errors": {(key or "__all__"): value for key, value in self.errors.items()},
            "codes": self.codes,
        }
