"""Navigation per role, built once here so templates don't decide who sees what."""

from django.http import HttpRequest
from django.urls import reverse

from ketacare.accounts.models import Role

CRISIS_LINE = "988"

# (label, url name, roles). Features add their entries here.
NAV_ITEMS: list[tuple[str, str, frozenset[str]]] = [
    ("Home", "web:home", frozenset(Role.values)),
    ("Patients", "patients:list", frozenset({Role.CLINICIAN, Role.PRESCRIBER, Role.ADMIN})),
    ("My record", "patients:me", frozenset({Role.PATIENT})),
    ("Staff", "accounts:staff_list", frozenset({Role.ADMIN})),
    ("Audit log", "audit:log", frozenset({Role.ADMIN})),
    ("Security", "accounts:security", frozenset(Role.values)),
]


def navigation(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    items = []
    if user is not None and user.is_authenticated:
        for label, name, roles in NAV_ITEMS:
            if user.role in roles:
                url = reverse(name)
                items.append(
                    {"label": label, "url": url, "current": request.path == url}
                )
    return {"nav_items": items, "crisis_line": CRISIS_LINE}
