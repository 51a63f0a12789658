"""The web edge's share of the service contract: view decorators that ask the policy, one
helper for "form → service → refusal on the form", and the middleware that turns a service's
`NotFound` into the 404 page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.handlers.exception import response_for_exception
from django.http import Http404

from .errors import NotFound, Refusal
from .policy import POLICY, has_role

if TYPE_CHECKING:
    from django import forms
    from django.http import HttpRequest, HttpResponse

T = TypeVar("T")


def role_required(*roles: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """View decorator: anonymous → login page; signed in with another role → 404."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_role(request.user, *roles):
                raise Http404("Page not found.")
            return view(request, *args, **kwargs)

        wrapped.allowed_roles = frozenset(roles)  # type: ignore[attr-defined]
        return wrapped

    return decorator


def action_required(*actions: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """`role_required` for the roles the policy gives these actions (any of them)."""
    roles: set[str] = set()
    for action in actions:
        roles |= POLICY[action]
    return role_required(*sorted(roles))


def apply_refusal(form: forms.BaseForm, refusal: Refusal) -> None:
    """Show a service's refusal on the form: next to its field when the form has it, else at
    the top (Django's non-field errors)."""
    for field, messages in refusal.errors.items():
        target = field if field in form.fields else None
        for message in messages:
            form.add_error(target, message)


@dataclass
class Submitted(Generic[T]):
    """What `submit()` gives back: `ok` with the service's `result`, or the `refusal` (also
    shown on the form) — `refusal` is None when the form itself was invalid."""

    ok: bool
    result: T | None = None
    refusal: Refusal | None = None


def submit(form: forms.BaseForm, action: Callable[[dict[str, Any]], T]) -> Submitted[T]:
    """Validate `form`, call `action(form.cleaned_data)` (one service call), and put a refusal
    on the form. Every form step of every page goes through here."""
    if not form.is_valid():
        return Submitted(ok=False)
    try:
        result = action(form.cleaned_data)
    except Refusal as refusal:
        apply_refusal(form, refusal)
        return Submitted(ok=False, refusal=refusal)
    return Submitted(ok=True, result=result)


class DomainErrorMiddleware:
    """A `NotFound` a page's service raised becomes the 404 page, as `Http404` would."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> Any:
        if isinstance(exception, NotFound):
            return response_for_exception(request, Http404(exception.message))
        return None
