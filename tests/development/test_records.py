"""The expected day a person leaves the unit (DEV-LEAVING-3M): service and page."""

import datetime as dt

import pytest

from dangwu.core.errors import InvalidInput, NotFound
from dangwu.development.models import DevelopmentRecord
from dangwu.development.services.records import record_leaving_set
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 22)
ADMITTED = {"admission_meeting": {"date": "2026-10-10"}}


@pytest.fixture
def zhao(tree):
    p = factories.person(
        tree.branch, name="赵离", status="candidate", birth_date=dt.date(2003, 3, 3)
    )
    factories.development(p, {"steps": ADMITTED}, today=TODAY)
    return p


def test_leaving_within_three_months_is_a_warning_on_the_record(tree, worker, zhao):
    record = record_leaving_set(
        actor=worker, person=zhao, leaves_unit_on=dt.date(2026, 12, 31), today=TODAY
    )
    assert record.leaves_unit_on == dt.date(2026, 12, 31)
    assert record.warning_count >= 1
    cleared = record_leaving_set(actor=worker, person=zhao, leaves_unit_on=None, today=TODAY)
    assert cleared.leaves_unit_on is None
    assert cleared.warning_count == record.warning_count - 1


def test_leaving_needs_the_develop_permission(tree, zhao, viewers):
    for who in ("sibling", "no_role"):
        with pytest.raises(NotFound):
            record_leaving_set(
                actor=viewers[who], person=zhao, leaves_unit_on=dt.date(2027, 1, 1), today=TODAY
            )
    with pytest.raises(InvalidInput):
        record_leaving_set(
            actor=factories.user_with_role("w", tree.branch),
            person=zhao,
            leaves_unit_on=dt.date(1900, 1, 1),
            today=TODAY,
        )
    assert DevelopmentRecord.objects.get(person=zhao).leaves_unit_on is None


@pytest.mark.parametrize(
    ("who", "code"), [("anonymous", 302), ("no_role", 404), ("sibling", 404), ("own_org", 302)]
)
def test_leaving_page_permissions(client, zhao, viewers, who, code):
    if viewers[who]:
        client.force_login(viewers[who])
    response = client.post(
        f"/development/person/{zhao.pk}/leaving/", {"leaves_unit_on": "2027-01-05"}
    )
    assert response.status_code == code
    saved = DevelopmentRecord.objects.get(person=zhao).leaves_unit_on
    assert saved == (dt.date(2027, 1, 5) if who == "own_org" else None)


def test_leaving_page_refuses_a_bad_date(client, zhao, worker):
    client.force_login(worker)
    response = client.post(
        f"/development/person/{zhao.pk}/leaving/", {"leaves_unit_on": "2027-02-30"}
    )
    assert response.status_code == 302
    assert DevelopmentRecord.objects.get(person=zhao).leaves_unit_on is None
