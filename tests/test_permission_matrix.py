"""Who may reach what. Every URL pattern of the project (pages and API routes alike) is requested
as each persona of the `world` fixture and must answer what TABLE says. A route missing from
TABLE fails `test_every_route_is_in_the_table`, so no new page or endpoint can slip past.

The rules the table spells out: anonymous users get the login page (302) for pages and a JSON
401 for the API; a signed-in user who may not see something gets a 404, never a 403, so that a
record's existence does not leak; `patient_id` is always `world.patient`, a patient of the
admin's clinic, so `outsider` (a clinician of another clinic) must get a 404 for it."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from ketacare.accounts.tokens import create_token
from tests.ledger import matrix_objects as lo
from tests.screening import matrix_objects as so
from tests.treatments import matrix_objects as to
from tests.waitlist import matrix_objects as wo

# The columns of TABLE, in this order.
PERSONAS = (
    "anonymous",
    "patient_user",  # a patient of the clinic: sees only their own record
    "outsider_patient_user",  # a patient of the other clinic
    "monitor",  # monitors world.patient
    "clinician",
    "prescriber",
    "admin",
    "outsider",  # a clinician of the other clinic
)

LOGIN = "login"  # a 302 to the login page, with ?next= the requested path


@dataclass(frozen=True)
class To:
    """A 302 to another page: a URL name, with its path parameters taken from `things`."""

    target: str
    kwargs: Callable[[Any], dict[str, Any]] | None = None

    def url(self, things: Any) -> str:
        return reverse(self.target, kwargs=self.kwargs(things) if self.kwargs else None)

    def __str__(self) -> str:
        return f"302 -> {self.target}"


Expected = int | str | To


@dataclass(frozen=True)
class Route:
    expect: tuple[Expected, ...]  # one per persona, in PERSONAS order
    method: str = "GET"
    # Path parameters, from the `things` namespace (world's personas plus a few objects).
    kwargs: Callable[[Any], dict[str, Any]] = field(default=lambda t: {})
    # POST body: form fields for pages, a JSON object for /api/.
    data: Callable[[Any], dict[str, Any]] | None = None
    query: dict[str, str] = field(default_factory=dict)
    # Text every 200 answer must contain (e.g. the "invalid link" message for a bogus token).
    says: str | None = None


def patient_id(t: Any) -> dict[str, Any]:
    return {"patient_id": t.patient.pk}


def staff_user(t: Any) -> dict[str, Any]:
    return {"user_id": t.clinician.pk}


PATIENT_PAGE = To("patients:detail", patient_id)


NEW_PATIENT = {"first_name": "Alan", "last_name": "Turing", "date_of_birth": "1990-01-02"}
DOSE_PLAN = {"protocol": "iv-depression", "at": "2026-11-26T10:00:00+00:00", "weight_kg": 80}
# A well-formed but bogus link token: the page must say the link is invalid, not crash.
BOGUS_LINK = {"uidb64": "MTIzNDU2", "token": "bogus-0123456789abcdef"}

# fmt: off
# Columns, as PERSONAS: anonymous, patient, patient of the other clinic, monitor, clinician,
# prescriber, admin, outsider (a clinician of the other clinic).
HOME = To("web:home")
TABLE: dict[str, Route] = {
    # --- public, and each role's home at the same address
    "healthz":                   Route((200, 200, 200, 200, 200, 200, 200, 200)),
    "web:home":                  Route((200, 200, 200, 200, 200, 200, 200, 200)),
    # --- sign in and out
    "accounts:login":            Route((200, HOME, HOME, HOME, HOME, HOME, HOME, HOME)),
    "accounts:logout":           Route((To("accounts:login"),) * 8, method="POST"),
    # --- password reset and invitations: public; a bogus link says so
    "accounts:password_reset":   Route((200,) * 8),
    "accounts:password_reset_done":
                                 Route((200,) * 8),
    "accounts:password_reset_complete":
                                 Route((200,) * 8),
    "accounts:password_reset_confirm":
                                 Route((200,) * 8, kwargs=lambda t: BOGUS_LINK,
                                       says="This link no longer works"),
    "accounts:invitation":       Route((200,) * 8, kwargs=lambda t: BOGUS_LINK,
                                       says="This invitation link no longer works"),
    # --- two-factor authentication (these users have no device yet)
    "accounts:mfa_setup":        Route((LOGIN, 200, 200, 200, 200, 200, 200, 200)),
    "accounts:mfa_verify":       Route((LOGIN,) + (To("accounts:mfa_setup"),) * 7),
    "accounts:recovery_codes":   Route((LOGIN,) + (To("accounts:mfa_setup"),) * 7),
    # --- own security page: password, API tokens (the token is the clinician's)
    "accounts:security":         Route((LOGIN, 200, 200, 200, 200, 200, 200, 200)),
    "accounts:password_change":  Route((LOGIN, 200, 200, 200, 200, 200, 200, 200)),
    "accounts:token_create":     Route((LOGIN, 200, 200, 200, 200, 200, 200, 200),
                                       method="POST", data=lambda t: {"name": "script"}),
    "accounts:token_revoke":     Route((LOGIN, 404, 404, 404, To("accounts:security"), 404, 404,
                                        404),
                                       method="POST", kwargs=lambda t: {"token_id": t.token.pk}),
    # --- staff administration: the clinic's admin only (user_id: the clinician)
    "accounts:staff_list":       Route((LOGIN, 404, 404, 404, 404, 404, 200, 404)),
    "accounts:staff_deactivate": Route((LOGIN, 404, 404, 404, 404, 404, To("accounts:staff_list"),
                                        404), method="POST", kwargs=staff_user),
    "accounts:staff_reactivate": Route((LOGIN, 404, 404, 404, 404, 404, To("accounts:staff_list"),
                                        404), method="POST", kwargs=staff_user),
    "accounts:staff_resend":     Route((LOGIN, 404, 404, 404, 404, 404, To("accounts:staff_list"),
                                        404), method="POST", kwargs=staff_user),
    "accounts:invite_patient":   Route((LOGIN, 404, 404, 404, PATIENT_PAGE, PATIENT_PAGE,
                                        PATIENT_PAGE, 404), method="POST", kwargs=patient_id),
    # --- patients (pages)
    "patients:list":             Route((LOGIN, 404, 404, 404, 200, 200, 200, 200)),
    "patients:create":           Route((LOGIN, 404, 404, 404, 200, 200, 200, 200)),
    "patients:me":               Route((LOGIN, 200, 200, 404, 404, 404, 404, 404)),
    "patients:detail":           Route((LOGIN, To("patients:me"), 404, 404, 200, 200, 200, 404),
                                       kwargs=patient_id),
    "patients:edit":             Route((LOGIN, 404, 404, 404, 200, 200, 200, 404),
                                       kwargs=patient_id),
    # Invalid (empty) forms: 400 with the errors for those who may write, 404 for the others.
    "patients:add_weight":       Route((LOGIN, 404, 404, 404, 400, 400, 400, 404),
                                       method="POST", kwargs=patient_id, data=lambda t: {}),
    "patients:add_diagnosis":    Route((LOGIN, 404, 404, 404, 400, 400, 400, 404),
                                       method="POST", kwargs=patient_id, data=lambda t: {}),
    # --- audit log: the clinic's admin only
    "audit:log":                 Route((LOGIN, 404, 404, 404, 404, 404, 200, 404)),
    "audit:export":              Route((LOGIN, 404, 404, 404, 404, 404, 200, 404)),
    # --- API: documentation (public)
    "api:openapi-json":          Route((200, 200, 200, 200, 200, 200, 200, 200)),
    "api:openapi-view":          Route((200, 200, 200, 200, 200, 200, 200, 200)),
    "api:api-root":              Route((404, 404, 404, 404, 404, 404, 404, 404)),
    # --- API: account
    "api:me":                    Route((401, 200, 200, 200, 200, 200, 200, 200)),
    # --- API: patients
    "api:list_patients":         Route((401, 404, 404, 404, 200, 200, 200, 200)),
    "api:create_patient":        Route((401, 404, 404, 404, 201, 201, 201, 201),
                                       method="POST", data=lambda t: NEW_PATIENT),
    "api:get_patient":           Route((401, 200, 404, 200, 200, 200, 200, 404),
                                       kwargs=patient_id),
    # --- API: the clinical core (instruments are public: no patient data in or out)
    "api:list_instruments":      Route((200,) * 8),
    "api:describe_instrument":   Route((200,) * 8, kwargs=lambda t: {"code": "phq9"}),
    "api:score_answers":         Route((200,) * 8, method="POST", kwargs=lambda t: {"code": "phq2"},
                                       data=lambda t: {"answers": [1, 2]}),
    "api:plan":                  Route((401, 404, 404, 404, 200, 200, 404, 200), method="POST",
                                       data=lambda t: DOSE_PLAN),
    # --- screening: the patient's own intake and pages (objects: tests/screening/matrix_objects)
    "screening:intake":          Route((LOGIN, 200, 200, 404, 404, 404, 404, 404)),
    "screening:intake_step":     Route((LOGIN, 200, 200, 404, 404, 404, 404, 404), kwargs=so.step),
    "screening:intake_instrument":
                                 Route((LOGIN, 200, 200, 404, 404, 404, 404, 404), kwargs=so.code),
    "screening:crisis":          Route((LOGIN, 200, 200, 404, 404, 404, 404, 404)),
    # The other clinic has published no consent document.
    "screening:consent":         Route((LOGIN, 200, 404, 404, 404, 404, 404, 404), kwargs=so.kind),
    "screening:mine":            Route((LOGIN, 200, 200, 404, 404, 404, 404, 404)),
    "screening:respond_request": Route((LOGIN, 400, 404, 404, 404, 404, 404, 404), method="POST",
                                       kwargs=so.request_id, data=lambda t: {}),
    "screening:my_assessment":   Route((LOGIN, 200, 200, 404, 404, 404, 404, 404), kwargs=so.code),
    # --- screening: staff review (clinicians and prescribers write; the admin reads)
    "screening:worklist":        Route((LOGIN, 404, 404, 404, 200, 200, 200, 200)),
    "screening:summary":         Route((LOGIN, 404, 404, 404, 200, 200, 200, 404),
                                       kwargs=so.patient),
    "screening:start":           Route((LOGIN, 404, 404, 404, To("screening:summary", so.patient),
                                        To("screening:summary", so.patient), 404, 404),
                                       method="POST", kwargs=so.patient),
    "screening:add_note":        Route((LOGIN, 404, 404, 404, 400, 400, 404, 404), method="POST",
                                       kwargs=so.patient, data=lambda t: {}),
    "screening:add_request":     Route((LOGIN, 404, 404, 404, 400, 400, 404, 404), method="POST",
                                       kwargs=so.patient, data=lambda t: {}),
    "screening:findings":        Route((LOGIN, 404, 404, 404, To("screening:summary", so.patient),
                                        To("screening:summary", so.patient), 404, 404),
                                       method="POST", kwargs=so.patient, data=lambda t: {}),
    "screening:decide":          Route((LOGIN, 404, 404, 404, 404, 400, 404, 404), method="POST",
                                       kwargs=so.patient, data=lambda t: {"route": "iv"}),
    "screening:reevaluate":      Route((LOGIN, 404, 404, 404, 404, 400, 404, 404), method="POST",
                                       kwargs=so.patient, data=lambda t: {}),
    "screening:staff_instrument":
                                 Route((LOGIN, 404, 404, 404, 200, 200, 404, 404),
                                       kwargs=so.patient_code),
    "screening:close_request":   Route((LOGIN, 404, 404, 404, To("screening:summary", so.patient),
                                        To("screening:summary", so.patient), 404, 404),
                                       method="POST", kwargs=so.request_id),
    "screening:assessment":      Route((LOGIN, 200, 404, 404, 200, 200, 200, 404),
                                       kwargs=so.assessment_id),
    "screening:correct":         Route((LOGIN, 404, 404, 404, 200, 200, 404, 404),
                                       kwargs=so.assessment_id),
    "screening:resolve_task":    Route((LOGIN, 404, 404, 404, 200, 200, 404, 404),
                                       kwargs=so.task_id),
    # --- screening: the clinic's settings and consent documents (admin)
    "screening:settings":        Route((LOGIN, 404, 404, 404, 404, 404, 200, 404)),
    "screening:consent_documents":
                                 Route((LOGIN, 404, 404, 404, 404, 404, 200, 404)),
    "screening:consent_document":
                                 Route((LOGIN, 404, 404, 404, 404, 404, 200, 404),
                                       kwargs=so.document_id),
    # --- API: assessments and screening decisions
    "api:list_assessments":      Route((401, 200, 200, 404, 200, 200, 200, 200)),
    "api:create_assessment":     Route((401, 201, 404, 404, 201, 201, 404, 404), method="POST",
                                       data=so.new_assessment),
    "api:get_assessment":        Route((401, 200, 404, 404, 200, 200, 200, 404),
                                       kwargs=so.assessment_id),
    "api:list_decisions":        Route((401, 200, 200, 404, 200, 200, 200, 200)),
    "api:get_decision":          Route((401, 200, 404, 404, 200, 200, 200, 404),
                                       kwargs=so.decision_id),
    # --- controlled-substance ledger (objects: tests/ledger/matrix_objects). Each clinic's
    # staff use their own clinic's ledger; reports for prescribers and admins; set-up for admins.
    "ledger:overview":           Route((LOGIN, 404, 404, 404, 200, 200, 200, 200)),
    "ledger:entries":            Route((LOGIN, 404, 404, 404, 200, 200, 200, 200)),
    "ledger:entry_detail":       Route((LOGIN, 404, 404, 404, 200, 200, 200, 404),
                                       kwargs=lo.entry_id),
    "ledger:correct":            Route((LOGIN, 404, 404, 404, 200, 200, 200, 404),
                                       kwargs=lo.entry_id),
    "ledger:receive":            Route((LOGIN, 404, 404, 404, 200, 200, 200, 200)),
    "ledger:transfer":           Route((LOGIN, 404, 404, 404, 200, 200, 200, 200)),
    "ledger:administer":         Route((LOGIN, 404, 404, 404, 200, 200, 200, 200)),
    "ledger:dispense":           Route((LOGIN, 404, 404, 404, 404, 200, 404, 404)),
    "ledger:waste":              Route((LOGIN, 404, 404, 404, 200, 200, 200, 200)),
    "ledger:return":             Route((LOGIN, 404, 404, 404, 200, 200, 200, 200)),
    "ledger:dispose":            Route((LOGIN, 404, 404, 404, 200, 200, 200, 200)),
    "ledger:loss":               Route((LOGIN, 404, 404, 404, 200, 200, 200, 200)),
    "ledger:counts":             Route((LOGIN, 404, 404, 404, 200, 200, 200, 200)),
    "ledger:count_create":       Route((LOGIN, 404, 404, 404, 200, 200, 200, 200)),
    "ledger:count_detail":       Route((LOGIN, 404, 404, 404, 200, 200, 200, 404),
                                       kwargs=lo.count_id),
    "ledger:investigations":     Route((LOGIN, 404, 404, 404, 200, 200, 200, 200)),
    "ledger:investigation_detail":
                                 Route((LOGIN, 404, 404, 404, 200, 200, 200, 404),
                                       kwargs=lo.investigation_id),
    "ledger:losses":             Route((LOGIN, 404, 404, 404, 200, 200, 200, 200)),
    "ledger:loss_detail":        Route((LOGIN, 404, 404, 404, 200, 200, 200, 404),
                                       kwargs=lo.case_id),
    "ledger:products":           Route((LOGIN, 404, 404, 404, 404, 404, 200, 404)),
    "ledger:locations":          Route((LOGIN, 404, 404, 404, 404, 404, 200, 404)),
    "ledger:settings":           Route((LOGIN, 404, 404, 404, 404, 404, 200, 404)),
    "ledger:reports":            Route((LOGIN, 404, 404, 404, 404, 200, 200, 404)),
    "ledger:report_period":      Route((LOGIN, 404, 404, 404, 404, 200, 200, 404)),
    "ledger:report_lot":         Route((LOGIN, 404, 404, 404, 200, 200, 200, 200)),
    "ledger:report_patient":     Route((LOGIN, 404, 404, 404, 404, 200, 200, 404)),
    "ledger:report_staff":       Route((LOGIN, 404, 404, 404, 404, 200, 200, 404)),
    # --- API: the ledger, read-only, for prescribers and admins
    "api:ledger_products":       Route((401, 404, 404, 404, 404, 200, 200, 404)),
    "api:ledger_locations":      Route((401, 404, 404, 404, 404, 200, 200, 404)),
    "api:ledger_lots":           Route((401, 404, 404, 404, 404, 200, 200, 404)),
    "api:ledger_balances":       Route((401, 404, 404, 404, 404, 200, 200, 404)),
    "api:ledger_entries":        Route((401, 404, 404, 404, 404, 200, 200, 404)),
    "api:ledger_entry":          Route((401, 404, 404, 404, 404, 200, 200, 404),
                                       kwargs=lo.entry_id),
    "api:ledger_patient_history":
                                 Route((401, 404, 404, 404, 404, 200, 200, 404),
                                       kwargs=patient_id),
    "api:ledger_period_report":  Route((401, 404, 404, 404, 404, 200, 200, 404),
                                       query={"date_from": "2026-01-01", "date_to": "2026-01-31"}),
    "api:ledger_losses":         Route((401, 404, 404, 404, 404, 200, 200, 404)),
    "api:ledger_investigations": Route((401, 404, 404, 404, 404, 200, 200, 404)),
    # --- protocols: staff read their clinic's; the admin saves new versions
    "protocols:list":            Route((LOGIN, 404, 404, 404, 200, 200, 200, 200)),
    "protocols:detail":          Route((LOGIN, 404, 404, 404, 200, 200, 200, 200),
                                       kwargs=lambda t: {"code": "iv-depression"}),
    "protocols:edit":            Route((LOGIN, 404, 404, 404, 404, 404, 200, 404),
                                       kwargs=lambda t: {"code": "iv-depression"}),
    "api:list_protocols":        Route((401, 404, 404, 404, 200, 200, 200, 200)),
    "api:protocol_versions":     Route((401, 404, 404, 404, 200, 200, 200, 200),
                                       kwargs=lambda t: {"code": "iv-depression"}),
    # --- treatments (objects: tests/treatments/matrix_objects): staff see their clinic's
    # board, calendar and sessions; clinicians and prescribers run a session (empty forms:
    # 400); orders, overrides and alerts are the prescriber's; chairs the admin's.
    "treatments:board":          Route((LOGIN, 404, 404, 404, 200, 200, 200, 200)),
    "treatments:board_live":     Route((LOGIN, 404, 404, 404, 200, 200, 200, 200)),
    "treatments:calendar":       Route((LOGIN, 404, 404, 404, 200, 200, 200, 200)),
    "treatments:schedule":       Route((LOGIN, 404, 404, 404, 200, 200, 200, 200)),
    "treatments:session":        Route((LOGIN, 404, 404, 404, 200, 200, 200, 404),
                                       kwargs=to.session_id),
    "treatments:session_status": Route((LOGIN, 404, 404, 404, 200, 200, 200, 404),
                                       kwargs=to.session_id),
    "treatments:record_pdf":     Route((LOGIN, 404, 404, 404, 200, 200, 200, 404),
                                       kwargs=to.session_id),
    "treatments:check_in":       Route((LOGIN, 404, 404, 404, 400, 400, 404, 404), method="POST",
                                       kwargs=to.session_id, data=lambda t: {}),
    "treatments:vitals":         Route((LOGIN, 404, 404, 404, 400, 400, 404, 404), method="POST",
                                       kwargs=to.session_id, data=lambda t: {}),
    "treatments:plan":           Route((LOGIN, 404, 404, 404, To("treatments:session",
                                        to.session_id), To("treatments:session", to.session_id),
                                        404, 404), method="POST", kwargs=to.session_id,
                                       data=lambda t: {}),
    "treatments:override":       Route((LOGIN, 404, 404, 404, 404, 400, 404, 404), method="POST",
                                       kwargs=to.session_id, data=lambda t: {}),
    "treatments:start":          Route((LOGIN, 404, 404, 404, 400, 400, 404, 404), method="POST",
                                       kwargs=to.session_id, data=lambda t: {}),
    "treatments:end_dose":       Route((LOGIN, 404, 404, 404, 400, 400, 404, 404), method="POST",
                                       kwargs=to.session_id, data=lambda t: {}),
    "treatments:event":          Route((LOGIN, 404, 404, 404, 400, 400, 404, 404), method="POST",
                                       kwargs=to.session_id, data=lambda t: {}),
    "treatments:note":           Route((LOGIN, 404, 404, 404, 400, 400, 404, 404), method="POST",
                                       kwargs=to.session_id, data=lambda t: {}),
    "treatments:discharge":      Route((LOGIN, 404, 404, 404, 400, 400, 404, 404), method="POST",
                                       kwargs=to.session_id, data=lambda t: {}),
    "treatments:cancel":         Route((LOGIN, 404, 404, 404, 400, 400, 400, 404), method="POST",
                                       kwargs=to.session_id, data=lambda t: {}),
    "treatments:rems":           Route((LOGIN, 404, 404, 404, 400, 400, 400, 404), method="POST",
                                       kwargs=to.session_id, data=lambda t: {}),
    "treatments:alert_ack":      Route((LOGIN, 404, 404, 404, 404, 400, 404, 404), method="POST",
                                       kwargs=to.alert_id, data=lambda t: {}),
    "treatments:patients":       Route((LOGIN, 404, 404, 404, 200, 200, 200, 200)),
    "treatments:patient_orders": Route((LOGIN, 404, 404, 404, 200, 200, 200, 404),
                                       kwargs=to.patient_id),
    "treatments:order_create":   Route((LOGIN, 404, 404, 404, 404, 200, 404, 404),
                                       kwargs=to.patient_id),
    "treatments:order":          Route((LOGIN, 404, 404, 404, 200, 200, 200, 404),
                                       kwargs=to.order_id),
    "treatments:order_status":   Route((LOGIN, 404, 404, 404, 404, 400, 404, 404), method="POST",
                                       kwargs=to.order_id, data=lambda t: {}),
    "treatments:mine":           Route((LOGIN, 200, 200, 404, 404, 404, 404, 404)),
    "treatments:calendar_link":  Route((LOGIN, 200, 200, 404, 404, 404, 404, 404), method="POST"),
    "treatments:ical":           Route((404,) * 8, kwargs=lambda t: to.BOGUS_FEED),
    "treatments:settings":       Route((LOGIN, 404, 404, 404, 404, 404, 200, 404)),
    "treatments:chair_add":      Route((LOGIN, 404, 404, 404, 404, 404, 400, 404), method="POST",
                                       data=lambda t: {}),
    "treatments:chair_toggle":   Route((LOGIN, 404, 404, 404, 404, 404, To("treatments:settings"),
                                        404), method="POST", kwargs=to.chair_id),
    # --- API: sessions, vitals, dose plans and events (a patient reads their own sessions)
    "api:list_sessions":         Route((401, 200, 200, 404, 200, 200, 200, 200)),
    "api:get_session":           Route((401, 200, 404, 404, 200, 200, 200, 404),
                                       kwargs=to.session_id),
    "api:list_vitals":           Route((401, 404, 404, 404, 200, 200, 200, 404),
                                       kwargs=to.session_id),
    "api:create_vitals":         Route((401, 404, 404, 404, 422, 422, 404, 404), method="POST",
                                       kwargs=to.session_id, data=lambda t: {}),
    "api:list_events":           Route((401, 404, 404, 404, 200, 200, 200, 404),
                                       kwargs=to.session_id),
    "api:create_event":          Route((401, 404, 404, 404, 201, 201, 404, 404), method="POST",
                                       kwargs=to.session_id, data=lambda t: to.NEW_EVENT),
    "api:create_plan":           Route((401, 404, 404, 404, 201, 201, 404, 404), method="POST",
                                       kwargs=to.session_id, data=lambda t: {}),
    # --- public site: information pages and the contact form
    "public:page":               Route((200,) * 8, kwargs=lambda t: {"slug": "home-program"}),
    "public:contact":            Route((200,) * 8),
    "public:contact_thanks":     Route((200,) * 8),
    # --- contact inbox: the clinic's staff (the message is of the admin's clinic)
    "public:inbox":              Route((LOGIN, 404, 404, 404, 200, 200, 200, 200)),
    "public:inbox_message":      Route((LOGIN, 404, 404, 404, 200, 200, 200, 404),
                                       kwargs=wo.message_id),
    "public:inbox_status":       Route((LOGIN, 404, 404, 404) + (To("public:inbox_message",
                                        wo.message_id),) * 3 + (404,), method="POST",
                                       kwargs=wo.message_id, data=lambda t: {}),
    # --- waiting list: public sign-up and the person's own links (bogus tokens: 404)
    "waitlist:signup":           Route((200,) * 8),
    "waitlist:thanks":           Route((200,) * 8),
    "waitlist:left":             Route((200,) * 8),
    "waitlist:confirm":          Route((404,) * 8, kwargs=lambda t: wo.BOGUS_TOKEN),
    "waitlist:status":           Route((404,) * 8, kwargs=lambda t: wo.BOGUS_TOKEN),
    "waitlist:edit":             Route((404,) * 8, kwargs=lambda t: wo.BOGUS_TOKEN),
    "waitlist:leave":            Route((404,) * 8, kwargs=lambda t: wo.BOGUS_TOKEN),
    "waitlist:invitation":       Route((404,) * 8, kwargs=lambda t: wo.BOGUS_TOKEN),
    "api:join_waitlist":         Route((201,) * 8, method="POST", data=wo.signup),
    # --- waiting list: the staff board (each clinic's staff see their own clinic's list)
    "waitlist:board":            Route((LOGIN, 404, 404, 404, 200, 200, 200, 200)),
    "waitlist:export":           Route((LOGIN, 404, 404, 404, 200, 200, 200, 200)),
    "waitlist:bulk":             Route((LOGIN, 404, 404, 404) + (To("waitlist:board"),) * 4,
                                       method="POST", data=lambda t: {}),
    "waitlist:invite_next":      Route((LOGIN, 404, 404, 404) + (To("waitlist:board"),) * 3
                                       + (404,), method="POST", kwargs=wo.built,
                                       data=wo.program_form),
    "waitlist:entry":            Route((LOGIN, 404, 404, 404, 200, 200, 200, 404),
                                       kwargs=wo.entry_id),
    "waitlist:entry_action":     Route((LOGIN, 404, 404, 404) + (To("waitlist:entry",
                                        wo.entry_id),) * 3 + (404,), method="POST",
                                       kwargs=wo.entry_id, data=lambda t: {}),
    "waitlist:program":          Route((LOGIN, 404, 404, 404, 404, 404, 200, 404),
                                       kwargs=wo.program_id),
}
# fmt: on

# Django's own admin is tested on its own below; static files are not views of ours.
EXCLUDED_NAMESPACES = {"admin"}


def walk(
    patterns: list[Any] | None = None, prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str]]:
    """(key, route) for every URL pattern: key is "namespace:name", or the route if unnamed."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            if inner in EXCLUDED_NAMESPACES:
                continue
            yield from walk(pattern.url_patterns, route, inner)
        elif isinstance(pattern, URLPattern):
            if route.startswith(settings.STATIC_URL.lstrip("/")):
                continue
            name = pattern.name
            yield (f"{namespace}:{name}" if namespace and name else name or route), route


def test_every_route_is_in_the_table():
    routes = dict(walk())
    missing = sorted(set(routes) - set(TABLE))
    stale = sorted(set(TABLE) - set(routes))
    message = []
    if missing:
        message.append(
            "These URL patterns are not in TABLE of tests/test_permission_matrix.py. Add a row "
            "for each, saying what every persona must get (200, LOGIN, 404, 401, ...):\n"
            + "\n".join(f"  {key!r}  (/{routes[key]})" for key in missing)
        )
    if stale:
        message.append("TABLE has rows for routes that no longer exist: " + ", ".join(stale))
    assert not message, "\n\n".join(message)


@pytest.fixture(autouse=True)
def _private_cache(settings):
    # Rate limits count in the cache: give each test its own, empty one, so that a public
    # form posted by all eight personas (or a second run within the hour) is not refused.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": "permission-matrix"}}  # fmt: skip
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def things(world):
    """world's personas plus the objects some routes take in their path."""
    token, _ = create_token(actor=world.clinician, name="matrix")
    return SimpleNamespace(**vars(world), token=token)


def _request(client: Client, route: Route, path: str, things: Any) -> Any:
    if route.method == "GET":
        return client.get(path)
    data = route.data(things) if route.data else {}
    if path.startswith("/api/"):
        return client.generic(route.method, path, json.dumps(data), "application/json")
    body = urlencode(data, doseq=True)
    return client.generic(route.method, path, body, "application/x-www-form-urlencoded")


def _describe(response: Any) -> str:
    location = response.get("Location")
    return f"{response.status_code}" + (f" -> {location}" if location else "")


def _matches(expected: Expected, response: Any, path: str, things: Any) -> bool:
    if expected == LOGIN:
        if response.status_code != 302:
            return False
        location = urlsplit(response["Location"])
        next_page = parse_qs(location.query).get("next")
        return location.path == reverse(settings.LOGIN_URL) and next_page == [path]
    if isinstance(expected, To):
        location = urlsplit(response["Location"]).path
        return response.status_code == 302 and location == expected.url(things)
    return response.status_code == expected


@pytest.mark.parametrize("key", sorted(TABLE))
def test_route_answers_each_persona_as_the_table_says(key, things):
    route = TABLE[key]
    assert len(route.expect) == len(PERSONAS), f"{key}: one expectation per persona"
    path = reverse(key, kwargs=route.kwargs(things))
    if route.query:
        path = f"{path}?{urlencode(route.query)}"
    mismatches = []
    for persona, expected in zip(PERSONAS, route.expect, strict=True):
        # Each persona starts from the same world: whatever the request writes is undone.
        with transaction.atomic():
            client = Client()
            if persona != "anonymous":
                client.force_login(getattr(things, persona))
            response = _request(client, route, path, things)
            transaction.set_rollback(True)
        if not _matches(expected, response, path, things):
            mismatches.append(f"  {persona:<22} expected {expected}, got {_describe(response)}")
            continue
        if path.startswith("/api/") and key != "api:openapi-view":
            assert response["Content-Type"].startswith("application/json"), (persona, path)
        if route.says and response.status_code == 200:
            assert route.says in response.content.decode(), (
                f"{persona}: {path} lacks {route.says!r}"
            )
    assert not mismatches, f"{route.method} {path} ({key}):\n" + "\n".join(mismatches)


# --- Django's admin: only `is_staff` users (the clinic admins) get past its login page.


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "admin"])
def test_django_admin_sends_everyone_but_staff_to_its_login(world, persona, client_for):
    response = client_for(world.user(persona)).get("/django-admin/")
    assert response.status_code == 302
    assert response["Location"] == "/django-admin/login/?next=/django-admin/"


def test_django_admin_index_opens_for_an_admin_with_is_staff(world, client_for):
    assert world.admin.is_staff
    response = client_for(world.admin).get("/django-admin/")
    assert response.status_code == 200
    assert b"KetaCare administration" in response.content
