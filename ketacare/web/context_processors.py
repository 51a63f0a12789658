"""Navigation per role, built once here so templates don't decide who sees what."""

from django.http import HttpRequest
from django.urls import reverse

from ketacare.core import policy
from ketacare.core.crisis import CRISIS_LINE

__all__ = ["CRISIS_LINE", "navigation"]  # CRISIS_LINE re-exported for older importers

# (label, url name, the policy action that page needs; None: every signed-in user). Features
# add their entries here; who may open the page is decided by `ketacare.core.policy` alone.
NAV_ITEMS: list[tuple[str, str, str | None]] = [
    ("Home", "web:home", None),
    ("Patients", "patients:list", policy.EDIT_PATIENT),
    ("Screening", "screening:worklist", policy.REVIEW_SCREENING),
    ("Waitlist", "waitlist:board", policy.MANAGE_WAITLIST),
    ("Inbox", "public:inbox", policy.READ_INBOX),
    ("Ledger", "ledger:overview", policy.RECORD_LEDGER),
    ("Sessions", "treatments:board", policy.VIEW_SCHEDULE),
    ("My record", "patients:me", policy.SELF_REPORT),
    ("My screening", "screening:mine", policy.SELF_REPORT),
    ("My sessions", "treatments:mine", policy.SELF_REPORT),
    ("Staff", "accounts:staff_list", policy.MANAGE_CLINIC),
    ("Audit log", "audit:log", policy.MANAGE_CLINIC),
    ("Security", "accounts:security", None),
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
        for label, name, action in NAV_ITEMS:
            if action is None or policy.can(user, action):
                url = reverse(name)
                items.append({"label": label, "url": url, "current": request.path == url})
    elif user is not None:
        for label, name, args in PUBLIC_NAV_ITEMS:
            url = reverse(name, args=args)
            items.append({"label": label, "url": url, "current": request.path == url})
    return {"nav_items": items, "crisis_line": CRISIS_LINE}
