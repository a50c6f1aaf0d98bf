"""The exporter: a table as XLSX and as CSV, read back and checked cell by cell."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from pishkhan.core.exports import Table, csv_response, defuse, xlsx_response

TABLE = Table(
    title="درآمد ۱۴۰۵",
    notes=["دوره: ۱۴۰۵/۰۱/۰۱ تا ۱۴۰۵/۱۲/۲۹", "دفتر: همه"],
    headers=["دفتر", "ماه", "مبلغ (ریال)"],
    rows=[
        ["دفتر ۱۱۰۱", "فروردین ۱۴۰۵", 12_500_000],
        ['=HYPERLINK("http://x")', "-2+3", -3_000],
        ["@SUM(A1)", None, 0],
    ],
    filename="revenue 1405/all",
)


def test_xlsx_is_right_to_left_with_numbers_as_numbers() -> None:
    response = xlsx_response(TABLE)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"] == 'attachment; filename="revenue-1405-all.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    assert sheet.sheet_view.rightToLeft
    assert sheet["A1"].value == "درآمد ۱۴۰۵"
    assert sheet["A1"].font.bold
    assert sheet["A2"].value == "دوره: ۱۴۰۵/۰۱/۰۱ تا ۱۴۰۵/۱۲/۲۹"
    assert [c.value for c in sheet[5]] == ["دفتر", "ماه", "مبلغ (ریال)"]
    assert [c.value for c in sheet[6]] == ["دفتر ۱۱۰۱", "فروردین ۱۴۰۵", 12_500_000]
    assert sheet["C6"].data_type == "n"
    assert sheet["C6"].number_format == "#,##0"
    assert sheet["C7"].value == -3_000
    # a text that looks like a formula is stored as text, never as a formula
    assert sheet["A7"].value == '=HYPERLINK("http://x")'
    assert sheet["A7"].data_type == "s"
    assert sheet["B7"].data_type == "s"
    assert sheet["A8"].data_type == "s"


def test_csv_has_a_bom_and_defuses_formulas() -> None:
    response = csv_response(TABLE)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="revenue-1405-all.csv"'
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["درآمد ۱۴۰۵"]
    assert rows[1] == ["دوره: ۱۴۰۵/۰۱/۰۱ تا ۱۴۰۵/۱۲/۲۹"]
    assert rows[3] == []
    assert rows[4] == ["دفتر", "ماه", "مبلغ (ریال)"]
    assert rows[5] == ["دفتر ۱۱۰۱", "فروردین ۱۴۰۵", "12500000"]
    assert rows[6] == ['\'=HYPERLINK("http://x")', "'-2+3", "-3000"]
    assert rows[7] == ["'@SUM(A1)", "", "0"]


def test_defuse_leaves_plain_text_alone() -> None:
    assert defuse("دفتر ۱۱۰۱") == "دفتر ۱۱۰۱"
    assert defuse("\tcmd") == "'\tcmd"
    assert defuse("+98") == "'+98"
