"""The one CSV writer: every export (audit log, waiting list, ledger reports) writes its
cells through `safe_cell`, so one formula-injection rule holds everywhere.

The rule is OWASP's ("CSV Injection"): a text cell starting with = + - @ TAB or CR is read
as a formula by Excel, LibreOffice and Google Sheets (=HYPERLINK(...), -2+3+cmd|...), so it
is prefixed with a single quote and stays text. Only text (str) is touched: an int, a
Decimal or a date was produced by our code, not typed by someone, and cannot carry a
formula, so a negative quantity such as Decimal("-5") stays the number -5 in the sheet
instead of becoming the text '-5. A caller whose numbers are already strings passes them as
numbers (as the ledger does for its numeric columns)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

from django.http import StreamingHttpResponse

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

Row = Iterable[Any]


def safe_cell(value: Any) -> Any:
    """The cell as written: text that a spreadsheet would run as a formula gets a leading
    quote; anything that is not text is returned unchanged (None is written as empty)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


class _Echo:
    """A file whose write() hands the line back, so csv.writer can produce one line at a
    time for a streaming response."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[Row]) -> Iterator[str]:
    """Each row as one CSV line (with its line ending), cells made safe; lazy, so a large
    export is never held in memory."""
    writer = csv.writer(_Echo())
    for row in rows:
        yield writer.writerow([safe_cell(value) for value in row])


def csv_text(rows: Iterable[Row]) -> str:
    """The whole CSV as one string (for a download built in memory or a file from the CLI)."""
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    return out.getvalue()


def csv_response(rows: Iterable[Row], *, filename: str) -> StreamingHttpResponse:
    """A streamed CSV download (UTF-8) named `filename`; the rows are written as they are
    read, so pass a generator over `.iterator()` for a large queryset."""
    response = StreamingHttpResponse(csv_lines(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
