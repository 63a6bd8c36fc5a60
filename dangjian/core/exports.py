"""CSV that a spreadsheet opens as text only (OWASP "CSV Injection").

- A cell starting with = + - @, a tab or a carriage return (or their full-width forms, which some
  spreadsheets accept too) is prefixed with a single quote, so it is shown as text, never run as a formula.
- Every cell is enclosed in double quotes and quotes inside are doubled, so a comma, semicolon, quote or line
  break in citizen text cannot end its cell and start a new one.

Every export goes through `csv_writer`.
"""

from __future__ import annotations

import csv

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def spreadsheet_cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _SafeWriter:
    def __init__(self, stream):
        self._writer = csv.writer(stream, quoting=csv.QUOTE_ALL)

    def writerow(self, row) -> None:
        self._writer.writerow([spreadsheet_cell(value) for value in row])

    def writerows(self, rows) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(stream) -> _SafeWriter:
    """A csv writer whose cells cannot become formulas or spill into other cells."""
    return _SafeWriter(stream)
