"""Tables out of the system: one sheet (a title, lines saying what it holds, headers and
rows) as an Excel workbook or as CSV, for any report page (docs/billing.md, "Exports").

- XLSX (openpyxl): the sheet right to left, the title in bold on the first row, the
  period and filters on the next, then the headers; integers are stored as numbers with
  thousands grouping (Excel sums them), text as text.
- CSV: UTF-8 with a byte-order mark, so Excel opens Persian text as Persian; the same
  title lines first, then the headers and rows.

Formula injection: a text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return would be run as a formula by a spreadsheet. In CSV such a cell is
prefixed with an apostrophe; in XLSX every text cell is written as a string, never as a
formula. Numbers are passed as ``int``, so a negative amount stays a number.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

Cell = str | int | None

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER_FORMAT = "#,##0"
SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
# a sheet's title: at most 31 characters and none of these
SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")


@dataclass(frozen=True)
class Table:
    """What an export holds. `filename` without extension, ASCII (it goes into a
    header); `notes` are the lines under the title (period, filters)."""

    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[Cell]]
    filename: str
    notes: Sequence[str] = field(default_factory=tuple)


def defuse(value: str) -> str:
    """A text a spreadsheet would read as a formula, made plain text (CSV)."""
    return "'" + value if value.startswith(FORMULA_START) else value


def _filename(table: Table, extension: str) -> str:
    name = SAFE_NAME.sub("-", table.filename).strip("-.") or "export"
    return f"{name}.{extension}"


def _attachment(response: HttpResponse, name: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def xlsx_bytes(table: Table) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook has its one sheet
    sheet.title = SHEET_NAME_BAD.sub(" ", table.title)[:31] or "Sheet"
    sheet.sheet_view.rightToLeft = True
    width = max(len(table.headers), 1)
    lines: list[tuple[Sequence[Cell], Font | None]] = [([table.title], Font(bold=True, size=13))]
    lines += [([note], None) for note in table.notes]
    lines += [([], None), (list(table.headers), Font(bold=True))]
    lines += [(row, None) for row in table.rows]
    widths = [len(str(h)) for h in table.headers] + [0] * width
    for r, (values, font) in enumerate(lines, start=1):
        for c, value in enumerate(values, start=1):
            cell = sheet.cell(row=r, column=c)
            if isinstance(value, bool) or value is None:
                cell.value = "" if value is None else str(value)
            elif isinstance(value, int):
                cell.value = value
                cell.number_format = NUMBER_FORMAT
            else:
                cell.value = str(value)
                cell.data_type = TYPE_STRING  # never a formula, whatever it starts with
            if font is not None:
                cell.font = font
            if r > len(table.notes) + 1 and c <= width:
                widths[c - 1] = max(widths[c - 1], len(f"{value:,}" if isinstance(value, int)
                                                       else str(value or "")))  # fmt: skip
    for c in range(1, width + 1):
        sheet.column_dimensions[get_column_letter(c)].width = min(max(widths[c - 1] + 2, 8), 60)
    sheet.freeze_panes = f"A{len(table.notes) + 4}"
    for header in sheet[len(table.notes) + 3]:
        header.alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_text(table: Table) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")

    def cells(values: Sequence[Cell]) -> list[str | int]:
        return [
            v if isinstance(v, int) and not isinstance(v, bool) else defuse(str(v or ""))
            for v in values
        ]

    writer.writerow(cells([table.title]))
    for note in table.notes:
        writer.writerow(cells([note]))
    writer.writerow([])
    writer.writerow(cells(table.headers))
    for row in table.rows:
        writer.writerow(cells(row))
    return out.getvalue()


def xlsx_response(table: Table) -> HttpResponse:
    return _attachment(HttpResponse(xlsx_bytes(table), content_type=XLSX_TYPE),
                       _filename(table, "xlsx"))  # fmt: skip


def csv_response(table: Table) -> HttpResponse:
    body = "\ufeff" + csv_text(table)
    return _attachment(HttpResponse(body.encode("utf-8"), content_type=CSV_TYPE),
                       _filename(table, "csv"))  # fmt: skip


EXPORTERS = {"xlsx": xlsx_response, "csv": csv_response}
