"""Navigation per role, built once here so templates don't decide who sees what."""

from django.http import HttpRequest
from django.urls import reverse

from ketacare.accounts.models import Role
from ketacare.core.crisis import CRISIS_LINE

__all__ = ["CRISIS_LINE", "navigation"]  # CRISIS_LINE re-exported for older importers

# (label, url name, roles). Features add their entries here.
NAV_ITEMS: list[tuple[str, str, frozenset[str]]] = [
    ("Home", "web:home", frozenset(Role.values)),
    ("Patients", "patients:list", frozenset({Role.CLINICIAN, Role.PRESCRIBER, Role.ADMIN})),
    ("Screening", "screening:worklist", frozenset({Role.CLINICIAN, Role.PRESCRIBER, Role.ADMIN})),
    ("Waitlist", "waitlist:board", frozenset({Role.CLINICIAN, Role.PRESCRIBER, Role.ADMIN})),
    ("Inbox", "public:inbox", frozenset({Role.CLINICIAN, Role.PRESCRIBER, Role.ADMIN})),
    ("Ledger", "ledger:overview", frozenset({Role.CLINICIAN, Role.PRESCRIBER, Role.ADMIN})),
    ("Sessions", "treatments:board", frozenset({Role.CLINICIAN, Role.PRESCRIBER, Role.ADMIN})),
    ("My record", "patients:me", frozenset({Role.PATIENT})),
    ("My screening", "screening:mine", frozenset({Role.PATIENT})),
    ("My sessions", "treatments:mine", frozenset({Role.PATIENT})),
    ("Staff", "accounts:staff_list", frozenset({Role.ADMIN})),
    ("Audit log", "audit:log", frozenset({Role.ADMIN})),
    ("Security", "accounts:security", frozenset(Role.values)),
]

# Visitors who are not signed in see the public site's pages: (label, url name, args).
PUBLIC_NAV_ITEMS: list[tuple[str, str, tuple[str, ...]]] = [
    ("Ketamine therapy", "public:page", ("ketamine-therapy",)),
    ("Treatments", "public:page", ("treatments",)),
    ("Who may benefit", "public:page", ("who-may-benefit",)),
    ("Safety", "public:page", ("safety",)),
    ("Home program", "public:page", ("home-program",)),
    ("FAQ", "public:page", ("faq",)),
    ("Waiting list", "waitlist:signup", ()),
    ("Contact", "public:contact", ()),
]


def navigation(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    items = []
    if user is not None and user.is_authenticated:
        for label, name, roles in NAV_ITEMS:
            if user.role in roles:
                url = reverse(name)
                items.append({"label": label, "url": url, "current": request.path == url})
    elif user is not None:
        for label, name, args in PUBLIC_NAV_ITEMS:
            url = reverse(name, args=args)
            items.append({"label": label, "url": url, "current": request.path == url})
    return {"nav_items": items, "crisis_line": CRISIS_LINE}
