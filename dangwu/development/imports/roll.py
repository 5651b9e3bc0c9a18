"""The roll (名册) of the importing organization's subtree, as the import reads it: people by
ID number and by name, and a person's status and sanction on a past date.

A contact person or an introducer found on the roll is checked with what the roll says of
them on the step date (DEV-CONTACTS, DEV-INTRODUCERS):

- status: the last dated status change on or before the date; before the roll's first
  change, a full member from ``full_since``, a probationary member from
  ``admission_date``, and otherwise not yet a member (``applicant``: the rules then say
  "不是正式党员"). A terminal status on the date (停止党籍, 出党…) cannot be written in the
  timeline JSON and is reported as a bad row.
- sanction: the most severe sanction in force on the date (开除党籍 until revoked,
  留党察看 during its period, the others during their effect period), per
  ``members.rules.sanction_effect``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from dangwu.development.timeline import PERSON_STATUSES
from dangwu.members.models import Person, Sanction, StatusChange
from dangwu.members.rules import SanctionFacts, sanction_effect
from dangwu.orgs.models import Organization

_SEVERITY = (
    "expulsion",
    "probation_within_party",
    "removal_from_post",
    "serious_warning",
    "warning",
)


class Roll:
    """People on the roll (``is_active``) of ``org`` and below. Each ``load_*`` is one query
    for a chunk of rows; lookups after that are in memory."""

    def __init__(self, org: Organization) -> None:
        self.org = org
        self._changes: dict[int, list[tuple[dt.date, str]]] = {}
        self._sanctions: dict[int, list[SanctionFacts]] = {}

    def _people(self):
        return Person.objects.filter(
            branch__path__startswith=self.org.path, is_active=True
        ).select_related("branch")

    def by_id_number(self, id_numbers: Iterable[str]) -> dict[str, Person]:
        ids = list(set(id_numbers))
        if not ids:
            return {}
        return {p.id_number: p for p in self._people().filter(id_number__in=ids)}

    def by_name(self, names: Iterable[str]) -> dict[str, list[Person]]:
        wanted = list(set(names))
        out: dict[str, list[Person]] = defaultdict(list)
        if wanted:
            for p in self._people().filter(name__in=wanted).order_by("pk"):
                out[p.name].append(p)
        return out

    def load_histories(self, person_ids: Iterable[int]) -> None:
        ids = [pk for pk in set(person_ids) if pk not in self._changes]
        if not ids:
            return
        for pk in ids:
            self._changes[pk] = []
            self._sanctions[pk] = []
        changes = StatusChange.objects.filter(person_id__in=ids).order_by(
            "person_id", "effective_on", "id"
        )
        for pk, day, status in changes.values_list("person_id", "effective_on", "status"):
            self._changes[pk].append((day, status))
        fields = ("person_id", "kind", "decided_on", "probation_years", "extended_years")
        for pk, kind, decided, years, extended, revoked in Sanction.objects.filter(
            person_id__in=ids
        ).values_list(*fields, "revoked_on"):
            self._sanctions[pk].append(SanctionFacts(kind, decided, years, extended, revoked))

    def status_on(self, person: Person, day: dt.date) -> str:
        """The status on ``day`` (may be terminal; see the module docstring)."""
        known = [status for when, status in self._changes.get(person.pk, []) if when <= day]
        if known:
            return known[-1]
        if person.full_since is not None and day >= person.full_since:
            return "full"
        if person.admission_date is not None and day >= person.admission_date:
            return "probationary"
        return "applicant"

    def sanction_on(self, person: Person, day: dt.date) -> str | None:
        """The most severe sanction in force on ``day``, or ``None``."""
        found = set()
        for s in self._sanctions.get(person.pk, []):
            if s.decided_on > day or (s.revoked_on is not None and s.revoked_on <= day):
                continue
            try:
                effect = sanction_effect(s)
            except ValueError:
                continue
            ends = (
                effect.rights_suspended_until or effect.post_bar_until or effect.no_promotion_until
                if s.kind != "expulsion"
                else None
            )
            if s.kind == "expulsion" or (ends is not None and day < ends):
                found.add(s.kind)
        return next((k for k in _SEVERITY if k in found), None)


def is_timeline_status(status: str) -> bool:
    return status in PERSON_STATUSES
