"""The annual development plan (DEV-NO-RUSH): service, reads and page."""

import datetime as dt

import pytest

from dangwu.core.errors import InvalidInput, NotFound
from dangwu.core.scope import scope_for
from dangwu.development.models import DevelopmentPlan
from dangwu.development.plans import plan_status
from dangwu.development.services.plans import plan_set
from tests import factories

pytestmark = pytest.mark.django_db

ADMITTED = {
    "admission_meeting": {"date": "2026-03-01"},
    "admission_approval": {"date": "2026-04-01", "by": "basic_committee"},
}


def test_plan_set_and_status_count_the_subtree_admissions(tree, worker):
    secretary = factories.user_with_role("sec", tree.college, kind="secretary")
    people = [
        factories.person(
            tree.branch,
            name=f"预备{i}",
            status="probationary",
            birth_date=dt.date(2000, 1, 1 + i),
        )
        for i in range(3)
    ]
    for p in people:
        factories.development(p, {"steps": ADMITTED})
    plan_set(actor=secretary, organization=tree.college, year=2026, quota=2, note="党委下达")

    status = plan_status(scope_for(secretary), tree.college, 2026)

    assert (status.quota, status.admitted, status.remaining) == (2, 3, 0)
    assert [f.message for f in status.findings] == [
        "2026年已接收预备党员3名，超出年度发展计划2名，应严格按计划发展，防止突击发展。"
    ]
    assert plan_status(scope_for(secretary), tree.college, 2025).admitted == 0


def test_plan_set_twice_updates_the_same_row(tree, worker):
    plan_set(actor=worker, organization=tree.branch, year=2026, quota=2)
    plan_set(actor=worker, organization=tree.branch, year=2026, quota=4)
    assert list(DevelopmentPlan.objects.values_list("year", "quota")) == [(2026, 4)]


@pytest.mark.parametrize(
    ("year", "quota", "field"),
    [(2026, -1, "quota"), (2026, 10001, "quota"), (1800, 3, "year")],
    ids=["负数", "过大", "年度不合理"],
)
def test_plan_set_refuses_bad_values(tree, worker, year, quota, field):
    with pytest.raises(InvalidInput) as exc:
        plan_set(actor=worker, organization=tree.branch, year=year, quota=quota)
    assert field in exc.value.fields
    assert DevelopmentPlan.objects.count() == 0


def test_plan_set_needs_approval_on_the_organization(tree, viewers):
    group_leader = factories.user_with_role("gl", tree.branch, kind="group_leader")
    for user in (viewers["sibling"], group_leader):
        with pytest.raises(NotFound):
            plan_set(actor=user, organization=tree.branch, year=2026, quota=3)
    assert DevelopmentPlan.objects.count() == 0


@pytest.mark.parametrize(
    ("who", "code"),
    [("anonymous", 302), ("no_role", 404), ("sibling", 404), ("own_org", 200), ("ancestor", 200)],
)
def test_plan_page_permissions(client, tree, viewers, who, code):
    if viewers[who]:
        client.force_login(viewers[who])
    response = client.get(f"/development/org/{tree.branch.pk}/plan/?year=2026")
    assert response.status_code == code


def test_plan_page_saves_and_shows_errors(client, tree, worker):
    client.force_login(worker)
    url = f"/development/org/{tree.branch.pk}/plan/?year=2026"

    bad = client.post(url, {"quota": "-2"})
    assert bad.status_code == 200
    assert DevelopmentPlan.objects.count() == 0

    good = client.post(url, {"quota": "3", "note": "按党委下达指标"})
    assert good.status_code == 302
    assert list(DevelopmentPlan.objects.values_list("year", "quota", "note")) == [
        (2026, 3, "按党委下达指标")
    ]
