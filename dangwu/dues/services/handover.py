"""Handing collected dues up to the higher organization (上缴党费)."""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction
from django.db.models import Max, Sum

from dangwu.core import clock
from dangwu.core.errors import DomainError, InvalidInput
from dangwu.core.money import quantize_money
from dangwu.core.scope import Perm, scope_for
from dangwu.dues.ledger import (
    ZERO,
)
from dangwu.dues.models import (
    EntryKind,
    LedgerEntry,
    Remittance,
)
from dangwu.dues.services.common import (
    collections_q,
    dues_settings,
)
from dangwu.orgs.models import Organization

# --- Hand-over to the higher organization --------------------------------------------------


@transaction.atomic
def remittance_record(
    *,
    actor,
    organization: Organization,
    handed_on: dt.date | None = None,
    received_by: str = "",
    note: str = "",
    idempotency_key: str,
    today: dt.date | None = None,
) -> Remittance:
    """Record that ``organization`` handed its collections up: everything collected in its
    subtree since its previous hand-over (payments, voluntary dues, reversals)."""
    today = today or clock.today()
    handed_on = handed_on or today
    key = (idempotency_key or "").strip()[:80]
    if not key:
        raise InvalidInput("缺少请求编号，请刷新页面后重试。", code="IDEMPOTENCY_KEY")
    scope_for(actor).require(organization.path, Perm.EDIT)
    if handed_on > today:
        raise InvalidInput("上缴日期不能晚于今天。", fields={"handed_on": ["日期有误。"]})
    existing = Remittance.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing
    Organization.objects.select_for_update().get(pk=organization.pk)
    if connection.vendor == "postgresql":
        # Wait for in-flight ledger writes, so no line below the watermark commits later.
        with connection.cursor() as cur:
            cur.execute("LOCK TABLE dues_ledgerentry IN SHARE MODE")
    previous = Remittance.objects.filter(organization=organization, next__isnull=True).first()
    start = previous.through_entry_id if previous else 0
    top = LedgerEntry.objects.aggregate(m=Max("id"))["m"] or 0
    pending = LedgerEntry.objects.filter(collections_q(organization), id__gt=start, id__lte=top)
    amount = quantize_money(pending.aggregate(s=Sum("amount"))["s"] or ZERO)
    threshold = dues_settings().voluntary_remit_threshold
    big = quantize_money(
        pending.filter(kind=EntryKind.VOLUNTARY, amount__gte=threshold).aggregate(s=Sum("amount"))[
            "s"
        ]
        or ZERO
    )
    if amount <= 0:
        raise DomainError("自上次上缴以来没有新收缴的党费。", code="NOTHING_DUE")
    row = Remittance(
        organization=organization,
        previous=previous,
        from_entry_id=start,
        through_entry_id=top,
        amount=amount,
        voluntary_remit_amount=big,
        handed_on=handed_on,
        received_by=received_by.strip()[:200],
        note=note.strip()[:300],
        idempotency_key=key,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    row.full_clean(validate_constraints=False)
    row.save()
    return row
