"""Facts kept on the record itself (not a step): the day the person is expected to leave
the unit (DEV-LEAVING-3M)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from dangwu.core import clock
from dangwu.core.audit import as_actor
from dangwu.core.errors import InvalidInput, NotFound
from dangwu.core.scope import Perm, scope_for
from dangwu.development.models import DevelopmentRecord
from dangwu.development.services.common import record_refresh
from dangwu.members.models import Person


@transaction.atomic
def record_leaving_set(
    *, actor, person: Person, leaves_unit_on: dt.date | None, today: dt.date | None = None
) -> DevelopmentRecord:
    """Record (or clear, with ``None``) when ``person`` is expected to leave the unit —
    graduation, a transfer. A candidate leaving within three months of the admission
    meeting is generally not admitted (细则 第十九条). Audited (history)."""
    today = today or clock.today()
    record = (
        DevelopmentRecord.objects.select_for_update()
        .select_related("branch", "person")
        .filter(person=person)
        .first()
    )
    if record is None:
        raise NotFound()
    scope_for(actor).require(record.branch.path, Perm.DEVELOP)
    if leaves_unit_on is not None and not dt.date(1949, 10, 1) <= leaves_unit_on <= dt.date(
        2200, 12, 31
    ):
        msg = "日期不在合理范围内。"
        raise InvalidInput(msg, fields={"leaves_unit_on": [msg]})
    record.leaves_unit_on = leaves_unit_on
    as_actor(record, actor)
    record.save(update_fields=["leaves_unit_on"])
    record_refresh(record, today=today)
    return record
