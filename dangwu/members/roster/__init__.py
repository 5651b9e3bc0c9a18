"""The roster (人员名册) in Excel: the import template, the all-or-nothing import, the export.

``columns`` is the file's layout (columns, header, cells), ``importer`` the import service,
``workbooks`` the files we write. Callers import from here.
"""

from __future__ import annotations

from dangwu.members.roster.columns import (
    COLUMNS,
    DATA_SHEET,
    XLSX_CONTENT_TYPE,
    escape_cell,
    parse_date,
)
from dangwu.members.roster.importer import ErrorLog, ImportReport, RowError, roster_import
from dangwu.members.roster.workbooks import (
    EXPORT_HEADERS,
    roster_export,
    roster_template,
    write_error_report,
)

# Errors kept in memory for the result page; all are in the full report. It lives here, and the
# import reads it at call time, so that setting ``roster.PAGE_ERRORS`` takes effect.
PAGE_ERRORS = 1_000

__all__ = [
    "COLUMNS",
    "DATA_SHEET",
    "EXPORT_HEADERS",
    "PAGE_ERRORS",
    "XLSX_CONTENT_TYPE",
    "ErrorLog",
    "ImportReport",
    "RowError",
    "escape_cell",
    "parse_date",
    "roster_export",
    "roster_import",
    "roster_template",
    "write_error_report",
]
