"""Writes for orders and supervised sessions. Each service checks the actor's role and clinic
(a wrong user gets a 404), runs in one transaction, and writes its audit row in it. Every dose
decision is `ketacare.clinical.dosing.plan_dose`'s; every monitoring rule is
`ketacare.clinical.monitoring_schedule`'s. A refused write raises `TreatmentError` (a message a
person can act on, the form field it concerns, the rule codes) and saves nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from ketacare.accounts.models import Role, User
from ketacare.accounts.permissions import has_role, patients_visible_to
from ketacare.audit.log import record
from ketacare.audit.models import AuditOutcome
from ketacare.clinical.dosing import (
    DOSE_ABOVE_MAX,
    DOSE_NOT_ALLOWED,
    REASON_TEXT,
    WEIGHT_MISSING,
    DosingError,
    plan_dose,
    round_mg,
    vitals_alerts,
)
from ketacare.clinical.monitoring_schedule import (
    CHECKLIST_TEXT,
    MOAAS_SCALE,
    TIME_POINTS,
    checklist_problems,
    time_point_problem,
)
from ketacare.clinical.vitals_ranges import PLAUSIBLE
from ketacare.core.reauth import ReentryLocked, check_password_reentry
from ketacare.patients.models import Patient

from . import gates, notifications, selectors
from .models import (
    BOOKED,
    CalendarFeed,
    Chair,
    DosePlan,
    EventCategory,
    EventKind,
    OrderStatus,
    OrderStatusChange,
    SessionEvent,
    SessionNote,
    SessionStatus,
    Severity,
    TreatmentOrder,
    TreatmentSession,
    TreatmentSettings,
    VitalsAlert,
    VitalSigns,
)

# Who may do what (the one permission mechanism, with this app's own table).
STAFF = frozenset({Role.CLINICIAN, Role.PRESCRIBER, Role.ADMIN})
CLINICAL = frozenset({Role.CLINICIAN, Role.PRESCRIBER})
PRESCRIBERS = frozenset({Role.PRESCRIBER})
ADMINS = frozenset({Role.ADMIN})

# Which ledger product forms a route draws from.
ROUTE_PRODUCT_FORMS = {
    "iv": {"vial"},
    "im": {"vial"},
    "nasal": {"nasal_device"},
    "home-troche": {"troche"},
}
NASAL_ROUTE = "nasal"


class TreatmentError(Exception):
    """A refused write: `message` for a person, `field` of the form it concerns (or None),
    `codes` the rule codes behind it (dosing reasons, discharge criteria...)."""

    def __init__(
        self, message: str, *, field: str | None = None, codes: Sequence[str] = ()
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.codes = list(codes)
        self.errors: dict[str | None, list[str]] = {field: [message]}

    @classmethod
    def many(
        cls, errors: Mapping[str | None, list[str]], codes: Sequence[str] = ()
    ) -> TreatmentError:
        first_field = next(iter(errors))
        error = cls(errors[first_field][0], field=first_field, codes=codes)
        error.errors = {k: list(v) for k, v in errors.items()}
        return error


# --- helpers -----------------------------------------------------------------------------


def _require(actor: Any, roles: frozenset[str], clinic_id: int | None = None) -> None:
    if not has_role(actor, *roles) or not actor.clinic_id:
        raise Http404("Not found.")
    if clinic_id is not None and clinic_id != actor.clinic_id:
        raise Http404("Not found.")


def _require_patient(actor: Any, roles: frozenset[str], patient: Patient) -> None:
    _require(actor, roles, patient.clinic_id)
    if not patients_visible_to(actor).filter(pk=patient.pk).exists():
        raise Http404("Not found.")


def clinic_zone(clinic_timezone: str) -> ZoneInfo:
    return ZoneInfo(clinic_timezone)


def _text(value: str, field: str, what: str, *, max_length: int = 5000) -> str:
    value = " ".join((value or "").split()) if "\n" not in (value or "") else (value or "").strip()
    if not value:
        raise TreatmentError(f"Give {what}.", field=field)
    return value[:max_length]


def _decimal(value: Any, field: str, what: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise TreatmentError(f"Enter {what} as a number.", field=field) from None
    if not number.is_finite() or number <= 0:
        raise TreatmentError(f"Enter {what} above 0.", field=field)
    return number


def _locked(session: TreatmentSession) -> TreatmentSession:
    """The session row, locked for this transaction (PostgreSQL; SQLite's IMMEDIATE
    transactions already serialise writers), with the state other staff may have changed."""
    return (
        TreatmentSession.objects.select_for_update()
        .select_related("protocol", "patient", "order")
        .get(pk=session.pk)
    )


# --- Orders ------------------------------------------------------------------------------


def verify_signature(*, actor: User, password: str, otp_code: str, request: Any = None) -> str:
    """The prescriber proves it is them: their password, plus a fresh code from their
    authenticator app when they have one. Returns how they signed."""
    from ketacare.accounts import mfa
    from ketacare.accounts.services import verify_second_factor

    try:
        right = check_password_reentry(user=actor, password=password, purpose="order-signature")
    except ReentryLocked:
        raise TreatmentError(
            "Too many wrong passwords: you can sign orders again in 15 minutes.", field="password"
        ) from None
    if not right:
        record(actor=actor, action="update", obj=actor, request=request,
               outcome=AuditOutcome.DENIED, detail="order signature: wrong password")  # fmt: skip
        raise TreatmentError(
            "That is not your password: the order was not signed.", field="password"
        )
    if mfa.has_confirmed_device(actor):
        code = mfa.normalise_code(otp_code)
        if not mfa.TOTP_CODE_RE.match(code):
            raise TreatmentError(
                "Enter the six-digit code your authenticator app shows now.", field="otp_code"
            )
        result = verify_second_factor(user=actor, code=code, request=request)
        if result.device is None:
            raise TreatmentError(
                "That code is not right (or too many tries: wait a moment). Enter the code "
                "your authenticator app shows now.",
                field="otp_code",
            )
        return "password+totp"
    if actor.mfa_required:
        raise TreatmentError(
            "Set up two-factor authentication (Security page) before signing orders.",
            field="otp_code",
        )
    return "password"


def _dose_in_mg(amount: Decimal, *, per_kg: bool, weight_kg: Decimal | None) -> float | None:
    if not per_kg:
        return round_mg(amount)
    if weight_kg is None:
        return None
    return round_mg(amount * weight_kg)


def _history(
    patient: Patient, code: str, *, exclude: int | None = None
) -> list[tuple[dt.datetime, float]]:
    """Earlier administrations to this patient on protocols with this code."""
    rows = (
        TreatmentSession.objects.filter(
            patient=patient,
            protocol__code=code,
            dose_started_at__isnull=False,
            administered_dose_mg__isnull=False,
        )
        .exclude(pk=exclude)
        .values_list("dose_started_at", "administered_dose_mg")
    )
    return [(when, float(dose)) for when, dose in rows]


def create_order(
    *,
    actor: User,
    patient: Patient,
    protocol: Any,
    starting_dose: Decimal,
    titration_plan: str,
    sessions_planned: int,
    start_date: dt.date,
    password: str,
    otp_code: str = "",
    rems_patient_id: str = "",
    request: Any = None,
) -> TreatmentOrder:
    """A prescriber's signed order for a course on an approved route."""
    from ketacare.protocols.selectors import current_version

    _require_patient(actor, PRESCRIBERS, patient)
    if protocol.clinic_id != actor.clinic_id:
        raise Http404("Not found.")
    current = current_version(actor.clinic_id, protocol.code)
    if current is None or current.pk != protocol.pk or not current.active:
        raise TreatmentError("Choose a protocol in use (its current version).", field="protocol")
    if protocol.route not in gates.approved_routes(patient):
        raise TreatmentError(
            f"No prescriber has approved the {protocol.route} route for {patient.full_name}: "
            "record the route decision in screening first.",
            field="protocol",
        )
    titration_plan = _text(titration_plan, "titration_plan", "the titration plan")
    starting_dose = _decimal(starting_dose, "starting_dose", "the starting dose")
    if not 1 <= int(sessions_planned) <= 100:
        raise TreatmentError("Plan between 1 and 100 sessions.", field="sessions_planned")
    today = timezone.localdate(timezone.now(), clinic_zone(patient.clinic.timezone))
    if start_date < today:
        raise TreatmentError("The start date cannot be in the past.", field="start_date")
    weight = selectors.latest_weight(patient)
    core = protocol.as_protocol()
    dose_mg = _dose_in_mg(starting_dose, per_kg=protocol.per_kg, weight_kg=weight)
    decision = plan_dose(
        core,
        weight_kg=float(weight) if weight is not None else None,
        dose_mg=dose_mg,
        history=_history(patient, protocol.code),
        at=timezone.now(),
    )
    if WEIGHT_MISSING in decision.reasons:
        raise TreatmentError(
            "This protocol is dosed per kg: record the patient's weight first.",
            field="starting_dose",
            codes=[WEIGHT_MISSING],
        )
    dose_problems = [r for r in decision.reasons if r in (DOSE_NOT_ALLOWED, DOSE_ABOVE_MAX)]
    if dose_problems:
        raise TreatmentError(
            " ".join(REASON_TEXT[r] for r in dose_problems), field="starting_dose",
            codes=dose_problems,
        )  # fmt: skip
    rems_patient_id = (rems_patient_id or "").strip()[:40]
    method = verify_signature(actor=actor, password=password, otp_code=otp_code, request=request)
    with transaction.atomic():
        order = TreatmentOrder.objects.create(
            clinic_id=actor.clinic_id, patient=patient, protocol=protocol, route=protocol.route,
            starting_dose=starting_dose, titration_plan=titration_plan,
            sessions_planned=int(sessions_planned), start_date=start_date,
            rems_patient_id=rems_patient_id, prescriber=actor, signed_at=timezone.now(),
            signature_method=method,
        )  # fmt: skip
        record(actor=actor, action="create", obj=order, patient=patient, request=request,
               detail=f"order signed ({method}): {protocol.code} v{protocol.version}, "
                      f"{starting_dose.normalize():f} {protocol.dose_unit}, "
                      f"{sessions_planned} sessions from {start_date}")  # fmt: skip
    return order


ORDER_TRANSITIONS = {
    (OrderStatus.ACTIVE, OrderStatus.PAUSED),
    (OrderStatus.PAUSED, OrderStatus.ACTIVE),
    (OrderStatus.ACTIVE, OrderStatus.STOPPED),
    (OrderStatus.PAUSED, OrderStatus.STOPPED),
}


def change_order_status(
    *, actor: User, order: TreatmentOrder, to_status: str, reason: str, request: Any = None
) -> TreatmentOrder:
    """Pause, resume or stop an order, with the reason. Stopping cancels its sessions not
    yet started."""
    _require_patient(actor, PRESCRIBERS, order.patient)
    reason = _text(reason, "reason", "the reason")
    with transaction.atomic():
        order = TreatmentOrder.objects.select_for_update().get(pk=order.pk)
        if (order.status, to_status) not in ORDER_TRANSITIONS:
            raise TreatmentError(
                f"An order that is {order.get_status_display().lower()} cannot become "
                f"{OrderStatus(to_status).label.lower()}.",
                field="reason",
            )
        now = timezone.now()
        OrderStatusChange.objects.create(
            order=order, from_status=order.status, to_status=to_status, reason=reason,
            changed_by=actor, changed_at=now,
        )  # fmt: skip
        previous = order.status
        order.status = to_status
        order.status_reason = reason
        order.save(update_fields=["status", "status_reason"])
        cancelled = 0
        if to_status == OrderStatus.STOPPED:
            for session in order.sessions.select_for_update().filter(
                status=SessionStatus.SCHEDULED
            ):
                session.status = SessionStatus.CANCELLED
                session.cancelled_at = now
                session.cancelled_by = actor
                session.cancel_reason = f"Order stopped: {reason}"[:2000]
                session.save(
                    update_fields=["status", "cancelled_at", "cancelled_by", "cancel_reason"]
                )
                cancelled += 1
        record(actor=actor, action="update", obj=order, patient=order.patient, request=request,
               detail=f"order {previous} -> {to_status}: {reason}"
                      + (f"; {cancelled} sessions cancelled" if cancelled else ""))  # fmt: skip
    return order


# --- Scheduling --------------------------------------------------------------------------


def _overlap(qs: Any, start: dt.datetime, end: dt.datetime) -> TreatmentSession | None:
    return (
        qs.filter(status__in=BOOKED, scheduled_start__lt=end, scheduled_end__gt=start)
        .order_by("scheduled_start")
        .first()
    )


def _local(value: dt.datetime, zone: ZoneInfo) -> str:
    return timezone.localtime(value, zone).strftime("%Y-%m-%d %H:%M")


def schedule_session(
    *,
    actor: User,
    order: TreatmentOrder,
    chair: Chair,
    clinician: User,
    start: dt.datetime,
    duration_minutes: int,
    request: Any = None,
) -> TreatmentSession:
    """Book a session of `order` at `chair`. Refused when the order is not active, the
    patient's re-evaluation (or consent, or route approval) blocks it, the course is fully
    booked, or the chair or the patient is already booked at that time."""
    from ketacare.protocols.selectors import current_version

    patient = order.patient
    _require_patient(actor, STAFF, patient)
    if chair.clinic_id != actor.clinic_id or clinician.clinic_id != actor.clinic_id:
        raise Http404("Not found.")
    if not chair.active:
        raise TreatmentError(f"{chair} is no longer in use.", field="chair")
    if not has_role(clinician, *CLINICAL):
        raise TreatmentError("Choose a clinician or prescriber of the clinic.", field="clinician")
    if order.status != OrderStatus.ACTIVE:
        raise TreatmentError(
            f"The order is {order.get_status_display().lower()}: sessions cannot be booked.",
            field="order",
        )
    if start.utcoffset() is None:
        raise TreatmentError("Give the start time.", field="start")
    now = timezone.now()
    if start < now - dt.timedelta(minutes=5):
        raise TreatmentError("The start time is in the past.", field="start")
    if not 15 <= int(duration_minutes) <= 12 * 60:
        raise TreatmentError("The duration must be between 15 and 720 minutes.", field="duration")
    zone = clinic_zone(patient.clinic.timezone)
    if timezone.localtime(start, zone).date() < order.start_date:
        raise TreatmentError(f"The order starts on {order.start_date:%Y-%m-%d}.", field="start")
    protocol = current_version(actor.clinic_id, order.protocol.code)
    if protocol is None or not protocol.active:
        raise TreatmentError("The order's protocol is no longer in use.", field="order")
    if protocol.at_home:
        raise TreatmentError(
            "At-home doses are not booked at a chair: they follow the home program.",
            field="order",
        )
    if order.route not in gates.approved_routes(patient):
        raise TreatmentError(
            f"The {order.route} route is no longer approved for this patient.", field="order"
        )
    end = start + dt.timedelta(minutes=int(duration_minutes))
    held = [
        s.dose_started_at or s.scheduled_start
        for s in TreatmentSession.objects.filter(patient=patient).exclude(
            status=SessionStatus.CANCELLED
        )
        if (s.dose_started_at or s.scheduled_start) < start
        and (s.dose_started_at is not None or s.status in BOOKED)
    ]
    gate = gates.scheduling_gate(patient, start, session_times=held)
    if not gate.allowed:
        raise TreatmentError(" ".join(gate.reason_texts), field="start", codes=gate.reasons)
    try:
        with transaction.atomic():
            # Lock the chair and the patient: two bookings of either wait for each other, so
            # the overlap checks below see every committed booking.
            Chair.objects.select_for_update().get(pk=chair.pk)
            Patient.objects.select_for_update().get(pk=patient.pk)
            booked = order.sessions.exclude(status=SessionStatus.CANCELLED).count()
            if booked >= order.sessions_planned:
                raise TreatmentError(
                    f"All {order.sessions_planned} sessions of this order are booked or held.",
                    field="order",
                )
            clash = _overlap(TreatmentSession.objects.filter(chair=chair), start, end)
            if clash is not None:
                raise TreatmentError(
                    f"{chair} is booked from {_local(clash.scheduled_start, zone)} to "
                    f"{_local(clash.scheduled_end, zone)[-5:]}.",
                    field="chair",
                )
            clash = _overlap(TreatmentSession.objects.filter(patient=patient), start, end)
            if clash is not None:
                raise TreatmentError(
                    f"{patient.full_name} already has a session from "
                    f"{_local(clash.scheduled_start, zone)} to "
                    f"{_local(clash.scheduled_end, zone)[-5:]}.",
                    field="start",
                )
            session = TreatmentSession.objects.create(
                clinic_id=actor.clinic_id, patient=patient, order=order, protocol=protocol,
                chair=chair, clinician=clinician, scheduled_start=start, scheduled_end=end,
                created_at=now, created_by=actor,
            )  # fmt: skip
            record(actor=actor, action="create", obj=session, patient=patient, request=request,
                   detail=f"session booked {_local(start, zone)} at {chair}")  # fmt: skip
    except IntegrityError:
        raise TreatmentError(
            "That chair or patient was just booked at this time: choose another time.",
            field="start",
        ) from None
    return session


def cancel_session(
    *, actor: User, session: TreatmentSession, reason: str, request: Any = None
) -> TreatmentSession:
    """Cancel a booking, or end a session that was checked in but not dosed (a held dose)."""
    _require_patient(actor, STAFF, session.patient)
    reason = _text(reason, "reason", "the reason")
    with transaction.atomic():
        session = _locked(session)
        if session.status not in BOOKED:
            raise TreatmentError("This session has already ended.", field="reason")
        if session.dose_started_at is not None:
            raise TreatmentError(
                "The dose has started: the session ends with the discharge.", field="reason"
            )
        session.status = SessionStatus.CANCELLED
        session.cancelled_at = timezone.now()
        session.cancelled_by = actor
        session.cancel_reason = reason
        session.save(update_fields=["status", "cancelled_at", "cancelled_by", "cancel_reason"])
        record(actor=actor, action="update", obj=session, patient=session.patient,
               request=request, detail=f"session cancelled: {reason}"[:500])  # fmt: skip
    return session


# --- Check-in ------------------------------------------------------------------------------

CHECKLIST_FIELDS = {
    "identity_confirmed": "identity_confirmed",
    "fasting_confirmed": "fasting_confirmed",
    "escort_arranged": "escort_arranged",
    "medications_reviewed": "medications_reviewed",
    "pregnancy_excluded": "pregnancy",
    "assessments_completed": "assessments_completed",
}
CONCOMITANT = (
    "takes_benzodiazepines", "takes_sedative_hypnotics", "takes_psychostimulants", "takes_maois",
    "takes_opioids",
)  # fmt: skip


def check_in(
    *,
    actor: User,
    session: TreatmentSession,
    identity_confirmed: bool,
    fasting_confirmed: bool,
    escort_arranged: bool,
    medications_reviewed: bool,
    pregnancy: str,
    assessments_completed: bool,
    escort_name: str = "",
    escort_phone: str = "",
    medication_changes: str = "",
    first_treatment: bool | None = None,
    concomitant: Mapping[str, bool | None] | None = None,
    request: Any = None,
) -> TreatmentSession:
    """Check the patient in with the pre-dose checklist complete. The session takes the
    current version of its protocol here, and keeps it from now on."""
    from ketacare.protocols.selectors import current_version

    _require_patient(actor, CLINICAL, session.patient)
    protocol = current_version(actor.clinic_id, session.protocol.code)
    at_home = bool(protocol and protocol.at_home)
    problems = checklist_problems(
        identity_confirmed=identity_confirmed,
        fasting_confirmed=fasting_confirmed,
        escort_arranged=escort_arranged,
        medications_reviewed=medications_reviewed,
        pregnancy=pregnancy,
        assessments_completed=assessments_completed,
        at_home=at_home,
    )
    errors: dict[str | None, list[str]] = {}
    for code in problems:
        errors.setdefault(CHECKLIST_FIELDS[code], []).append(CHECKLIST_TEXT[code])
    escort_name = " ".join((escort_name or "").split())[:200]
    if escort_arranged and not at_home and not escort_name:
        errors.setdefault("escort_name", []).append("Give the name of the escort.")
    if errors:
        raise TreatmentError.many(errors, codes=problems)
    concomitant = dict(concomitant or {})
    unknown = set(concomitant) - set(CONCOMITANT)
    if unknown:
        raise TypeError(f"unknown concomitant medication fields: {sorted(unknown)}")
    with transaction.atomic():
        session = _locked(session)
        if session.status != SessionStatus.SCHEDULED:
            raise TreatmentError("This session is not waiting for check-in.", field=None)
        if session.order.status != OrderStatus.ACTIVE:
            raise TreatmentError(
                f"The order is {session.order.get_status_display().lower()}: ask the "
                "prescriber before checking in.",
                field=None,
            )
        if protocol is None or not protocol.active:
            raise TreatmentError("The session's protocol is no longer in use.", field=None)
        now = timezone.now()
        session.protocol = protocol
        session.status = SessionStatus.IN_PROGRESS
        session.checked_in_at = now
        session.checked_in_by = actor
        session.identity_confirmed = True
        session.fasting_confirmed = True
        session.escort_arranged = bool(escort_arranged)
        session.escort_name = escort_name
        session.escort_phone = " ".join((escort_phone or "").split())[:30]
        session.medications_reviewed = True
        session.medication_changes = (medication_changes or "").strip()[:5000]
        session.pregnancy = pregnancy
        session.assessments_completed = True
        session.first_treatment = first_treatment
        for name in CONCOMITANT:
            setattr(session, name, concomitant.get(name))
        session.save()
        record(actor=actor, action="update", obj=session, patient=session.patient,
               request=request, detail=f"checked in; protocol {protocol.code} "
                                       f"v{protocol.version}")  # fmt: skip
    return session


# --- Vitals ----------------------------------------------------------------------------------

CADSS_ITEMS = 23


def record_vitals(
    *,
    actor: User,
    session: TreatmentSession,
    systolic: int | None = None,
    diastolic: int | None = None,
    heart_rate: int | None = None,
    spo2: int | None = None,
    respiratory_rate: int | None = None,
    moaas: int | None = None,
    cadss_answers: Sequence[int] | None = None,
    time_point: str = "",
    note: str = "",
    taken_at: dt.datetime | None = None,
    corrects: VitalSigns | None = None,
    request: Any = None,
) -> VitalSigns:
    """One flowsheet row. Out-of-range readings (the clinical core's monitoring thresholds)
    raise an alert to the clinic's prescribers. A REMS time point needs BP, MOAA/S and CADSS.

    Only inserts: two staff recording at once each add their row, and neither is lost."""
    _require_patient(actor, CLINICAL, session.patient)
    now = timezone.now()
    taken_at = taken_at or now
    values = {
        "systolic": systolic, "diastolic": diastolic, "heart_rate": heart_rate, "spo2": spo2,
        "respiratory_rate": respiratory_rate,
    }  # fmt: skip
    errors: dict[str | None, list[str]] = {}
    for name, value in values.items():
        problem = None if value is None else PLAUSIBLE[name].problem(value)
        if problem is not None:
            errors.setdefault(name, []).append(problem)
    if (systolic is None) != (diastolic is None):
        errors.setdefault("diastolic" if diastolic is None else "systolic", []).append(
            "Give both systolic and diastolic pressure."
        )
    if moaas is not None and moaas not in MOAAS_SCALE:
        errors.setdefault("moaas", []).append("MOAA/S is a score from 0 to 5.")
    answers = list(cadss_answers) if cadss_answers else None
    if answers is not None and len(answers) != CADSS_ITEMS:
        errors.setdefault("cadss", []).append(f"Answer all {CADSS_ITEMS} CADSS items, or none.")
    if all(v is None for v in values.values()) and moaas is None and answers is None:
        errors.setdefault(None, []).append("Enter at least one reading.")
    if taken_at.utcoffset() is None or taken_at > now + dt.timedelta(minutes=2):
        errors.setdefault("taken_at", []).append("The time of the reading cannot be in the future.")
    if session.checked_in_at is None or session.status != SessionStatus.IN_PROGRESS:
        errors.setdefault(None, []).append("Vitals are recorded from check-in until discharge.")
    elif taken_at < session.checked_in_at - dt.timedelta(hours=2):
        errors.setdefault("taken_at", []).append("The reading is from before this session.")
    if time_point:
        problem = time_point_problem(
            time_point,
            taken_at=taken_at,
            dose_started_at=session.dose_started_at,
            dose_ended_at=session.dose_ended_at,
            observation_minutes=session.protocol.observation_minutes,
        )
        if time_point not in TIME_POINTS:
            errors.setdefault("time_point", []).append("Choose a time point from the list.")
        elif problem:
            errors.setdefault("time_point", []).append(problem[:1].upper() + problem[1:] + ".")
        missing = [
            label
            for label, present in (
                ("blood pressure", systolic is not None),
                ("MOAA/S", moaas is not None),
                ("CADSS", answers is not None),
            )
            if not present
        ]
        if missing:
            errors.setdefault("time_point", []).append(
                "A REMS time point needs " + ", ".join(missing) + " as well."
            )
    if corrects is not None and corrects.session_id != session.pk:
        raise Http404("Not found.")
    if errors:
        raise TreatmentError.many(errors)
    readings = {k: v for k, v in values.items() if k != "respiratory_rate" and v is not None}
    try:
        alerts = vitals_alerts(readings)
    except DosingError as exc:
        raise TreatmentError(str(exc), field=None) from None
    with transaction.atomic():
        cadss = None
        if answers is not None:
            from ketacare.clinical.instruments import InvalidAnswers
            from ketacare.screening.models import AssessmentContext
            from ketacare.screening.services import record_assessment

            try:
                cadss, _task = record_assessment(
                    actor=actor, patient=session.patient, instrument="cadss", answers=answers,
                    context=AssessmentContext.REASSESSMENT,
                )  # fmt: skip
            except InvalidAnswers as exc:
                raise TreatmentError(str(exc), field="cadss") from None
        row = VitalSigns.objects.create(
            session=session, taken_at=taken_at, moaas=moaas, cadss=cadss,
            time_point=time_point or "", alerts=alerts, note=(note or "").strip()[:300],
            recorded_by=actor, recorded_at=now, corrects=corrects, **values,
        )  # fmt: skip
        detail = "vitals " + ", ".join(f"{k} {v}" for k, v in values.items() if v is not None)
        if moaas is not None:
            detail += f", MOAA/S {moaas}"
        if cadss is not None:
            detail += f", CADSS {cadss.total.normalize():f}"
        if time_point:
            detail += f" ({time_point})"
        if alerts:
            detail += "; ALERT " + ", ".join(alerts)
            alert = VitalsAlert.objects.create(
                session=session, vitals=row, codes=alerts, raised_at=now
            )
            notifications.alert_prescribers(session=session, alert=alert)
        if corrects is not None:
            detail += f"; corrects #{corrects.pk}"
        record(actor=actor, action="create", obj=row, patient=session.patient, request=request,
               detail=detail[:500])  # fmt: skip
    return row


def acknowledge_alert(
    *, actor: User, alert: VitalsAlert, response: str, request: Any = None
) -> VitalsAlert:
    _require_patient(actor, PRESCRIBERS, alert.session.patient)
    response = _text(response, "response", "what you did or decided")
    with transaction.atomic():
        alert = VitalsAlert.objects.select_for_update().get(pk=alert.pk)
        if alert.acknowledged_at is not None:
            raise TreatmentError("This alert has already been acknowledged.", field="response")
        alert.acknowledged_at = timezone.now()
        alert.acknowledged_by = actor
        alert.response = response[:2000]
        alert.save(update_fields=["acknowledged_at", "acknowledged_by", "response"])
        record(actor=actor, action="update", obj=alert, patient=alert.session.patient,
               request=request, detail=f"alert acknowledged: {response}"[:500])  # fmt: skip
    return alert


# --- Dose planning and administration ------------------------------------------------------


def default_dose_mg(session: TreatmentSession) -> Decimal | None:
    """The dose to propose: the last dose given on this order (the titration continues from
    it), else the order's starting dose in mg."""
    last = (
        TreatmentSession.objects.filter(order=session.order, administered_dose_mg__isnull=False)
        .exclude(pk=session.pk)
        .order_by("-dose_started_at")
        .values_list("administered_dose_mg", flat=True)
        .first()
    )
    if last is not None:
        return last
    mg = _dose_in_mg(
        session.order.starting_dose,
        per_kg=session.protocol.per_kg,
        weight_kg=selectors.latest_weight(session.patient),
    )
    return None if mg is None else Decimal(repr(mg))


def plan_session_dose(
    *,
    actor: User,
    session: TreatmentSession,
    dose_mg: Decimal | None = None,
    override_reason: str = "",
    request: Any = None,
) -> DosePlan:
    """Ask `plan_dose` about the dose now, with the last pre-dose vitals, the patient's weight
    and their earlier administrations on this protocol. A prescriber may give an override
    reason; only what the reference lets them override is cleared."""
    override_reason = (override_reason or "").strip()
    _require_patient(actor, PRESCRIBERS if override_reason else CLINICAL, session.patient)
    if session.status != SessionStatus.IN_PROGRESS:
        raise TreatmentError("Check the patient in before planning the dose.", field=None)
    if session.dose_started_at is not None:
        raise TreatmentError("The dose has already been given.", field=None)
    if dose_mg is not None:
        dose_mg = _decimal(dose_mg, "dose_mg", "the dose in mg")
    else:
        dose_mg = default_dose_mg(session)
    vitals = selectors.pre_dose_vitals(session)
    weight = selectors.latest_weight(session.patient)
    zone = clinic_zone(session.patient.clinic.timezone)
    now = timezone.localtime(timezone.now(), zone)
    first = (
        TreatmentSession.objects.filter(order=session.order, dose_started_at__isnull=False)
        .order_by("dose_started_at")
        .values_list("dose_started_at", flat=True)
        .first()
    )
    phase_start = timezone.localtime(first, zone).date() if first else None
    try:
        decision = plan_dose(
            session.protocol.as_protocol(),
            weight_kg=float(weight) if weight is not None else None,
            dose_mg=float(dose_mg) if dose_mg is not None else None,
            vitals=vitals.readings if vitals is not None else None,
            history=_history(session.patient, session.protocol.code, exclude=session.pk),
            at=now,
            phase_start=phase_start if phase_start and phase_start <= now.date() else None,
            override_reason=override_reason or None,
        )
    except DosingError as exc:
        raise TreatmentError(str(exc), field="dose_mg") from None
    with transaction.atomic():
        plan = DosePlan.objects.create(
            session=session, vitals=vitals, weight_kg=weight, proposed_dose_mg=dose_mg,
            allowed=decision.allowed,
            dose_mg=_dec(decision.dose_mg), infusion_rate_mg_per_min=_dec(
                decision.infusion_rate_mg_per_min, "0.01"),
            reasons=list(decision.reasons), warnings=list(decision.warnings),
            overridden=list(decision.overridden), decision=decision.as_dict(),
            override_reason=override_reason if decision.overridden else "",
            planned_by=actor, planned_at=timezone.now(),
        )  # fmt: skip
        outcome = "allowed" if decision.allowed else "blocked: " + ", ".join(decision.reasons)
        detail = f"dose plan {decision.dose_mg} mg {outcome}"
        if decision.warnings:
            detail += "; warnings " + ", ".join(decision.warnings)
        if decision.overridden:
            detail += f"; override of {', '.join(decision.overridden)}: {override_reason}"
        record(actor=actor, action="create", obj=plan, patient=session.patient,
               request=request, detail=detail[:500])  # fmt: skip
    return plan


def _dec(value: float | None, places: str = "0.1") -> Decimal | None:
    if value is None:
        return None
    return Decimal(repr(value)).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def start_administration(
    *, actor: User, session: TreatmentSession, request: Any = None
) -> TreatmentSession:
    """Start the dose, on the latest plan: refused unless that plan allows it and was made on
    the latest pre-dose vitals."""
    _require_patient(actor, CLINICAL, session.patient)
    with transaction.atomic():
        session = _locked(session)
        if session.status != SessionStatus.IN_PROGRESS:
            raise TreatmentError("Check the patient in first.", field=None)
        if session.dose_started_at is not None:
            raise TreatmentError("The dose has already started.", field=None)
        plan = session.plans.order_by("-planned_at", "-id").first()
        if plan is None:
            raise TreatmentError("Plan the dose first.", field=None)
        if not plan.allowed:
            raise TreatmentError(
                "The dose is blocked: "
                + " ".join(REASON_TEXT.get(r, r) for r in plan.reasons)
                + " It cannot be administered.",
                field=None,
                codes=plan.reasons,
            )
        vitals = selectors.pre_dose_vitals(session)
        if vitals is not None and (plan.vitals_id != vitals.pk):
            raise TreatmentError(
                "New vitals were recorded after the dose was planned: plan the dose again.",
                field=None,
            )
        now = timezone.now()
        session.dose_plan = plan
        session.dose_started_at = now
        session.administered_by = actor
        session.administration_route = session.protocol.route
        session.save(
            update_fields=[
                "dose_plan",
                "dose_started_at",
                "administered_by",
                "administration_route",
            ]
        )
        record(actor=actor, action="update", obj=session, patient=session.patient,
               request=request, detail=f"dose started ({plan.dose_mg} mg planned, "
                                       f"plan #{plan.pk})")  # fmt: skip
    return session


def end_administration(
    *,
    actor: User,
    session: TreatmentSession,
    dose_mg: Any,
    lot: Any = None,
    location: Any = None,
    lot_number: str = "",
    request: Any = None,
) -> TreatmentSession:
    """End the dose with what was actually given (at most the planned dose). When the clinic
    keeps its stock in the ledger, the dose is drawn from a lot there in the same
    transaction; otherwise the lot number is written down."""
    from ketacare.ledger.models import Lot
    from ketacare.ledger.services import LedgerRefusal, record_administration

    _require_patient(actor, CLINICAL, session.patient)
    dose = _decimal(dose_mg, "dose_mg", "the dose given in mg").quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )
    uses_ledger = Lot.objects.filter(clinic_id=actor.clinic_id).exists()
    if uses_ledger:
        if lot is None:
            raise TreatmentError("Choose the lot the dose was drawn from.", field="lot")
        if location is None:
            raise TreatmentError("Choose where the dose was drawn from.", field="location")
        if lot.clinic_id != actor.clinic_id or location.clinic_id != actor.clinic_id:
            raise Http404("Not found.")
    else:
        lot_number = _text(lot_number, "lot_number", "the lot number", max_length=40)
    try:
        with transaction.atomic():
            session = _locked(session)
            if session.dose_started_at is None:
                raise TreatmentError("Start the dose first.", field=None)
            if session.dose_ended_at is not None:
                raise TreatmentError("The dose has already ended.", field=None)
            plan = session.dose_plan
            if plan is not None and plan.dose_mg is not None and dose > plan.dose_mg:
                raise TreatmentError(
                    f"{dose.normalize():f} mg is more than the planned {plan.dose_mg.normalize():f}"
                    " mg: a larger dose needs a new plan.",
                    field="dose_mg",
                )
            entry = None
            if uses_ledger:
                forms = ROUTE_PRODUCT_FORMS.get(session.protocol.route, set())
                if lot.product.form not in forms:
                    raise TreatmentError(
                        f"{lot.product.name} is not used for the {session.protocol.route} route.",
                        field="lot",
                    )
                quantity = (dose / lot.product.mg_per_unit).quantize(Decimal("0.001"))
                entry = record_administration(
                    actor=actor, lot=lot, location=location, patient=session.patient,
                    quantity=quantity, treatment_session_id=session.pk,
                    note=f"treatment session #{session.pk}", request=request,
                )  # fmt: skip
                lot_number = lot.lot_number
            session.dose_ended_at = timezone.now()
            session.administered_dose_mg = dose
            session.lot = lot if uses_ledger else None
            session.lot_number = lot_number
            session.ledger_entry = entry
            session.save(
                update_fields=[
                    "dose_ended_at", "administered_dose_mg", "lot", "lot_number", "ledger_entry",
                ]
            )  # fmt: skip
            record(actor=actor, action="update", obj=session, patient=session.patient,
                   request=request, detail=f"dose ended: {dose.normalize():f} mg given, "
                                           f"lot {lot_number}")  # fmt: skip
    except LedgerRefusal as refusal:
        field = {"quantity": "dose_mg"}.get(refusal.field or "", refusal.field)
        raise TreatmentError(refusal.message, field=field, codes=[refusal.code]) from None
    return session


# --- Events and notes -------------------------------------------------------------------------


def record_event(
    *,
    actor: User,
    session: TreatmentSession,
    category: str,
    kind: str,
    severity: str,
    serious: bool = False,
    description: str = "",
    actions_taken: str = "",
    onset_at: dt.datetime | None = None,
    request: Any = None,
) -> SessionEvent:
    """A side effect or an adverse event (serious ones are adverse events, and alert the
    prescribers)."""
    _require_patient(actor, CLINICAL, session.patient)
    errors: dict[str | None, list[str]] = {}
    if category not in EventCategory.values:
        errors.setdefault("category", []).append("Choose a side effect or an adverse event.")
    if kind not in EventKind.values:
        errors.setdefault("kind", []).append("Choose what happened.")
    if severity not in Severity.values:
        errors.setdefault("severity", []).append("Choose the severity.")
    if serious and category != EventCategory.ADVERSE_EVENT:
        errors.setdefault("serious", []).append("A serious event is an adverse event.")
    description = " ".join((description or "").split())[:500]
    if kind == EventKind.OTHER and not description:
        errors.setdefault("description", []).append("Describe what happened.")
    now = timezone.now()
    onset_at = onset_at or now
    if onset_at > now + dt.timedelta(minutes=2):
        errors.setdefault("onset_at", []).append("The onset cannot be in the future.")
    if session.checked_in_at is None:
        errors.setdefault(None, []).append("Events are recorded once the patient is checked in.")
    if errors:
        raise TreatmentError.many(errors)
    with transaction.atomic():
        event = SessionEvent.objects.create(
            session=session, category=category, kind=kind, description=description,
            severity=severity, serious=bool(serious), onset_at=onset_at,
            actions_taken=(actions_taken or "").strip()[:5000], recorded_by=actor,
            recorded_at=now,
        )  # fmt: skip
        if serious:
            notifications.serious_event_to_prescribers(session=session, event=event)
        record(actor=actor, action="create", obj=event, patient=session.patient,
               request=request, detail=f"{category} {kind} ({severity})"
                                       + (" SERIOUS" if serious else ""))  # fmt: skip
    return event


def add_note(
    *, actor: User, session: TreatmentSession, body: str, request: Any = None
) -> SessionNote:
    _require_patient(actor, CLINICAL, session.patient)
    body = (body or "").strip()
    if not body:
        raise TreatmentError("Write the note.", field="body")
    with transaction.atomic():
        note = SessionNote.objects.create(
            session=session, body=body[:10000], author=actor, written_at=timezone.now()
        )
        record(actor=actor, action="create", obj=note, patient=session.patient,
               request=request, detail="session note")  # fmt: skip
    return note


# --- Discharge and the REMS form -----------------------------------------------------------


def discharge(
    *,
    actor: User,
    session: TreatmentSession,
    steady_on_feet: bool,
    escort_present: bool,
    ready_to_leave_minutes: int | None = None,
    note: str = "",
    request: Any = None,
) -> TreatmentSession:
    """Discharge the patient: refused, with every criterion not met, until the observation
    time has passed, the last BP is below the hold threshold, the last MOAA/S is 5, every
    REMS time point is recorded, and a clinician attests they are steady and escorted."""
    from ketacare.clinical.dosing import DISCHARGE_TEXT
    from ketacare.clinical.monitoring_schedule import MONITORING_DISCHARGE_TEXT

    _require_patient(actor, CLINICAL, session.patient)
    if ready_to_leave_minutes is not None and not 0 <= int(ready_to_leave_minutes) <= 24 * 60:
        raise TreatmentError("Give minutes from the start of the dose.", field="ready_to_leave")
    with transaction.atomic():
        session = _locked(session)
        if session.status != SessionStatus.IN_PROGRESS:
            raise TreatmentError("This session is not in progress.", field=None)
        if session.dose_ended_at is None:
            raise TreatmentError(
                "The dose has not been given (or has not ended). A session without a dose ends "
                "with “End without a dose”.",
                field=None,
            )
        now = timezone.now()
        vitals = selectors.effective_vitals(session.vitals.all())
        missing = selectors.discharge_missing(
            session, vitals, now, steady_on_feet=steady_on_feet, escort_present=escort_present
        )
        if missing:
            texts = {**DISCHARGE_TEXT, **MONITORING_DISCHARGE_TEXT}
            raise TreatmentError.many(
                {None: ["Discharge refused: these criteria are not met."]
                 + [texts[code] for code in missing]},
                codes=missing,
            )  # fmt: skip
        session.status = SessionStatus.COMPLETED
        session.discharged_at = now
        session.discharged_by = actor
        session.steady_on_feet = True
        session.escort_present = bool(escort_present)
        session.ready_to_leave_minutes = ready_to_leave_minutes
        session.discharge_note = (note or "").strip()[:5000]
        session.save()
        record(actor=actor, action="update", obj=session, patient=session.patient,
               request=request, detail="discharged")  # fmt: skip
    return session


def mark_rems_submitted(
    *, actor: User, session: TreatmentSession, confirmation: str = "", request: Any = None
) -> TreatmentSession:
    """Record that the esketamine REMS patient monitoring form was submitted."""
    _require_patient(actor, STAFF, session.patient)
    with transaction.atomic():
        session = _locked(session)
        if session.protocol.route != NASAL_ROUTE:
            raise TreatmentError("Only esketamine sessions have a REMS form.", field=None)
        if session.status != SessionStatus.COMPLETED or session.dose_started_at is None:
            raise TreatmentError("The form is submitted after the session.", field=None)
        if session.rems_submitted_at is not None:
            raise TreatmentError("The form is already recorded as submitted.", field=None)
        session.rems_submitted_at = timezone.now()
        session.rems_submitted_by = actor
        session.rems_confirmation = " ".join((confirmation or "").split())[:60]
        session.save(update_fields=["rems_submitted_at", "rems_submitted_by", "rems_confirmation"])
        record(actor=actor, action="update", obj=session, patient=session.patient,
               request=request, detail="REMS monitoring form submitted")  # fmt: skip
    return session


# --- Clinic settings and chairs ------------------------------------------------------------

SETTINGS_FIELDS = (
    "setting_name", "address_line1", "address_line2", "city", "state", "zip_code", "phone",
    "email", "rems_setting_id", "preparation_note",
)  # fmt: skip


def update_treatment_settings(
    *, actor: User, request: Any = None, **fields: Any
) -> TreatmentSettings:
    _require(actor, ADMINS)
    unknown = set(fields) - set(SETTINGS_FIELDS)
    if unknown:
        raise TypeError(f"unknown settings: {sorted(unknown)}")
    with transaction.atomic():
        found, _ = TreatmentSettings.objects.select_for_update().get_or_create(
            clinic_id=actor.clinic_id
        )
        changed = [name for name, value in fields.items() if getattr(found, name) != value]
        for name in changed:
            setattr(found, name, fields[name])
        found.updated_by = actor
        found.save()
        record(actor=actor, action="update", obj=found, request=request,
               detail="changed: " + (", ".join(changed) or "nothing"))  # fmt: skip
    return found


def add_chair(*, actor: User, room: str, name: str, request: Any = None) -> Chair:
    _require(actor, ADMINS)
    room = _text(room, "room", "the room", max_length=80)
    name = _text(name, "name", "the chair's name", max_length=80)
    try:
        with transaction.atomic():
            chair = Chair.objects.create(clinic_id=actor.clinic_id, room=room, name=name)
            record(actor=actor, action="create", obj=chair, request=request,
                   detail=f"chair {chair}")  # fmt: skip
    except IntegrityError:
        raise TreatmentError(f"{room} already has a chair named {name}.", field="name") from None
    return chair


def set_chair_active(*, actor: User, chair: Chair, active: bool, request: Any = None) -> Chair:
    _require(actor, ADMINS, chair.clinic_id)
    with transaction.atomic():
        chair.active = bool(active)
        chair.save(update_fields=["active"])
        record(actor=actor, action="update", obj=chair, request=request,
               detail=f"chair {chair} {'in use' if active else 'retired'}")  # fmt: skip
    return chair


# --- The patient's calendar feed -----------------------------------------------------------


def hash_feed_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def create_calendar_feed(*, actor: User, patient: Patient, request: Any = None) -> str:
    """A new private feed link for the patient's own calendar (the old one stops working).
    Returns the token, which is shown once."""
    if not has_role(actor, Role.PATIENT) or patient.user_id != actor.pk:
        raise Http404("Not found.")
    raw = secrets.token_urlsafe(32)
    with transaction.atomic():
        CalendarFeed.objects.filter(patient=patient).delete()
        feed = CalendarFeed.objects.create(
            patient=patient, token_hash=hash_feed_token(raw), created_at=timezone.now()
        )
        record(actor=actor, action="create", obj=feed, patient=patient, request=request,
               detail="calendar feed link created")  # fmt: skip
    return raw


# --- Reminders -------------------------------------------------------------------------------


# Reminders go out from this hour of the day before (clinic time), not in the night.
REMINDER_HOUR = 9


def send_reminders(*, now: dt.datetime | None = None, earliest_hour: int = REMINDER_HOUR) -> int:
    """Email each patient booked for tomorrow (in their clinic's time zone) their session time
    and how to prepare, once, from `earliest_hour` on. Returns the number of reminders queued."""
    now = now or timezone.now()
    sent = 0
    window = TreatmentSession.objects.filter(
        status=SessionStatus.SCHEDULED,
        reminder_sent_at__isnull=True,
        scheduled_start__gt=now,
        scheduled_start__lt=now + dt.timedelta(hours=60),
    ).select_related("patient", "clinic", "protocol", "chair")
    for session in window:
        zone = clinic_zone(session.clinic.timezone)
        local_now = timezone.localtime(now, zone)
        tomorrow = local_now.date() + dt.timedelta(days=1)
        if local_now.hour < earliest_hour:
            continue
        if timezone.localtime(session.scheduled_start, zone).date() != tomorrow:
            continue
        with transaction.atomic():
            claimed = TreatmentSession.objects.filter(
                pk=session.pk, reminder_sent_at__isnull=True
            ).update(reminder_sent_at=now)
            if not claimed:
                continue
            if session.patient.email:
                notifications.session_reminder(session=session)
                sent += 1
            record(actor=None, action="update", obj=session, patient=session.patient,
                   clinic_id=session.clinic_id,
                   detail="reminder emailed" if session.patient.email
                   else "no reminder: the patient has no email address")  # fmt: skip
    return sent
