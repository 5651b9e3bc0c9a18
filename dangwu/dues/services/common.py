"""What the dues services share: local policy, authorization, reading and caching a
person's ledger."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from django.conf import settings
from django.db.models import Q

from dangwu.core.errors import NotFound
from dangwu.core.scope import Perm, scope_for
from dangwu.dues import rules
from dangwu.dues.ledger import (
    Line,
    Summary,
    prev_month,
    summarize,
)
from dangwu.dues.models import (
    DuesAccount,
    DuesBase,
    EntryKind,
    LedgerEntry,
)
from dangwu.members.models import Person
from dangwu.orgs.models import Organization

ADVANCE_LIMIT_NOTE = "预交党费最多交至当年12月（次年缴费基数尚未核定）。"


def dues_settings() -> rules.DuesSettings:
    """The [local] dues policy from ``settings.DANGWU["DUES"]``."""
    conf = dict(settings.DANGWU.get("DUES", {}))
    return rules.DuesSettings(
        rounding_unit=Decimal(str(conf.get("rounding_unit", "0.01"))),
        base_change_month=int(conf.get("base_change_month", 1)),
        base_fixed_within_year=bool(conf.get("base_fixed_within_year", True)),
        arrears_warning_months=int(conf.get("arrears_warning_months", 3)),
    )


def new_key() -> str:
    return uuid.uuid4().hex


# --- Authorization --------------------------------------------------------------------


def require_person(actor, person: Person, perm: Perm) -> None:
    """``perm`` on the person's branch (or group, for a group leader); else 404."""
    scope = scope_for(actor)
    if scope.is_superuser:
        return
    if not Person.objects.filter(scope.person_q(perm), pk=person.pk).exists():
        raise NotFound()


def require_collect(actor, person: Person) -> None:
    """Who may record a member's payment: their group leader, a party worker over their
    branch, or the member themself."""
    if actor is not None and getattr(actor, "person_id", None) == person.pk:
        return
    require_person(actor, person, Perm.DUES)


# --- Reading a person's ledger (inside the services' transaction) ----------------------


def person_lines(person_id: int) -> list[Line]:
    return [
        Line(kind, month, amount)
        for kind, month, amount in LedgerEntry.objects.filter(person_id=person_id).values_list(
            "kind", "month", "amount"
        )
    ]


def account_figures(summary: Summary, start_month: dt.date | None) -> dict:
    """The cached fields of ``DuesAccount`` for a ledger summary.

    A member received from outside the system brings the month their letter says dues
    were paid to; until the ledger goes further, that month is their paid-through month.
    """
    paid_through = summary.paid_through
    if start_month is not None:
        carried = prev_month(start_month)
        if (paid_through is None and not summary.unpaid) or (
            paid_through is not None and paid_through < carried
        ):
            paid_through = carried
    return {
        "assessed_total": summary.assessed_total,
        "paid_total": summary.paid_total,
        "voluntary_total": summary.voluntary_total,
        "balance": summary.balance,
        "paid_through": paid_through,
        "unpaid_months": min(summary.unpaid_months, 32767),
    }


def lock_account(person: Person) -> DuesAccount:
    DuesAccount.objects.get_or_create(person_id=person.pk)
    return DuesAccount.objects.select_for_update().get(person_id=person.pk)


def refresh_account(account: DuesAccount) -> DuesAccount:
    figures = account_figures(summarize(person_lines(account.person_id)), account.start_month)
    for name, value in figures.items():
        setattr(account, name, value)
    account.save()
    return account


def base_for_month(person_id: int, month: dt.date) -> DuesBase | None:
    """The base that applies to ``month``: the latest one effective on or before it."""
    return (
        DuesBase.objects.filter(person_id=person_id, effective_month__lte=month)
        .order_by("-effective_month")
        .first()
    )


def collections_q(organization: Organization) -> Q:
    return Q(
        kind__in=[EntryKind.PAYMENT, EntryKind.VOLUNTARY],
        branch__path__startswith=organization.path,
    )
