"""A report as CSV (one block per section) or as PDF (fpdf2: landscape, a table per section,
page numbers and the registrant on every page)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from fpdf.fonts import FontFace

from ketacare.core.csv import csv_text
from ketacare.core.pdf import FONT, KetaCarePDF

from .reports import Report


def _number(cell: str) -> Decimal | str:
    """A numeric column's cell as the number it is, so the one CSV rule (ketacare.core.csv)
    keeps a negative quantity such as "-5" a number; anything else stays text."""
    try:
        value = Decimal(cell)
    except InvalidOperation:
        return cell
    return value if value.is_finite() else cell


def to_csv(report: Report) -> str:
    rows: list[list[object]] = [[report.title]]
    rows += [[label, value] for label, value in report.meta]
    for section in report.sections:
        rows += [[], [section.title], list(section.columns)]
        rows += [
            [_number(cell) if index in section.numeric else cell for index, cell in enumerate(row)]
            for row in section.rows
        ]
    return csv_text(rows)


def to_pdf(report: Report) -> bytes:
    pdf = KetaCarePDF(orientation="L", unit="mm", format="Letter", title=report.title)
    meta = dict(report.meta)
    pdf.footer_text = (
        f"{report.title} - {meta.get('Registrant', '')} - DEA {meta.get('DEA registration', '')}"
    )
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_margins(10, 10, 10)
    pdf.add_page()
    pdf.set_font(FONT, style="B", size=14)
    pdf.multi_cell(0, 8, report.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=9)
    for label, value in report.meta:
        pdf.multi_cell(0, 5, f"{label}: {value}", new_x="LMARGIN", new_y="NEXT")
    heading = FontFace(emphasis="BOLD", fill_color=(225, 230, 238))
    for section in report.sections:
        pdf.ln(3)
        pdf.set_font(FONT, style="B", size=11)
        pdf.multi_cell(0, 7, section.title, new_x="LMARGIN", new_y="NEXT")
        if not section.rows:
            pdf.set_font(FONT, size=9)
            pdf.multi_cell(0, 5, section.empty, new_x="LMARGIN", new_y="NEXT")
            continue
        size = 8 if len(section.columns) <= 11 else 6
        pdf.set_font(FONT, size=size)
        with pdf.table(
            headings_style=heading,
            line_height=size * 0.5,
            text_align="LEFT",
            repeat_headings=1,
        ) as table:
            header = table.row()
            for column in section.columns:
                header.cell(column)
            for values in section.rows:
                row = table.row()
                for index, value in enumerate(values):
                    row.cell(value, align="RIGHT" if index in section.numeric else "LEFT")
    return bytes(pdf.output())
