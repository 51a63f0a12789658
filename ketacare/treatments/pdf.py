"""The printable session record (fpdf2, as the ledger's reports): every field of the SPRAVATO
REMS patient monitoring form first, then the full record of the session (checklist, dose
plans, flowsheet, events, notes, discharge)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from fpdf import FPDF
from fpdf.fonts import FontFace

from ketacare.clinical.dosing import (
    BP_HOLD,
    HEART_RATE_HOLD,
    REASON_TEXT,
    SPO2_HOLD,
    SPO2_LOW,
    VITALS_MISSING,
    WARNING_TEXT,
)
from ketacare.clinical.monitoring_schedule import (
    DISCHARGE_VITALS_TEXT,
    MOAAS_SCALE,
    PREGNANCY_ANSWERS,
    TIME_POINT_TEXT,
    TIME_POINTS,
    discharge_vitals_problems,
    experienced_dissociation,
    is_sedated,
    rems_form_status,
)
from ketacare.core.pdf import FONT, KetaCarePDF

from .models import EventKind

_PRE_DOSE_VITAL_REASONS = {VITALS_MISSING, BP_HOLD, HEART_RATE_HOLD, SPO2_HOLD}


def _yes_no(value: bool | None) -> str:
    return "-" if value is None else ("Yes" if value else "No")


def _when(value: dt.datetime | None, fmt: str = "%m/%d/%Y %H:%M") -> str:
    return timezone.localtime(value).strftime(fmt) if value else "-"


def _bp(row: Any) -> str:
    return f"{row.systolic}/{row.diastolic} mmHg" if row is not None and row.has_bp else "-"


def _section(pdf: FPDF, title: str) -> None:
    pdf.ln(2)
    pdf.set_font(FONT, style="B", size=11)
    pdf.multi_cell(0, 7, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=9)


def _pairs(pdf: FPDF, pairs: list[tuple[str, Any]]) -> None:
    with pdf.table(
        col_widths=(60, 130), text_align="LEFT", first_row_as_headings=False, line_height=5
    ) as table:
        for label, value in pairs:
            row = table.row()
            row.cell(label)
            row.cell(str(value if value not in (None, "") else "-"))


def _table(pdf: FPDF, columns: list[str], rows: list[list[Any]], empty: str) -> None:
    if not rows:
        pdf.multi_cell(0, 5, empty, new_x="LMARGIN", new_y="NEXT")
        return
    heading = FontFace(emphasis="BOLD", fill_color=(225, 230, 238))
    pdf.set_font(FONT, size=8)
    with pdf.table(
        headings_style=heading, text_align="LEFT", line_height=4.5, repeat_headings=1
    ) as table:
        header = table.row()
        for column in columns:
            header.cell(column)
        for values in rows:
            row = table.row()
            for value in values:
                row.cell(str(value if value not in (None, "") else "-"))
    pdf.set_font(FONT, size=9)


def _vitals_at_completion(session: Any, vitals: list[Any]) -> str:
    """The REMS form's "vital signs in acceptable range prior to treatment session
    completion": the last reading of each vital between the dose and the discharge, against
    the discharge criteria ("-" before the patient is discharged)."""
    if session.discharged_at is None:
        return "-"
    last: dict[str, Any] = {}
    for row in vitals:
        if session.dose_started_at and row.taken_at < session.dose_started_at:
            continue
        if row.taken_at > session.discharged_at:
            continue
        if row.has_bp:
            last["systolic"], last["diastolic"] = row.systolic, row.diastolic
        for name in ("heart_rate", "spo2", "respiratory_rate", "moaas"):
            if getattr(row, name) is not None:
                last[name] = getattr(row, name)
    problems = discharge_vitals_problems(
        systolic=last.get("systolic"),
        diastolic=last.get("diastolic"),
        heart_rate=last.get("heart_rate"),
        spo2=last.get("spo2"),
        respiratory_rate=last.get("respiratory_rate"),
        moaas=last.get("moaas"),
    )
    if not problems:
        return "Yes"
    return "No: " + "; ".join(DISCHARGE_VITALS_TEXT[code] for code in problems)


def rems_fields(
    context: dict[str, Any], *, clinic: Any, settings: Any
) -> list[tuple[str, list[tuple[str, Any]]]]:
    """The SPRAVATO REMS patient monitoring form, field by field, from the session record."""
    session = context["session"]
    patient = session.patient
    vitals = context["vitals"]
    events = context["events"]
    order = session.order
    plan = session.dose_plan
    by_point = {code: None for code in TIME_POINTS}
    for row in vitals:
        if row.time_point:
            if row.time_point == "post_dose" and by_point["post_dose"] is not None:
                continue  # the first ~40-minute reading is the time point
            by_point[row.time_point] = row
    after_dose = [
        r for r in vitals if session.dose_started_at and r.taken_at >= session.dose_started_at
    ]
    sedation = any(is_sedated(r.moaas) for r in after_dose) or any(
        e.kind == EventKind.SEDATION for e in events
    )
    cadss_totals = [r.cadss.total for r in vitals if r.time_point and r.cadss is not None]
    dissociation = experienced_dissociation(
        cadss_totals, event_logged=any(e.kind == EventKind.DISSOCIATION for e in events)
    )
    respiratory = any(e.kind == EventKind.RESPIRATORY_DEPRESSION for e in events) or any(
        SPO2_LOW in r.alerts for r in after_dose
    )
    total_minutes = (
        int((session.discharged_at - session.dose_started_at).total_seconds() // 60)
        if session.discharged_at and session.dose_started_at
        else None
    )
    dose = session.administered_dose_mg
    dose_text = "-"
    if dose is not None:
        value = f"{dose.normalize():f} mg"
        dose_text = value if value in ("56 mg", "84 mg") else f"Other: {value}"
    s = settings
    first_name, _, rest = patient.first_name.partition(" ")
    return [
        (
            "Patient information",
            [
                ("First name", first_name),
                ("MI", rest[:1]),
                ("Last name", patient.last_name),
                ("Birthdate (MM/DD/YYYY)", patient.date_of_birth.strftime("%m/%d/%Y")),
                ("Sex", patient.get_sex_display()),
                ("First treatment session", _yes_no(session.first_treatment)),
                ("Enrolled in the REMS (patient ID)", order.rems_patient_id or "-"),
            ],
        ),
        (
            "Concomitant medication (may cause sedation or blood pressure changes)",
            [
                ("Benzodiazepines", _yes_no(session.takes_benzodiazepines)),
                (
                    "Non-benzodiazepine sedative hypnotics",
                    _yes_no(session.takes_sedative_hypnotics),
                ),
                ("Psychostimulants", _yes_no(session.takes_psychostimulants)),
                ("Monoamine oxidase inhibitors (MAOIs)", _yes_no(session.takes_maois)),
                ("Opioids", _yes_no(session.takes_opioids)),
            ],
        ),
        (
            "Healthcare provider conducting patient monitoring",
            [
                ("Name", session.clinician.full_name),
                ("Telephone", getattr(s, "phone", "") or "-"),
                ("Email", session.clinician.email),
            ],
        ),
        (
            "Healthcare setting information",
            [
                ("Healthcare setting name", (getattr(s, "setting_name", "") or clinic.name)),
                ("Address 1", getattr(s, "address_line1", "")),
                ("Address 2", getattr(s, "address_line2", "")),
                ("City", getattr(s, "city", "")),
                ("State", getattr(s, "state", "")),
                ("ZIP", getattr(s, "zip_code", "")),
                ("REMS healthcare setting ID", getattr(s, "rems_setting_id", "")),
            ],
        ),
        (
            "Patient treatment session information (administration and monitoring)",
            [
                (
                    "Treatment date (MM/DD/YYYY)",
                    _when(session.dose_started_at or session.scheduled_start, "%m/%d/%Y"),
                ),
                ("Dose administered", dose_text),
                ("Lot number", session.lot_number),
                (
                    "Treatment duration (minutes, first device to end of monitoring)",
                    total_minutes if total_minutes is not None else "-",
                ),
                (
                    "REMS evaluation: ready to leave without the 2-hour minimum "
                    "(minutes from start)",
                    session.ready_to_leave_minutes
                    if session.ready_to_leave_minutes is not None
                    else "-",
                ),
            ],
        ),
        (
            "Monitoring of vital signs",
            [
                (
                    "Vital signs in acceptable range prior to administration",
                    _yes_no(
                        None if plan is None else not (set(plan.reasons) & _PRE_DOSE_VITAL_REASONS)
                    ),
                ),
                (
                    "Vital signs in acceptable range prior to treatment session completion",
                    _vitals_at_completion(session, vitals),
                ),
                ("BP prior to administration", _bp(by_point["pre_dose"])),
                ("BP about 40 minutes post-administration", _bp(by_point["post_dose"])),
                ("BP prior to treatment session completion", _bp(by_point["pre_discharge"])),
            ],
        ),
        (
            "Sedation, dissociation and respiratory depression",
            [
                (
                    "Did the patient experience sedation?",
                    _yes_no(sedation if after_dose or events else None),
                ),
                *[
                    (
                        f"MOAA/S – {TIME_POINT_TEXT[code].lower()}",
                        MOAAS_SCALE.get(row.moaas, "-")
                        if row is not None and row.moaas is not None
                        else "-",
                    )
                    for code, row in by_point.items()
                ],
                (
                    "Did the patient experience dissociation?",
                    _yes_no(dissociation if events or after_dose or cadss_totals else None),
                ),
                *[
                    (
                        f"CADSS total – {TIME_POINT_TEXT[code].lower()}",
                        f"{row.cadss.total.normalize():f} / 92"
                        if row is not None and row.cadss
                        else "-",
                    )
                    for code, row in by_point.items()
                ],
                (
                    "Did the patient experience respiratory depression?",
                    _yes_no(respiratory if after_dose or events else None),
                ),
                (
                    "Serious adverse events",
                    "; ".join(
                        f"{e.get_kind_display()} ({e.get_severity_display()})"
                        for e in events
                        if e.serious
                    )
                    or "None",
                ),
            ],
        ),
    ]


def session_record(context: dict[str, Any], *, clinic: Any, settings: Any) -> bytes:
    session = context["session"]
    patient = session.patient
    pdf = KetaCarePDF(
        orientation="P", unit="mm", format="Letter", title=f"Session record #{session.pk}"
    )
    pdf.footer_text = f"{clinic.name} - session #{session.pk} - {patient.full_name} - confidential"
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_margins(12, 12, 12)
    pdf.add_page()
    pdf.set_font(FONT, style="B", size=15)
    pdf.multi_cell(
        0, 8, f"Treatment session record - {patient.full_name}", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.set_font(FONT, size=9)
    pdf.multi_cell(
        0,
        5,
        f"{session.protocol.title} (protocol {session.protocol.code} "
        f"v{session.protocol.version})"
        f" - {session.chair} - scheduled {_when(session.scheduled_start)}",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    if session.protocol.route == "nasal":
        status = rems_form_status(
            session_day=timezone.localtime(
                session.dose_started_at or session.scheduled_start
            ).date(),
            submitted_on=timezone.localtime(session.rems_submitted_at).date()
            if session.rems_submitted_at
            else None,
            today=timezone.localdate(),
        )
        submitted = (
            f"submitted {_when(session.rems_submitted_at)}"
            + (f", confirmation {session.rems_confirmation}" if session.rems_confirmation else "")
            if session.rems_submitted_at
            else f"not yet submitted - due by {status.due_on:%m/%d/%Y}"
        )
        pdf.multi_cell(
            0,
            5,
            f"SPRAVATO REMS patient monitoring form: {submitted}.",
            new_x="LMARGIN",
            new_y="NEXT",
        )
    for title, pairs in rems_fields(context, clinic=clinic, settings=settings):
        _section(pdf, title)
        _pairs(pdf, pairs)

    _section(pdf, "Check-in and pre-dose checklist")
    _pairs(
        pdf,
        [
            (
                "Checked in",
                f"{_when(session.checked_in_at)} by "
                f"{getattr(session.checked_in_by, 'full_name', '-')}"
                if session.checked_in_at
                else "-",
            ),
            (
                "Identity confirmed",
                _yes_no(session.identity_confirmed if session.checked_in_at else None),
            ),
            (
                "Fasting confirmed",
                _yes_no(session.fasting_confirmed if session.checked_in_at else None),
            ),
            ("Escort", f"{session.escort_name} {session.escort_phone}".strip() or "-"),
            ("Medication changes", session.medication_changes or "None reported"),
            ("Pregnancy", PREGNANCY_ANSWERS.get(session.pregnancy, "-")),
            (
                "Due assessments completed",
                _yes_no(session.assessments_completed if session.checked_in_at else None),
            ),
        ],
    )

    _section(pdf, "Dose plans (plan_dose decisions)")
    _table(
        pdf,
        [
            "Time",
            "By",
            "Dose (mg)",
            "Rate (mg/min)",
            "Decision",
            "Reasons and warnings",
            "Override",
        ],
        [
            [
                _when(p.planned_at, "%H:%M"),
                p.planned_by.full_name,
                p.dose_mg.normalize() if p.dose_mg is not None else "-",
                p.infusion_rate_mg_per_min or "-",
                "Allowed" if p.allowed else "BLOCKED",
                " ".join(
                    [REASON_TEXT.get(r, r) for r in p.reasons]
                    + [WARNING_TEXT.get(w, w) for w in p.warnings]
                ),
                f"{', '.join(p.overridden)}: {p.override_reason}" if p.overridden else "",
            ]
            for p in context["plans"]
        ],
        "No dose was planned.",
    )

    _section(pdf, "Administration")
    _pairs(
        pdf,
        [
            ("Route", session.administration_route or session.protocol.route),
            ("Started", _when(session.dose_started_at)),
            ("Ended", _when(session.dose_ended_at)),
            (
                "Dose given",
                f"{session.administered_dose_mg.normalize():f} mg"
                if session.administered_dose_mg
                else "-",
            ),
            ("Lot", session.lot_number),
            ("Ledger entry", f"#{session.ledger_entry.seq}" if session.ledger_entry_id else "-"),
            ("Given by", getattr(session.administered_by, "full_name", "-")),
        ],
    )

    _section(pdf, "Vitals flowsheet")
    _table(
        pdf,
        ["Time", "BP", "HR", "SpO2", "RR", "MOAA/S", "CADSS", "Time point", "Alerts", "By"],
        [
            [
                _when(r.taken_at, "%H:%M"),
                _bp(r),
                r.heart_rate,
                r.spo2,
                r.respiratory_rate,
                r.moaas,
                f"{r.cadss.total.normalize():f}" if r.cadss else "",
                TIME_POINT_TEXT.get(r.time_point, ""),
                ", ".join(r.alerts),
                r.recorded_by.full_name,
            ]
            for r in context["vitals"]
        ],
        "No vitals recorded.",
    )

    _section(pdf, "Side effects and adverse events")
    _table(
        pdf,
        ["Onset", "Type", "What", "Severity", "Serious", "Actions taken", "By"],
        [
            [
                _when(e.onset_at, "%H:%M"),
                e.get_category_display(),
                e.get_kind_display() + (f": {e.description}" if e.description else ""),
                e.get_severity_display(),
                "Yes" if e.serious else "No",
                e.actions_taken,
                e.recorded_by.full_name,
            ]
            for e in context["events"]
        ],
        "None recorded.",
    )

    _section(pdf, "Alerts")
    _table(
        pdf,
        ["Raised", "Codes", "Acknowledged", "Response"],
        [
            [
                _when(a.raised_at, "%H:%M"),
                ", ".join(a.codes),
                f"{_when(a.acknowledged_at, '%H:%M')} {getattr(a.acknowledged_by, 'full_name', '')}"
                if a.acknowledged_at
                else "Open",
                a.response,
            ]
            for a in context["alerts"]
        ],
        "None.",
    )

    _section(pdf, "Notes")
    _table(
        pdf,
        ["Time", "Author", "Note"],
        [[_when(n.written_at), n.author.full_name, n.body] for n in context["notes"]],
        "No notes.",
    )

    _section(pdf, "Discharge")
    _pairs(
        pdf,
        [
            ("Discharged", _when(session.discharged_at)),
            ("By", getattr(session.discharged_by, "full_name", "-")),
            (
                "Alert and steady (attested)",
                _yes_no(session.steady_on_feet if session.discharged_at else None),
            ),
            ("Escort present", _yes_no(session.escort_present if session.discharged_at else None)),
            ("Note", session.discharge_note),
            (
                "Cancelled / ended without a dose",
                f"{_when(session.cancelled_at)}: {session.cancel_reason}"
                if session.cancelled_at
                else "-",
            ),
        ],
    )
    return bytes(pdf.output())
