"""Cells of the CSV files people open in spreadsheets."""


def spreadsheet_cell(value) -> str:
    if value is None:
        return ""
    text = str(value)
    # Spreadsheets run cells that start like a formula; names and sources are typed by users.
    return f"'{text}" if isinstance(value, str) and text[:1] in ("=", "+", "-", "@") else text
