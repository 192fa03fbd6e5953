"""CSV downloads, one way: every cell a user typed is made safe for spreadsheets."""

import csv
from collections.abc import Iterable, Mapping

from django.http import HttpResponse

# OWASP "CSV Injection": a cell starting with one of these may be run as a formula; a leading space is
# trimmed by some spreadsheets, which then see the formula behind it.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", " ")


def spreadsheet_safe(value) -> str:
    """The cell's text; typed text that a spreadsheet could run is prefixed with a quote and shown as is."""
    if value is None:
        return ""
    text = str(value)
    return f"'{text}" if isinstance(value, str) and text.startswith(FORMULA_TRIGGERS) else text


def csv_response(filename: str, columns: list[str], rows: Iterable[Mapping]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.DictWriter(response, fieldnames=columns)
    writer.writeheader()
    for row in rows:
        writer.writerow({key: spreadsheet_safe(value) for key, value in row.items()})
    return response
