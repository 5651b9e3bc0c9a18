"""The printable monthly collection list (党费收缴登记表) as PDF, rendered with WeasyPrint.

WeasyPrint needs the system's Pango and HarfBuzz libraries and a Chinese font through
fontconfig. Where they are missing, importing it raises ``OSError``; we turn that into
``PdfUnavailable``, whose message names the exact Debian packages to install, and the page
says so instead of failing.
"""

from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass
from decimal import Decimal

from django.template.loader import render_to_string

from dangwu.core.scope import Scope
from dangwu.dues import selectors
from dangwu.dues.files.common import audit_download
from dangwu.dues.files.workbooks import sheet_rows
from dangwu.dues.ledger import ZERO, zh_month

# What WeasyPrint needs from Debian (ARCHITECTURE.md), and the command that installs it.
SYSTEM_PACKAGES = ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0", "fonts-noto-cjk")
INSTALL_COMMAND = "sudo apt-get install " + " ".join(SYSTEM_PACKAGES)
MAX_ROWS = 1_000  # a list to sign on paper (a branch or a group); ~10 ms a row to render


class PdfUnavailable(Exception):
    """The PDF library cannot run on this server; ``message`` says what to install."""

    def __init__(self, detail: str, *, packages: tuple[str, ...] = SYSTEM_PACKAGES) -> None:
        self.detail = detail
        self.packages = packages
        self.command = INSTALL_COMMAND if packages else "pip install weasyprint"
        super().__init__(detail)


class TooManyRows(Exception):
    def __init__(self, count: int) -> None:
        self.count = count
        super().__init__(count)


def _import_weasyprint():
    """The seam the tests replace to play a server without the libraries."""
    return importlib.import_module("weasyprint")


def weasyprint():
    try:
        return _import_weasyprint()
    except OSError as exc:  # cffi could not load libpango / libharfbuzz
        raise PdfUnavailable(str(exc)) from exc
    except ImportError as exc:  # the Python package itself is not installed
        raise PdfUnavailable(str(exc), packages=()) from exc


@dataclass(frozen=True)
class ListRow:
    number: int
    row: selectors.SheetRow
    earlier: Decimal  # owed for months before the list's month and still unpaid


def collection_list_pdf(
    scope: Scope, org_id: int, *, month: dt.date, today: dt.date, actor, ip=None
) -> tuple[bytes, str]:
    """The collection list of ``org`` for ``month`` as PDF bytes, with its file name.

    The library is loaded first, so a server without it answers before any work is done.
    """
    wp = weasyprint()
    org = selectors.dues_org_get(scope, org_id)
    count = selectors.sheet_people(scope, org).count()
    if count > MAX_ROWS:
        raise TooManyRows(count)
    rows = [
        ListRow(number, row, sum((a for m, a in row.unpaid if m < month), ZERO))
        for number, row in enumerate(sheet_rows(scope, org, month, today), start=1)
    ]
    html = render_to_string(
        "dues/pdf_collection_list.html",
        {
            "organization": org,
            "month": month,
            "month_label": zh_month(month),
            "rows": rows,
            "assessed": sum((r.row.month_amount or ZERO for r in rows), ZERO),
            "due": sum((r.row.due_total for r in rows), ZERO),
            "paid_count": sum(1 for r in rows if r.row.month_paid),
            "today": today,
        },
    )
    pdf = wp.HTML(string=html).write_pdf()
    audit_download(
        actor=actor,
        subject=f"org:{org.code}",
        kind="dues_collection_list_pdf",
        ip=ip,
        month=f"{month:%Y-%m}",
        rows=len(rows),
    )
    return pdf, f"{org.name}党费收缴登记表{month:%Y%m}.pdf"
