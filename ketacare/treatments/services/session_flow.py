"""The session at the chair, from check-in to discharge: the pre-dose checklist, the vitals
flowsheet (an out-of-range reading alerts the prescribers), side effects and adverse events,
notes, the discharge criteria and the esketamine REMS form. The dose itself is
`administration`'s. Every monitoring rule is `ketacare.clinical.monitoring_schedule`'s."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from django.db import transaction
from django.utils import timezone

from ketacare.accounts.models import User
from ketacare.audit.log import record
from ketacare.clinical.dosing import DosingError, vitals_alerts
from ketacare.clinical.monitoring_schedule import (
    CHECKLIST_TEXT,
    MOAAS_SCALE,
    PREGNANCY_NEGATIVE_TEST,
    TIME_POINTS,
    checklist_problems,
    time_point_problem,
)
from ketacare.clinical.vitals_ranges import PLAUSIBLE
from ketacare.core import policy
from ketacare.core.errors import NotFound, Refusal
from ketacare.protocols.selectors import current_version
from ketacare.screening.selectors import pregnancy_test_needed

from .. import notifications
from ..constants import NASAL_ROUTE
from ..models import (
    EventCategory,
    EventKind,
    OrderStatus,
    SessionEvent,
    SessionNote,
    SessionStatus,
    Severity,
    TreatmentSession,
    VitalsAlert,
    VitalSigns,
)
from ..selectors import discharge_missing, effective_vitals
from .common import locked, refusal_of, text

# --- Check-in ------------------------------------------------------------------------------

CHECKLIST_FIELDS = {
    "identity_confirmed": "identity_confirmed",
    "fasting_confirmed": "fasting_confirmed",
    "escort_arranged": "escort_arranged",
    "medications_reviewed": "medications_reviewed",
    "pregnancy_excluded": "pregnancy",
    "pregnancy_test_recorded": "pregnancy",
    "assessments_completed": "assessments_completed",
}
CONCOMITANT = (
    "takes_benzodiazepines", "takes_sedative_hypnotics", "takes_psychostimulants", "takes_maois",
    "takes_opioids",
)  # fmt: skip


def _pregnancy_test_required(session: TreatmentSession) -> bool:
    """Not sure whether pregnant at screening, and no negative test recorded at a check-in."""
    if not pregnancy_test_needed(session.patient):
        return False
    return not (
        TreatmentSession.objects.filter(patient=session.patient, pregnancy=PREGNANCY_NEGATIVE_TEST)
        .exclude(checked_in_at=None)
        .exists()
    )


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
) -> TreatmentSession:
    """Check the patient in with the pre-dose checklist complete. The session takes the
    current version of its protocol here, and keeps it from now on."""
    policy.require(actor, policy.CLINICAL_CARE, session.patient)
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
        pregnancy_test_required=_pregnancy_test_required(session),
    )
    errors: dict[str | None, list[str]] = {}
    for code in problems:
        errors.setdefault(CHECKLIST_FIELDS[code], []).append(CHECKLIST_TEXT[code])
    escort_name = " ".join((escort_name or "").split())[:200]
    if escort_arranged and not at_home and not escort_name:
        errors.setdefault("escort_name", []).append("Give the name of the escort.")
    if errors:
        raise refusal_of(errors, codes=problems)
    concomitant = dict(concomitant or {})
    unknown = set(concomitant) - set(CONCOMITANT)
    if unknown:
        raise TypeError(f"unknown concomitant medication fields: {sorted(unknown)}")
    with transaction.atomic():
        session = locked(session)
        if session.status != SessionStatus.SCHEDULED:
            raise Refusal("This session is not waiting for check-in.", field=None)
        if session.order.status != OrderStatus.ACTIVE:
            raise Refusal(
                f"The order is {session.order.get_status_display().lower()}: ask the "
                "prescriber before checking in.",
                field=None,
            )
        if protocol is None or not protocol.active:
            raise Refusal("The session's protocol is no longer in use.", field=None)
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
               detail=f"checked in; protocol {protocol.code} "
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
) -> VitalSigns:
    """One flowsheet row. Out-of-range readings (the clinical core's monitoring thresholds)
    raise an alert to the clinic's prescribers. A REMS time point needs BP, MOAA/S and CADSS.

    Only inserts: two staff recording at once each add their row, and neither is lost."""
    policy.require(actor, policy.CLINICAL_CARE, session.patient)
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
        raise NotFound("Not found.")
    if errors:
        raise refusal_of(errors)
    readings: dict[str, int] = {k: v for k, v in values.items() if v is not None}
    if moaas is not None:
        readings["moaas"] = moaas
    try:
        alerts = vitals_alerts(readings)
    except DosingError as exc:
        raise Refusal(str(exc), field=None) from None
    with transaction.atomic():
        cadss = None
        if answers is not None:
            from ketacare.clinical.instruments import InvalidAnswers
            from ketacare.screening.services import AssessmentContext, record_assessment

            try:
                cadss, _task = record_assessment(
                    actor=actor, patient=session.patient, instrument="cadss", answers=answers,
                    context=AssessmentContext.REASSESSMENT,
                )  # fmt: skip
            except InvalidAnswers as exc:
                raise Refusal(str(exc), field="cadss") from None
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
        record(actor=actor, action="create", obj=row, patient=session.patient,
               detail=detail[:500])  # fmt: skip
    return row


def acknowledge_alert(*, actor: User, alert: VitalsAlert, response: str) -> VitalsAlert:
    policy.require(actor, policy.PRESCRIBE, alert.session.patient)
    response = text(response, "response", "what you did or decided")
    with transaction.atomic():
        alert = VitalsAlert.objects.select_for_update().get(pk=alert.pk)
        if alert.acknowledged_at is not None:
            raise Refusal("This alert has already been acknowledged.", field="response")
        alert.acknowledged_at = timezone.now()
        alert.acknowledged_by = actor
        alert.response = response[:2000]
        alert.save(update_fields=["acknowledged_at", "acknowledged_by", "response"])
        record(actor=actor, action="update", obj=alert, patient=alert.session.patient,
               detail=f"alert acknowledged: {response}"[:500])  # fmt: skip
    return alert


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
) -> SessionEvent:
    """A side effect or an adverse event (serious ones are adverse events, and alert the
    prescribers)."""
    policy.require(actor, policy.CLINICAL_CARE, session.patient)
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
        raise refusal_of(errors)
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
               detail=f"{category} {kind} ({severity})"
                                       + (" SERIOUS" if serious else ""))  # fmt: skip
    return event


def add_note(*, actor: User, session: TreatmentSession, body: str) -> SessionNote:
    policy.require(actor, policy.CLINICAL_CARE, session.patient)
    body = (body or "").strip()
    if not body:
        raise Refusal("Write the note.", field="body")
    with transaction.atomic():
        note = SessionNote.objects.create(
            session=session, body=body[:10000], author=actor, written_at=timezone.now()
        )
        record(actor=actor, action="create", obj=note, patient=session.patient,
               detail="session note")  # fmt: skip
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
) -> TreatmentSession:
    """Discharge the patient: refused, with every criterion not met, until the observation
    time has passed, the last BP is below the hold threshold, the last MOAA/S is 5, every
    REMS time point is recorded, and a clinician attests they are steady and escorted."""
    from ketacare.clinical.dosing import DISCHARGE_TEXT
    from ketacare.clinical.monitoring_schedule import MONITORING_DISCHARGE_TEXT

    policy.require(actor, policy.CLINICAL_CARE, session.patient)
    if ready_to_leave_minutes is not None and not 0 <= int(ready_to_leave_minutes) <= 24 * 60:
        raise Refusal("Give minutes from the start of the dose.", field="ready_to_leave")
    with transaction.atomic():
        session = locked(session)
        if session.status != SessionStatus.IN_PROGRESS:
            raise Refusal("This session is not in progress.", field=None)
        if session.dose_ended_at is None:
            raise Refusal(
                "The dose has not been given (or has not ended). A session without a dose ends "
                "with “End without a dose”.",
                field=None,
            )
        now = timezone.now()
        vitals = effective_vitals(session.vitals.all())
        missing = discharge_missing(
            session, vitals, now, steady_on_feet=steady_on_feet, escort_present=escort_present
        )
        if missing:
            texts = {**DISCHARGE_TEXT, **MONITORING_DISCHARGE_TEXT}
            raise refusal_of(
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
               detail="discharged")  # fmt: skip
    return session


def mark_rems_submitted(
    *, actor: User, session: TreatmentSession, confirmation: str = ""
) -> TreatmentSession:
    """Record that the esketamine REMS patient monitoring form was submitted."""
    policy.require(actor, policy.BOOK_SESSION, session.patient)
    with transaction.atomic():
        session = locked(session)
        if session.protocol.route != NASAL_ROUTE:
            raise Refusal("Only esketamine sessions have a REMS form.", field=None)
        if session.status != SessionStatus.COMPLETED or session.dose_started_at is None:
            raise Refusal("The form is submitted after the session.", field=None)
        if session.rems_submitted_at is not None:
            raise Refusal("The form is already recorded as submitted.", field=None)
        session.rems_submitted_at = timezone.now()
        session.rems_submitted_by = actor
        session.rems_confirmation = " ".join((confirmation or "").split())[:60]
        session.save(update_fields=["rems_submitted_at", "rems_submitted_by", "rems_confirmation"])
        record(actor=actor, action="update", obj=session, patient=session.patient,
               detail="REMS monitoring form submitted")  # fmt: skip
    return session
