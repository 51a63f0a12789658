"""The screening part of the home page (`ketacare.web.views.home` asks for it)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from ketacare.audit.log import record

from .. import selectors


def home_context(request: HttpRequest, *, patient: Any = None) -> dict[str, Any]:
    """The screening part of a home page (patient: intake, due questionnaires, requests,
    consents to sign; staff: urgent tasks, intakes to review, due assessments), audited."""
    context = selectors.home_context(user=request.user, patient=patient)
    if "screening" in context:
        worklist = context["screening"]
        if worklist["urgent_tasks"] or worklist["awaiting_review"] or worklist["due_rows"]:
            record(
                action="list",
                obj=("screening.Screening", ""),
                detail=f"home: {len(worklist['urgent_tasks'])} urgent tasks, "
                f"{len(worklist['awaiting_review'])} awaiting review, "
                f"{len(worklist['due_rows'])} due",
            )
    elif patient is not None and context:
        record(
            action="view",
            obj=("screening.Screening", ""),
            patient=patient,
            detail="home: own screening status",
        )
    return context
