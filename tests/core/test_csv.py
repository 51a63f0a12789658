"""The one formula-injection rule of every CSV export (OWASP): text starting with
= + - @ TAB or CR is quoted; numbers, dates and empty cells are written as they are."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest

from ketacare.core.csv import csv_lines, csv_response, csv_text, safe_cell


@pytest.mark.parametrize(
    "text",
    ["=HYPERLINK(\"http://evil.example\")", "+1+1", "-2+3+cmd|' /C calc'!A0", "@SUM(A1)",
     "\tx", "\rx", "-5"],
)  # fmt: skip
def test_text_a_spreadsheet_would_run_is_quoted(text):
    (row,) = csv.reader(io.StringIO(csv_text([[text]])))
    assert row == ["'" + text]


@pytest.mark.parametrize("text", ["Ada", "a=b", "", "1-2", " =x", "'=already quoted"])
def test_other_text_is_written_unchanged(text):
    (row,) = csv.reader(io.StringIO(csv_text([[text]])))
    assert row == [text]


def test_numbers_dates_and_none_are_not_text_and_stay_as_they_are():
    cells = [-5, Decimal("-0.5"), -1.5, dt.date(2026, 1, 2), None]
    assert [safe_cell(c) for c in cells] == cells
    (row,) = csv.reader(io.StringIO(csv_text([cells])))
    assert row == ["-5", "-0.5", "-1.5", "2026-01-02", ""]


def test_the_streamed_lines_and_the_whole_text_are_the_same_csv():
    rows = [["id", "name"], [1, "=cmd"], [2, "Nguyễn, Thị"]]
    assert "".join(csv_lines(iter(rows))) == csv_text(rows)


def test_the_response_streams_a_named_utf8_download():
    response = csv_response(iter([["name"], ["王小明"], ["@x"]]), filename="people.csv")
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="people.csv"'
    body = b"".join(response.streaming_content).decode()
    assert list(csv.reader(io.StringIO(body))) == [["name"], ["王小明"], ["'@x"]]
