"""Spreadsheet cells that cannot run anything when a file we export is opened.

A text cell that starts with = + - @, a tab or a carriage return is read as a formula by
spreadsheet programs (CSV or .xlsx alike): every export writes such text with a leading
apostrophe (and, in .xlsx, as a string cell), so opening an export never evaluates a value a
user typed.
"""

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralise(value):
    """A cell value that no spreadsheet will evaluate as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value
