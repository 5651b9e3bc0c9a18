"""Every write to dues: bases, the monthly assessment run, payments, voluntary dues,
reversals, hand-overs and arrears handling.

Each service: authorize → check the rules → lock the member's account (``select_for_update``
on PostgreSQL; SQLite's IMMEDIATE transactions serialize writers) → append ledger lines →
refresh the cached account from the ledger → return. Ledger lines are never changed; a
request repeated with the same idempotency key returns what the first one wrote.
"""

from dangwu.dues.services.arrears import (
    arrears_case_decide,
    arrears_case_open,
    consecutive_arrears,
)
from dangwu.dues.services.assessment import assessment_run
from dangwu.dues.services.bases import base_set
from dangwu.dues.services.common import (
    account_figures,
    base_for_month,
    collections_q,
    dues_settings,
    new_key,
    person_lines,
    require_collect,
    require_person,
)
from dangwu.dues.services.handover import remittance_record
from dangwu.dues.services.payments import (
    PaymentResult,
    account_open_from_letter,
    entry_reverse,
    paid_through_for,
    payment_record,
    quarterly_consent_set,
    voluntary_record,
)

__all__ = [
    "PaymentResult",
    "account_figures",
    "account_open_from_letter",
    "arrears_case_decide",
    "arrears_case_open",
    "assessment_run",
    "base_for_month",
    "base_set",
    "collections_q",
    "consecutive_arrears",
    "dues_settings",
    "entry_reverse",
    "new_key",
    "paid_through_for",
    "payment_record",
    "person_lines",
    "quarterly_consent_set",
    "remittance_record",
    "require_collect",
    "require_person",
    "voluntary_record",
]
