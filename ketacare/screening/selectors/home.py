"""The screening part of a home page, read and audited (`ketacare.web.views.home` asks for it):
patient: intake, due questionnaires, requests, consents to sign; staff: urgent tasks, intakes
to review, due assessments."""

from __future__ import annotations

from typing import Any

from ketacare.audit.log import record

from .pages import home_context


def audited_home_context(*, user: Any, patient: Any = None) -> dict[str, Any]:
    context = home_context(user=user, patient=patient)
    if "screening" in context:
        worklist = context["screening"]
        if worklist["urgent_tasks"] or worklist["awaiting_review"] or worklist["due_rows"]:
            record(
                actor=user,
                action="list",
                obj=("screening.Screening", ""),
                detail=f"home: {len(worklist['urgent_tasks'])} urgent tasks, "
                f"{len(worklist['awaiting_review'])} awaiting review, "
                f"{len(worklist['due_rows'])} due",
            )
    elif patient is not None and context:
        record(
            actor=user,
            action="view",
            obj=("screening.Screening", ""),
            patient=patient,
            detail="home: own screening status",
        )
    return context
