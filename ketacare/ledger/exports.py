"""A report as CSV (one block per section) or as PDF (fpdf2: landscape, a table per section,
page numbers and the registrant on every page)."""

from __future__ import annotations

import csv
import io

from fpdf import FPDF
from fpdf.fonts import FontFace

from .reports import Report

# fpdf2's built-in fonts speak Latin-1; these are the few other characters our text uses.
_LATIN1 = str.maketrans({"—": "-", "–": "-", "…": "...", "→": "->", "’": "'", "“": '"', "”": '"'})


def _latin1(text: str) -> str:
    return text.translate(_LATIN1).encode("latin-1", "replace").decode("latin-1")


def _csv_safe(value: str) -> str:
    # A cell starting with = + - @ is a formula to a spreadsheet; quote it (CSV injection).
    # Negative numbers stay numbers.
    if value and value[0] in "=+@\t\r" or (value.startswith("-") and not _is_number(value)):
        return "'" + value
    return value


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def to_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([report.title])
    for label, value in report.meta:
        writer.writerow([label, _csv_safe(value)])
    for section in report.sections:
        writer.writerow([])
        writer.writerow([section.title])
        writer.writerow(section.columns)
        for row in section.rows:
            writer.writerow([_csv_safe(cell) for cell in row])
    return out.getvalue()


class _ReportPDF(FPDF):
    report_title = ""
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Helvetica", size=7)
        self.set_text_color(90)
        self.cell(0, 6, _latin1(self.footer_text), align="L")
        self.set_x(-40)
        self.cell(30, 6, f"Page {self.page_no()} of {{nb}}", align="R")


def to_pdf(report: Report) -> bytes:
    pdf = _ReportPDF(orientation="L", unit="mm", format="Letter")
    pdf.set_title(_latin1(report.title))
    pdf.set_creator("KetaCare")
    meta = dict(report.meta)
    pdf.footer_text = (
        f"{report.title} - {meta.get('Registrant', '')} - DEA {meta.get('DEA registration', '')}"
    )
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_margins(10, 10, 10)
    pdf.add_page()
    pdf.set_font("Helvetica", style="B", size=14)
    pdf.multi_cell(0, 8, _latin1(report.title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=9)
    for label, value in report.meta:
        pdf.multi_cell(0, 5, _latin1(f"{label}: {value}"), new_x="LMARGIN", new_y="NEXT")
    heading = FontFace(emphasis="BOLD", fill_color=(225, 230, 238))
    for section in report.sections:
        pdf.ln(3)
        pdf.set_font("Helvetica", style="B", size=11)
        pdf.multi_cell(0, 7, _latin1(section.title), new_x="LMARGIN", new_y="NEXT")
        if not section.rows:
            pdf.set_font("Helvetica", size=9)
            pdf.multi_cell(0, 5, _latin1(section.empty), new_x="LMARGIN", new_y="NEXT")
            continue
        size = 8 if len(section.columns) <= 11 else 6
        pdf.set_font("Helvetica", size=size)
        with pdf.table(
            headings_style=heading,
            line_height=size * 0.5,
            text_align="LEFT",
            repeat_headings=1,
        ) as table:
            header = table.row()
            for column in section.columns:
                header.cell(_latin1(column))
            for values in section.rows:
                row = table.row()
                for index, value in enumerate(values):
                    row.cell(_latin1(value), align="RIGHT" if index in section.numeric else "LEFT")
    return bytes(pdf.output())
