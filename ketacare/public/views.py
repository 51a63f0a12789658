"""The public site: the front page (anonymous visitors at `/`), the information pages, the
contact form, and the staff inbox of contact messages."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ketacare.audit.log import record
from ketacare.core import policy
from ketacare.core.errors import Refusal
from ketacare.core.public_forms import HONEYPOT, body_too_large, not_open, too_many
from ketacare.core.ratelimit import hit
from ketacare.core.views import action_required

from . import selectors, services
from .content import get_page, menu
from .forms import ContactForm, ContactStatusForm

_staff_only = action_required(policy.READ_INBOX)


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
            return too_many(request, verdict)
        if request.POST.get(HONEYPOT):
            return redirect("public:contact_thanks")
        form = ContactForm(request.POST)
        if form.is_valid():
            try:
                services.send_contact_message(data=form.cleaned_data)
            except Refusal as refusal:
                if refusal.code != services.CONTACT_CLOSED:
                    raise
                return not_open(request, refusal.message)
            return redirect("public:contact_thanks")
        return render(
            request, "public/contact.html", {"form": form, "honeypot": HONEYPOT}, status=400
        )
    return render(request, "public/contact.html", {"form": form, "honeypot": HONEYPOT})


def contact_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "public/contact_thanks.html")


@_staff_only
def inbox(request: HttpRequest) -> HttpResponse:
    qs, status = selectors.inbox(request.user, request.GET.get("status", selectors.OPEN))
    page_obj = Paginator(qs, 50).get_page(request.GET.get("page"))
    record(
        action="list",
        obj=("public.ContactMessage", ""),
        detail=f"contact inbox: {len(page_obj.object_list)} shown",
    )
    return render(
        request,
        "public/inbox.html",
        {"page": page_obj, "status": status, "status_choices": selectors.STATUS_CHOICES},
    )


@_staff_only
def inbox_message(request: HttpRequest, message_id: int) -> HttpResponse:
    message = selectors.message_for_staff(request.user, message_id)
    record(action="view", obj=message)
    form = ContactStatusForm(initial={"status": message.status})
    return render(request, "public/inbox_message.html", {"message": message, "form": form})


@_staff_only
@require_POST
def inbox_status(request: HttpRequest, message_id: int) -> HttpResponse:
    message = selectors.message_for_staff(request.user, message_id)
    form = ContactStatusForm(request.POST)
    if form.is_valid():
        services.set_contact_status(
            actor=request.user,  # type: ignore[arg-type]  # signed in: action_required
            message=message,
            status=form.cleaned_data["status"],
        )
        messages.success(request, "Status saved.")
    else:
        messages.error(request, "Choose a status.")
    return redirect("public:inbox_message", message_id=message.pk)
