"""Waiting-list pages: the public sign-up and a person's private pages (confirm, status,
update, leave, accept an invitation), and the staff board. Thin: parse, call one service or
selector, render."""

from __future__ import annotations

import contextlib
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.password_validation import (
    password_validators_help_text_html,
)
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from ketacare.audit.log import record
from ketacare.core import policy
from ketacare.core.context import AuditContext, audit_context
from ketacare.core.csv import csv_response
from ketacare.core.errors import Refusal
from ketacare.core.public_forms import HONEYPOT, body_too_large, not_open, too_many
from ketacare.core.ratelimit import hit
from ketacare.core.views import action_required

from . import links, selectors, services
from .choices import REGIONS, Condition, EntryStatus, Route
from .forms import ChoosePasswordForm, ProgramForm, SignupForm
from .models import WaitlistEntry

_staff_only = action_required(policy.MANAGE_WAITLIST)


def _secret_path(
    request: HttpRequest, secret: str
) -> contextlib.AbstractContextManager[AuditContext]:
    """The audit context with a secret token cut out of the path: the log must not hold
    links that open someone's status page or invitation."""
    return audit_context(path=request.get_full_path().replace(secret, "[token]")[:300])


# --- Public


def _signup_context(form: SignupForm, **extra: Any) -> dict[str, Any]:
    return {"form": form, "honeypot": HONEYPOT, **extra}


def signup(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "waitlist/signup.html", _signup_context(SignupForm()))
    if body_too_large(request):
        return render(
            request,
            "waitlist/signup.html",
            _signup_context(SignupForm(), too_large=True),
            status=413,
        )
    verdict = hit(request, scope="waitlist", rate=settings.WAITLIST_RATE_LIMIT)
    if not verdict.allowed:
        return too_many(request, verdict)
    if request.POST.get(HONEYPOT):
        # A bot filled the hidden field: answer as if all went well, store nothing.
        return redirect("waitlist:thanks")
    form = SignupForm(request.POST)
    if not form.is_valid():
        return render(request, "waitlist/signup.html", _signup_context(form), status=400)
    try:
        result = services.signup(data=form.cleaned_data, source="form")
    except Refusal as refusal:
        if refusal.code != services.SIGNUPS_CLOSED:
            raise
        return not_open(request, refusal.message)
    url = reverse("waitlist:thanks")
    return redirect(url if result.created else f"{url}?already=1")


def thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "waitlist/thanks.html", {"already": request.GET.get("already") == "1"})


@never_cache
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    with _secret_path(request, token):
        outcome, entry = services.confirm(token=token)
    if outcome == services.ConfirmOutcome.CONFIRMED and entry is not None:
        messages.success(request, "Thank you: your address is confirmed and you are on the list.")
        status_token = links.status_token(entry.public_id, entry.status_nonce)
        return redirect("waitlist:status", token=status_token)
    status = 404 if outcome == services.ConfirmOutcome.INVALID else 410
    return render(request, "waitlist/link_problem.html", {"outcome": outcome}, status=status)


def _entry_or_404(token: str) -> WaitlistEntry:
    entry = selectors.entry_for_status_token(token)
    if entry is None:
        raise Http404("This link is not valid (any more).")
    return entry


def _private(response: HttpResponse) -> HttpResponse:
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@never_cache
def status(request: HttpRequest, token: str) -> HttpResponse:
    entry = _entry_or_404(token)
    with _secret_path(request, token):
        record(
            action="view",
            obj=(services.ENTRY, entry.pk),
            clinic_id=entry.clinic_id,
            detail="status page, by the person",
        )
    context = {
        "entry": entry,
        "token": token,
        "estimate": selectors.queue_estimate(entry),
        "open": entry.status
        in (EntryStatus.PENDING_CONFIRMATION, EntryStatus.WAITING, EntryStatus.INVITED),
    }
    return _private(render(request, "waitlist/status.html", context))


@never_cache
def edit(request: HttpRequest, token: str) -> HttpResponse:
    entry = _entry_or_404(token)
    fields = SignupForm.DETAIL_FIELDS
    if request.method == "POST":
        if body_too_large(request):
            message = "That form was too large to accept. Go back and shorten your answers."
            return not_open(request, message, status=413, title="Too large")
        form = SignupForm(request.POST, fields=fields)
        if form.is_valid():
            try:
                with _secret_path(request, token):
                    services.update_details(token=token, data=form.cleaned_data)
            except Refusal as refusal:
                messages.error(request, refusal.message)
            else:
                messages.success(request, "Your details were saved.")
            return redirect("waitlist:status", token=token)
        status_code = 400
    else:
        initial = {name: getattr(entry, name) for name in fields}
        form = SignupForm(initial=initial, fields=fields)
        status_code = 200
    response = render(
        request,
        "waitlist/edit.html",
        {"form": form, "entry": entry, "token": token},
        status=status_code,
    )
    return _private(response)


@never_cache
def leave(request: HttpRequest, token: str) -> HttpResponse:
    entry = _entry_or_404(token)
    if request.method == "POST":
        try:
            with _secret_path(request, token):
                services.leave(token=token)
        except Refusal as refusal:
            messages.error(request, refusal.message)
            return redirect("waitlist:status", token=token)
        return redirect("waitlist:left")
    return _private(render(request, "waitlist/leave.html", {"entry": entry, "token": token}))


def left(request: HttpRequest) -> HttpResponse:
    return render(request, "waitlist/left.html")


def _first_screen() -> str:
    """Where a new patient goes next: their screening intake (the home page if this
    installation has no screening)."""
    try:
        return reverse("screening:intake")
    except NoReverseMatch:
        return resolve_url(settings.LOGIN_REDIRECT_URL)


def _invitation_problem(request: HttpRequest, refusal: Refusal, *, status: int) -> HttpResponse:
    context = {"message": refusal.message, "reason": refusal.code}
    return render(request, "waitlist/invitation_problem.html", context, status=status)


@never_cache
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    try:
        with _secret_path(request, token):
            invitation = services.open_invitation(token=token)
    except Refusal as refusal:
        return _invitation_problem(
            request, refusal, status=404 if refusal.code == "invalid" else 410
        )
    entry = invitation.entry
    if request.user.is_authenticated:
        return render(request, "waitlist/invitation_signed_in.html", {"entry": entry})
    form = ChoosePasswordForm(request.POST or None, entry=entry)
    if request.method == "POST" and form.is_valid():
        try:
            with _secret_path(request, token):
                user = services.accept_invitation(
                    token=token, password=form.cleaned_data["password1"]
                )
        except Refusal as refusal:
            return _invitation_problem(request, refusal, status=410)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welcome to {entry.clinic.name}. Your patient account is ready.")
        return redirect(_first_screen())
    context = {
        "form": form,
        "entry": entry,
        "invitation": invitation,
        "password_help": password_validators_help_text_html(),
    }
    return render(
        request,
        "waitlist/invitation.html",
        context,
        status=400 if request.method == "POST" else 200,
    )


# --- Staff


def _board_context(request: HttpRequest, page: selectors.BoardPage) -> dict[str, Any]:
    return {
        "page": page,
        "filters": page.filters,
        "status_choices": selectors.STATUS_FILTERS,
        "region_choices": REGIONS,
        "route_choices": Route.choices,
        "condition_choices": Condition.choices,
        "sort_choices": list(selectors.SORT_LABELS.items()),
        "export_query": page.filters.query(),
        "next_query": page.filters.query(after=page.next_cursor) if page.next_cursor else None,
        "first_query": page.filters.query(),
        "is_admin": policy.can(request.user, policy.MANAGE_CLINIC),
    }


@_staff_only
def board(request: HttpRequest) -> HttpResponse:
    filters = selectors.BoardFilters.from_query(request.GET)
    page = selectors.board_page(request.user, filters)
    record(
        action="list",
        obj=(services.ENTRY, ""),
        detail=f"waitlist board: {len(page.rows)} of {page.total} shown",
    )
    return render(request, "waitlist/board.html", _board_context(request, page))


@_staff_only
def export(request: HttpRequest) -> StreamingHttpResponse:
    filters = selectors.BoardFilters.from_query(request.GET)
    now = timezone.now()
    qs = selectors.board_queryset(request.user, filters, now)
    record(
        action="export",
        obj=(services.ENTRY, ""),
        detail=f"waitlist CSV export: {qs.count()} rows",
    )
    header = [
        "id",
        "status",
        "first_name",
        "last_name",
        "email",
        "phone",
        "date_of_birth",
        "region",
        "conditions",
        "preferred_route",
        "heard_from",
        "phq2",
        "gad2",
        "prescreen_total",
        "positive_screen",
        "priority",
        "priority_override_reason",
        "signed_up",
        "waiting_since",
    ]

    def rows() -> Any:
        yield header
        for entry in qs.iterator(chunk_size=2000):
            priority = selectors.display_priority(entry, now)
            yield [
                entry.pk,
                entry.status,
                entry.first_name,
                entry.last_name,
                entry.email,
                entry.phone,
                entry.date_of_birth,
                entry.region,
                " ".join(entry.conditions),
                entry.preferred_route,
                entry.heard_from,
                entry.phq2_total,
                entry.gad2_total,
                entry.prescreen_total,
                "yes" if entry.positive_screen else "no",
                "" if priority is None else priority,
                entry.priority_override_reason,
                entry.created_at.isoformat(),
                entry.waiting_since.isoformat() if entry.waiting_since else "",
            ]

    return csv_response(rows(), filename=f"waitlist-{now:%Y-%m-%d}.csv")


BULK_ACTIONS = {
    "invite": "Invite",
    "remove": "Remove from the list",
    "restore": "Put back on the list",
}


def _apply_action(request: HttpRequest, action: str, entries: list[WaitlistEntry]) -> None:
    actor: Any = request.user
    try:
        if action == "invite":
            sent = services.invite(actor=actor, entries=entries)
            messages.success(
                request, f"{len(sent)} invitation{'s' if len(sent) != 1 else ''} sent."
            )
        elif action == "remove":
            count = services.remove(actor=actor, entries=entries)
            messages.success(request, f"{count} removed from the list.")
        elif action == "restore":
            count = services.restore(actor=actor, entries=entries)
            messages.success(request, f"{count} put back on the list.")
        else:
            messages.error(request, "Choose an action.")
    except Refusal as refusal:
        messages.error(request, refusal.message)


def _back_to_board(request: HttpRequest) -> HttpResponse:
    query = request.POST.get("return_query", "")[:500]
    url = reverse("waitlist:board")
    return redirect(f"{url}?{query}" if query and "//" not in query else url)


@_staff_only
@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    ids = [int(v) for v in request.POST.getlist("entry")[:500] if v.isdigit()]
    entries = list(selectors.entries_visible_to(request.user).filter(pk__in=ids))
    if not entries:
        messages.error(request, "Select at least one person first.")
    else:
        _apply_action(request, request.POST.get("action", ""), entries)
    return _back_to_board(request)


@_staff_only
@require_POST
def invite_next(request: HttpRequest) -> HttpResponse:
    program = selectors.program_for_staff(request.user, request.POST.get("program", ""))
    run = services.invite_next(program=program, actor=request.user)  # type: ignore[arg-type]
    if run.invitations:
        messages.success(
            request, f"Invited the next {len(run.invitations)} in line for {program.name}."
        )
    else:
        messages.info(
            request,
            f"Nobody was invited: {program.name} has no places left this week, "
            "or nobody is waiting.",
        )
    return _back_to_board(request)


@_staff_only
def entry(request: HttpRequest, entry_id: int) -> HttpResponse:
    found = selectors.entry_for_staff(request.user, entry_id)
    record(
        action="view",
        obj=(services.ENTRY, found.pk),
        clinic_id=found.clinic_id,
        detail="waitlist entry",
    )
    context = selectors.entry_detail(found)
    context["actions"] = BULK_ACTIONS
    return render(request, "waitlist/entry.html", context)


@_staff_only
@require_POST
def entry_action(request: HttpRequest, entry_id: int) -> HttpResponse:
    found = selectors.entry_for_staff(request.user, entry_id)
    actor: Any = request.user
    what = request.POST.get("action", "")
    try:
        if what == "note":
            services.add_note(actor=actor, entry=found, text=request.POST.get("text", "")[:2000])
            messages.success(request, "Note added.")
        elif what == "override":
            score = _priority_score(request.POST.get("score", ""))
            services.set_priority_override(
                actor=actor, entry=found, score=score, reason=request.POST.get("reason", "")[:500]
            )
            messages.success(request, "Priority overridden.")
        elif what == "clear_override":
            services.clear_priority_override(actor=actor, entry=found)
            messages.success(request, "Override removed: the computed priority applies again.")
        else:
            _apply_action(request, what, [found])
    except Refusal as refusal:
        messages.error(request, refusal.message)
    return redirect("waitlist:entry", entry_id=found.pk)


def _priority_score(raw: str) -> float:
    """The priority typed on the entry page, as a number; bad input is refused as the
    service would refuse it (a message on the page)."""
    try:
        score = float(raw.strip())
    except ValueError:
        raise Refusal("Enter the priority as a number, e.g. 25.", code="invalid_score") from None
    if not -1000 <= score <= 1000 or score != score:
        raise Refusal("Enter a priority between -1000 and 1000.", code="invalid_score")
    return score


@action_required(policy.MANAGE_CLINIC)
def program_settings(request: HttpRequest, program_id: int) -> HttpResponse:
    program = selectors.program_for_staff(request.user, program_id)
    form = ProgramForm(
        request.POST or None, instance=selectors.program_for_staff(request.user, program.pk)
    )
    if request.method == "POST" and form.is_valid():
        services.update_program(
            actor=request.user,  # type: ignore[arg-type]
            program=program,
            **{name: form.cleaned_data[name] for name in services.PROGRAM_FIELDS},
        )
        messages.success(request, f"{program.name}: settings saved.")
        return redirect("waitlist:board")
    return render(
        request,
        "waitlist/program.html",
        {"form": form, "program": program},
        status=400 if request.method == "POST" else 200,
    )
