"""`POST /api/v1/waitlist`: the waiting-list sign-up as JSON, for a clinic's own website or
other integrations. Public (no login, no CSRF token: it acts on no one's session), rate
limited per address like the page, and validated by the very form the page uses."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from ketacare.core.errors import Refusal
from ketacare.core.ratelimit import hit

from . import services
from .forms import PrescreenField, SignupForm

router = Router(tags=["waitlist"])


class SignupOut(Schema):
    id: str
    status: str


class Problem(Schema):
    detail: Any


class Invalid(Schema):
    detail: list[dict[str, Any]]
    errors: dict[str, list[str]]


def _json_type(field: forms.Field) -> str:
    if isinstance(field, forms.BooleanField):
        return "boolean"
    if isinstance(field, forms.MultipleChoiceField | PrescreenField):
        return "array"
    return "string"


def _choice_values(field: forms.ChoiceField) -> list[Any]:
    choices: Any = field.choices  # a list of (value, label) on our forms
    return [value for value, _ in choices]


def _field_schema(name: str, field: forms.Field) -> dict[str, Any]:
    """The OpenAPI description of one form field, read off the form itself."""
    schema: dict[str, Any] = {"type": _json_type(field)}
    if field.help_text:
        schema["description"] = str(field.help_text)
    if isinstance(field, PrescreenField):
        items = field.instrument.items
        schema.update(
            items={"type": "integer", "minimum": items[0].allowed.start,
                   "maximum": items[0].allowed.stop - 1},
            minItems=len(items), maxItems=len(items),
            description=f"{field.instrument.title}, answers in item order: "
            + "; ".join(f"{i.number}. {i.text}" for i in items),
        )  # fmt: skip
    elif isinstance(field, forms.MultipleChoiceField):
        schema.update(items={"type": "string", "enum": _choice_values(field)}, minItems=1)
    elif isinstance(field, forms.ChoiceField):
        schema["enum"] = _choice_values(field)
    elif isinstance(field, forms.DateField):
        schema["format"] = "date"
    elif isinstance(field, forms.EmailField):
        schema.update(format="email", maxLength=field.max_length)
    elif isinstance(field, forms.CharField) and field.max_length:
        schema["maxLength"] = field.max_length
    if name == "region":
        schema["description"] = "Two-letter US state code (e.g. NY) or the state's name."
    if name == "consent":
        schema["description"] = "Must be true: the person agrees to the privacy notice."
    return schema


def signup_schema() -> dict[str, Any]:
    fields = SignupForm.base_fields
    return {
        "type": "object",
        "properties": {name: _field_schema(name, field) for name, field in fields.items()},
        "required": [name for name, field in fields.items() if field.required],
        "example": {
            "first_name": "Alex",
            "last_name": "Rivera",
            "email": "alex@example.org",
            "phone": "+1 555 010 0199",
            "date_of_birth": "1988-04-12",
            "region": "NY",
            "conditions": ["depression"],
            "preferred_route": "home-troche",
            "phq2": [2, 1],
            "gad2": [1, 1],
            "consent": True,
        },  # fmt: skip
    }


def form_data(body: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The JSON body as form data, and the fields whose JSON type is wrong."""
    data: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name, field in SignupForm.base_fields.items():
        value = body.get(name)
        if value is None:
            continue
        kind = _json_type(field)
        ok = {"boolean": isinstance(value, bool), "array": isinstance(value, list)}.get(
            kind, isinstance(value, str)
        )
        if not ok:
            errors[name] = [{"boolean": "Must be true or false.", "array": "Must be a list."}.get(
                kind, "Must be a string.")]  # fmt: skip
        else:
            data[name] = value
    return data, errors


def _invalid(errors: dict[str, list[str]]) -> Status[dict[str, Any]]:
    detail = [
        {"loc": ["body", name], "msg": message, "type": "invalid"}
        for name, messages in errors.items()
        for message in messages
    ]
    return Status(422, {"detail": detail, "errors": errors})


@router.post(
    "",
    auth=None,
    response={
        201: SignupOut,
        200: SignupOut,
        400: Problem,
        413: Problem,
        422: Invalid,
        429: Problem,
        503: Problem,
    },  # fmt: skip
    summary="Join the waiting list for home-based treatment",
    description="A new address answers 201 with the entry's id and status "
    "`pending_confirmation` (an email asks the person to confirm). An address already on the "
    "list (case-insensitive; Gmail dots and +tags ignored) answers 200 with the same id and "
    "its current status; the entry is updated and the person told by email. Invalid input "
    "answers 422 naming each bad field and changes nothing. Rate limited per client address "
    "(429 with Retry-After).",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": signup_schema()}},
        }
    },
)
def join_waitlist(request: HttpRequest, response: HttpResponse) -> Any:
    if len(request.body) > settings.WAITLIST_MAX_BODY_BYTES:
        return Status(
            413,
            {
                "detail": "Request body is too large "
                f"(limit {settings.WAITLIST_MAX_BODY_BYTES} bytes)."
            },
        )
    verdict = hit(request, scope="waitlist", rate=settings.WAITLIST_RATE_LIMIT)
    if not verdict.allowed:
        # `response` is the one ninja answers with: the header set here is kept.
        response["Retry-After"] = str(verdict.retry_after_s)
        return Status(
            429,
            {
                "detail": "Too many sign-ups from your address. "
                f"Try again in {verdict.retry_after_text}."
            },
        )
    try:
        body = json.loads(request.body or b"null")
    except (ValueError, RecursionError) as exc:
        # The API's error handler words it (line and column), as for every other endpoint.
        raise HttpError(400, "Malformed JSON in the request body.") from exc
    if not isinstance(body, dict):
        return Status(400, {"detail": "The body must be a JSON object."})
    data, type_errors = form_data(body)
    form = SignupForm(data)
    form.is_valid()
    errors = {name: [str(m) for m in messages] for name, messages in form.errors.items()}
    errors.update(type_errors)
    if errors:
        return _invalid(errors)
    try:
        result = services.signup(data=form.cleaned_data, source="api")
    except Refusal as refusal:
        if refusal.code != services.SIGNUPS_CLOSED:
            raise
        return Status(503, {"detail": refusal.message})
    return Status(
        201 if result.created else 200,
        {"id": str(result.entry.public_id), "status": result.entry.status},
    )
