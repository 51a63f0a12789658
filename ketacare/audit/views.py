"""The clinic's audit log for its administrator: filter, page through, export as CSV."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from ketacare.core.csv import csv_response
from ketacare.core.http import AuthenticatedHttpRequest
from ketacare.core.policy import MANAGE_CLINIC
from ketacare.core.views import action_required

from . import selectors
from .forms import AuditFilterForm
from .log import record
from .models import AuditAction, AuditEvent

PAGE_SIZE = 50
MAX_PAGE = 1_000_000
CSV_COLUMNS = (
    "id", "at", "actor_id", "actor_email", "actor_role", "action", "model", "object_id",
    "patient_id", "outcome", "ip", "path", "detail", "hash",
)  # fmt: skip


def _render_invalid(request: HttpRequest, form: AuditFilterForm) -> HttpResponse:
    return render(request, "audit/log.html", {"form": form, "page": None}, status=400)


@dataclass(frozen=True)
class Page:
    """One page of a newest-first list, without counting the whole trail: a COUNT over
    millions of audit rows on every page view is the slow query this page must not have."""

    number: int
    object_list: list[AuditEvent]
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def start_index(self) -> int:
        return (self.number - 1) * PAGE_SIZE + 1

    @property
    def end_index(self) -> int:
        return self.start_index + len(self.object_list) - 1


def _page_number(raw: str | None) -> int:
    try:
        return min(max(int(raw or 1), 1), MAX_PAGE)
    except ValueError:
        return 1


@action_required(MANAGE_CLINIC)
def audit_log(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET)
    if not form.is_valid():
        return _render_invalid(request, form)
    events = selectors.audit_events(clinic_id=request.user.clinic_id, **form.filters())
    number = _page_number(request.GET.get("page"))
    offset = (number - 1) * PAGE_SIZE
    rows = list(events[offset : offset + PAGE_SIZE + 1])
    page = Page(number, rows[:PAGE_SIZE], has_next=len(rows) > PAGE_SIZE)
    return render(request, "audit/log.html", {"form": form, "page": page})


@action_required(MANAGE_CLINIC)
def audit_export(request: AuthenticatedHttpRequest) -> HttpResponse | StreamingHttpResponse:
    form = AuditFilterForm(request.GET)
    if not form.is_valid():
        return _render_invalid(request, form)
    filters = form.filters()
    events = selectors.audit_events(clinic_id=request.user.clinic_id, **filters)
    described = ", ".join(f"{k}={v}" for k, v in filters.items() if v not in ("", None))
    # Audited before a byte is sent; the file holds the rows as they were at this moment.
    export_event = record(
        action=AuditAction.EXPORT, obj=("audit.AuditEvent", ""),
        patient=filters["patient_id"],
        detail=f"CSV export of the audit log ({described or 'no filters'})",
    )  # fmt: skip
    rows = selectors.rows_written_before(events, event_id=export_event.pk, columns=CSV_COLUMNS)

    def lines() -> Iterator[list[Any]]:
        yield list(CSV_COLUMNS)
        for row in rows.iterator(chunk_size=2000):
            values = dict(zip(CSV_COLUMNS, row, strict=True))
            values["at"] = timezone.localtime(values["at"]).isoformat()
            yield [values[name] for name in CSV_COLUMNS]

    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    response = csv_response(lines(), filename=f"audit-log-{stamp}.csv")
    response["Cache-Control"] = "no-store"
    return response
