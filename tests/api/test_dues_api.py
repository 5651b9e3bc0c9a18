"""/api/v1/dues: a member's dues, payments with idempotency keys, bases, sheet, summary, run."""

import datetime as dt
import json

import pytest

from dangwu.dues import services
from dangwu.dues.models import DuesBase, LedgerEntry
from tests import factories
from tests.api.test_members_api import MATRIX, as_viewer, assert_refused, post_json
from tests.dues.conftest import NOV, run_months

API = "/api/v1/dues"
pytestmark = pytest.mark.django_db


@pytest.fixture
def frozen(monkeypatch):
    """The API reads ``today`` from the clock: pin it to 2026-11-22."""
    monkeypatch.setattr("dangwu.api.dues.today", lambda: dt.date(2026, 11, 22))
    monkeypatch.setattr("dangwu.core.clock.today", lambda: dt.date(2026, 11, 22))


@pytest.fixture
def owing(tree, worker, member, frozen):
    run_months(worker, tree.branch, dt.date(2026, 9, 1), NOV)
    return member


def pay(client, person_id, data, key="key-00000001"):
    return client.post(
        f"{API}/people/{person_id}/payments",
        json.dumps(data),
        content_type="application/json",
        headers={"Idempotency-Key": key},
    )


@pytest.mark.parametrize(("who", "status"), MATRIX)
def test_person_dues_matrix(client, viewers, owing, who, status):
    response = as_viewer(client, viewers[who]).get(f"{API}/people/{owing.pk}")
    if status != 200:
        assert_refused(response, status)
        return
    body = response.json()
    assert (body["paid_through"], body["arrears_months"], body["due_total"]) == (
        None,
        2,
        "137.01",
    )
    assert body["current_base"]["rule_code"] == "DUES-EMPLOYEE"
    assert body["current_base"]["rate"] == "0.01"
    assert [d["month"] for d in body["due_now"]] == ["2026-09", "2026-10", "2026-11"]


def test_payment_with_the_same_key_writes_once(client, worker, owing):
    client.force_login(worker)
    first = pay(client, owing.pk, {"through_month": "2026-10"})
    again = pay(client, owing.pk, {"through_month": "2026-10"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["months"] == ["2026-09", "2026-10"]
    assert first.json()["total"] == "91.34"
    assert again.json()["repeated"] is True
    assert LedgerEntry.objects.filter(kind="payment").count() == 2


def test_payment_without_a_key_is_refused(client, worker, owing):
    client.force_login(worker)
    response = post_json(client, f"{API}/people/{owing.pk}/payments", {})
    assert response.status_code == 422
    assert not LedgerEntry.objects.filter(kind="payment").exists()


def test_payment_by_the_organization_is_refused(client, worker, owing):
    client.force_login(worker)
    response = pay(client, owing.pk, {"paid_by": "organization"})
    assert (response.status_code, response.json()["code"]) == (422, "DUES-NO-ORG-PAY")
    assert not LedgerEntry.objects.filter(kind="payment").exists()


def test_payment_outside_scope_is_not_found(client, viewers, owing):
    client.force_login(viewers["sibling"])
    assert_refused(pay(client, owing.pk, {}), 404)
    assert not LedgerEntry.objects.filter(kind="payment").exists()


def test_bad_month_is_refused_in_chinese(client, worker, owing):
    client.force_login(worker)
    response = pay(client, owing.pk, {"through_month": "2026-13"})
    assert response.status_code == 422
    assert response.json()["fields"] == {
        "through_month": ["月份应写作 YYYY-MM，如 2026-11（月为01至12）。"]
    }


def test_base_set_and_bad_base(client, worker, member, frozen):
    client.force_login(worker)
    url = f"{API}/people/{member.pk}/base"
    bad = post_json(
        client, url, {"effective_month": "2027-01", "category": "employee", "base": "-5"}
    )
    assert bad.status_code == 422
    assert DuesBase.objects.filter(person=member).count() == 1
    ok = post_json(
        client, url, {"effective_month": "2027-01", "category": "retiree", "base": "6000"}
    )
    assert ok.status_code == 200, ok.json()
    assert DuesBase.objects.get(person=member, effective_month=dt.date(2027, 1, 1)).amount == (60)


def test_voluntary(client, worker, member, frozen):
    client.force_login(worker)
    response = client.post(
        f"{API}/people/{member.pk}/voluntary",
        json.dumps({"amount": "1000.00"}),
        content_type="application/json",
        headers={"Idempotency-Key": "vol-00000001"},
    )
    assert response.status_code == 201
    assert [f["code"] for f in response.json()["findings"]] == ["DUES-VOLUNTARY"]


@pytest.mark.parametrize(("who", "status"), MATRIX)
def test_sheet_matrix(client, viewers, tree, owing, who, status):
    response = as_viewer(client, viewers[who]).get(
        f"{API}/orgs/{tree.branch.pk}/sheet?month=2026-11"
    )
    if status != 200:
        assert_refused(response, status)
        return
    rows = response.json()["rows"]
    assert [(r["name"], r["state"], r["due_total"]) for r in rows] == [("张三", "unpaid", "137.01")]


def test_summary_and_run(client, worker, tree, member, frozen):
    client.force_login(worker)
    run = post_json(client, f"{API}/orgs/{tree.branch.pk}/assessments", {"month": "2026-11"})
    again = post_json(client, f"{API}/orgs/{tree.branch.pk}/assessments", {"month": "2026-11"})
    assert (run.json()["created"], again.json()["created"]) == (1, 0)
    summary = client.get(f"{API}/orgs/{tree.branch.pk}/summary?year=2026").json()
    assert summary["months"][10]["assessed"] == "45.67"
    assert summary["total"]["assessed"] == "45.67"


def test_run_outside_scope_is_not_found(client, viewers, tree, member, frozen):
    client.force_login(viewers["sibling"])
    response = post_json(client, f"{API}/orgs/{tree.branch.pk}/assessments", {"month": "2026-11"})
    assert_refused(response, 404)
    assert not LedgerEntry.objects.exists()


def test_group_leader_records_a_payment(client, tree, owing):
    leader = factories.user_with_role("leader", tree.group, kind="group_leader")
    client.force_login(leader)
    assert pay(client, owing.pk, {}).status_code == 201
    assert services.paid_through_for(owing.pk) == NOV
