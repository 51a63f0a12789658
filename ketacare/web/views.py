"""Home pages per role, the health check and the error pages."""

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from ketacare.accounts.models import Role
from ketacare.audit.log import record
from ketacare.patients.selectors import patients_visible_to
from ketacare.public import selectors as public_selectors
from ketacare.screening.selectors import audited_home_context as screening_home
from ketacare.treatments.selectors import home_cards as treatments_home


def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.is_authenticated:
        # Visitors get the public front page; signed-in users their own home, at the same `/`.
        return render(request, public_selectors.FRONT_PAGE_TEMPLATE, public_selectors.front_page())
    if user.role == Role.PATIENT:
        patient = patients_visible_to(user).select_related("clinic").first()
        context = {
            "patient": patient,
            **screening_home(user=user, patient=patient),
            **treatments_home(user),
        }
        return render(request, "web/patient_home.html", context)
    if user.role == Role.MONITOR:
        patients = list(patients_visible_to(user))
        if patients:
            record(action="list", obj=("patients.Patient", ""),
                   detail=f"monitor home: {len(patients)} patients")  # fmt: skip
        return render(request, "web/monitor_home.html", {"patients": patients})
    context = {
        "patient_count": patients_visible_to(user).count(),
        **screening_home(user=user),
        **treatments_home(user),
    }
    return render(request, "web/staff_home.html", context)


@require_GET
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def _error(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=status)
    return render(request, "errors/error.html", {"title": title, "message": message}, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 400, "Bad request", "The request could not be understood.")


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 403, "Not allowed", "You do not have access to this page.")


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(
        request, 404, "Page not found", "There is nothing here, or it is not yours to see."
    )


def server_error(request: HttpRequest) -> HttpResponse:
    # No template context processors here: the error may have come from them.
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Internal error. It has been logged."}, status=500)
    return HttpResponse(
        "<!doctype html><title>Error</title><h1>Something went wrong</h1>"
        "<p>The error has been logged. Please try again.</p>",
        status=500,
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _error(
        request,
        403,
        "Form expired",
        "This form could not be accepted (its security token was missing or old). "
        "Go back, reload the page and submit it again.",
    )
