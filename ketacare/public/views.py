"""The public site: the front page (anonymous visitors at `/`), the information pages, the
contact form, and the staff inbox of contact messages."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from ketacare.accounts.models import STAFF_ROLES
from ketacare.accounts.permissions import role_required
from ketacare.audit.log import record
from ketacare.core.ratelimit import hit
from ketacare.waitlist.views import HONEYPOT, body_too_large, too_many

from . import services
from .content import get_page, menu
from .forms import ContactForm, ContactStatusForm
from .models import ContactMessage, ContactStatus

_staff_only = role_required(*STAFF_ROLES)


def home(request: HttpRequest) -> HttpResponse:
    """The front page for visitors who are not signed in (`web:home` sends them here)."""
    page = get_page("home")
    return render(request, "public/home.html", {"page": page, "menu": menu()})


def page(request: HttpRequest, slug: str) -> HttpResponse:
    if slug == "home":
        return redirect("/")
    content = get_page(slug)
    if content is None:
        raise Http404("No such page.")
    return render(request, "public/page.html", {"page": content, "menu": menu()})


def contact(request: HttpRequest) -> HttpResponse:
    form = ContactForm()
    if request.method == "POST":
        if body_too_large(request):
            return render(
                request,
                "public/contact.html",
                {"form": form, "honeypot": HONEYPOT, "too_large": True},
                status=413,
            )
        verdict = hit(request, scope="contact", rate=settings.CONTACT_RATE_LIMIT)
        if not verdict.allowed:
            return too_many(request, verdict.retry_after_text, verdict.retry_after_s)
        if request.POST.get(HONEYPOT):
            return redirect("public:contact_thanks")
        form = ContactForm(request.POST)
        if form.is_valid():
            try:
                services.send_contact_message(data=form.cleaned_data, request=request)
            except services.ContactClosed as exc:
                return render(request, "waitlist/closed.html", {"message": str(exc)}, status=503)
            return redirect("public:contact_thanks")
        return render(
            request, "public/contact.html", {"form": form, "honeypot": HONEYPOT}, status=400
        )
    return render(request, "public/contact.html", {"form": form, "honeypot": HONEYPOT})


def contact_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "public/contact_thanks.html")


@_staff_only
def inbox(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "open")
    qs = ContactMessage.objects.filter(clinic_id=request.user.clinic_id)  # type: ignore[attr-defined]
    if status == "open":
        qs = qs.filter(status__in=[ContactStatus.NEW, ContactStatus.IN_PROGRESS])
    elif status in ContactStatus.values:
        qs = qs.filter(status=status)
    else:
        status = "all"
    page_obj = Paginator(qs.select_related("handled_by"), 50).get_page(request.GET.get("page"))
    record(
        request=request,
        action="list",
        obj=("public.ContactMessage", ""),
        detail=f"contact inbox: {len(page_obj.object_list)} shown",
    )
    choices = [("open", "Open (new or in progress)"), *ContactStatus.choices, ("all", "All")]
    return render(
        request,
        "public/inbox.html",
        {"page": page_obj, "status": status, "status_choices": choices},
    )


@_staff_only
def inbox_message(request: HttpRequest, message_id: int) -> HttpResponse:
    message = get_object_or_404(ContactMessage, pk=message_id, clinic_id=request.user.clinic_id)  # type: ignore[attr-defined]
    record(request=request, action="view", obj=message)
    form = ContactStatusForm(initial={"status": message.status})
    return render(request, "public/inbox_message.html", {"message": message, "form": form})


@_staff_only
@require_POST
def inbox_status(request: HttpRequest, message_id: int) -> HttpResponse:
    message = get_object_or_404(ContactMessage, pk=message_id, clinic_id=request.user.clinic_id)  # type: ignore[attr-defined]
    form = ContactStatusForm(request.POST)
    if form.is_valid():
        services.set_contact_status(
            actor=request.user,
            message=message,  # type: ignore[arg-type]
            status=form.cleaned_data["status"],
            request=request,
        )
        messages.success(request, "Status saved.")
    else:
        messages.error(request, "Choose a status.")
    return redirect("public:inbox_message", message_id=message.pk)
