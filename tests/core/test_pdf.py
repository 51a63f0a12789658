"""Every printable document prints names in any script: the fonts are embedded in the
package, with a CJK fallback, instead of fpdf2's Latin-1 Helvetica ("Nguy?n")."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from ketacare.ledger import services as ledger
from tests.core.pdf_text import pdf_text

NAMES = [
    ("Nguyễn Thị Minh", "Khai"),
    ("Łukasz", "Żółć"),
    ("Γιώργος", "Παπαδόπουλος"),
    ("王", "小明"),
]


def words(content: bytes) -> str:
    """The PDF's text with line breaks and runs of spaces as one space (a long name may wrap
    inside a table cell)."""
    return re.sub(r"\s+", " ", pdf_text(content))


@pytest.mark.parametrize(("first", "last"), NAMES)
def test_the_session_record_prints_the_patients_name(course, client_for, first, last):
    patient = course.world.patient
    patient.first_name, patient.last_name = first, last
    patient.save()
    session = course.book()
    response = client_for(course.world.clinician).get(
        reverse("treatments:record_pdf", args=[session.pk])
    )
    assert response.status_code == 200
    text = words(response.content)
    assert f"Treatment session record - {first} {last}" in text
    assert last in text and first.partition(" ")[0] in text  # the REMS form's name fields
    assert "?" not in text.replace("sedation?", "").replace("dissociation?", "").replace(
        "depression?", ""
    )


@pytest.mark.parametrize(("first", "last"), NAMES)
def test_the_dea_report_prints_the_names_of_staff_and_patients(
    world,
    stock,
    client_for,
    first,
    last,
):
    world.clinician.first_name, world.clinician.last_name = first, last
    world.clinician.save()
    world.patient.first_name, world.patient.last_name = last, first
    world.patient.save()
    ledger.record_administration(
        actor=world.clinician,
        lot=stock.lot,
        location=stock.safe,
        patient=world.patient,
        quantity="2",
    )
    today = timezone.localdate().isoformat()
    response = client_for(world.admin).get(
        f"/ledger/reports/period/?date_from={today}&date_to={today}&format=pdf"
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = words(response.content)
    assert world.clinician.full_name in text
    # The patient column is narrow: a long word wraps inside it, so compare without spaces.
    assert world.patient.full_name.replace(" ", "") in text.replace(" ", "")
    assert "?" not in text


def test_the_cjk_font_is_loaded_only_by_documents_that_need_it():
    # Parsing the 4 MB CJK font is most of a PDF's build time: Latin, Greek and Vietnamese
    # documents do without it.
    from ketacare.core.pdf import KetaCarePDF

    def document(text: str) -> tuple[KetaCarePDF, bytes]:
        pdf = KetaCarePDF(title="t")
        pdf.add_page()
        pdf.multi_cell(0, 6, f"Patient:\n{text}")
        return pdf, bytes(pdf.output())

    latin, latin_bytes = document("Nguyễn Thị Minh Khai, Łukasz Żółć, Γιώργος")
    chinese, chinese_bytes = document("王小明")
    assert "droidsansfallback" not in latin.fonts
    assert "droidsansfallback" in chinese.fonts
    assert "王小明" in pdf_text(chinese_bytes) and "Łukasz Żółć" in pdf_text(latin_bytes)
