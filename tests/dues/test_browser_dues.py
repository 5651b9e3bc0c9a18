"""The group leader's collection sheet in a real browser, on a phone: tick a member as paid.

Uses the ``browser`` fixture of tests/test_browser.py (Debian's chromium through Playwright).
"""

import datetime as dt
from decimal import Decimal

import pytest

from dangwu.dues import services
from dangwu.dues.models import EntryKind, LedgerEntry
from tests import factories
from tests.dues.conftest import NOV, run_months
from tests.test_browser import browser  # noqa: F401  (the fixture)

expect = pytest.importorskip("playwright.sync_api").expect

TODAY = dt.date(2026, 11, 22)
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_group_leader_ticks_a_member_as_paid_on_a_phone(live_server, browser, monkeypatch):  # noqa: F811
    monkeypatch.setattr("dangwu.dues.views_org.today", lambda: TODAY)
    committee = factories.org(None, "basic_committee", "某大学党委")
    branch = factories.org(committee, "branch", "本科生第一党支部")
    group = factories.org(branch, "party_group", "第一党小组")
    factories.superuser("root")
    worker = factories.user_with_role("worker", branch)
    zhang = factories.person(branch, name="张三", group=group)
    services.base_set(
        actor=worker,
        person=zhang,
        effective_month=dt.date(2026, 1, 1),
        category="employee",
        base=Decimal("4567.00"),
        today=TODAY,
    )
    run_months(worker, branch, dt.date(2026, 9, 1), NOV)
    leader = factories.user_with_role("leader", group, kind="group_leader")
    leader.set_password("s3cret-pass")
    leader.save()

    page = browser.new_page(viewport={"width": 375, "height": 800})
    blocked = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security" in m.text else None)
    page.goto(f"{live_server.url}/dues/")
    page.fill("input[name=username]", "leader")
    page.fill("input[name=password]", "s3cret-pass")
    page.click("button[type=submit]")
    page.wait_for_url(f"**/dues/orgs/{group.pk}/collect/")

    row = page.locator(f"#sheet-row-{zhang.pk}")
    expect(row.get_by_text("未交")).to_be_visible()
    page.select_option(f"#method-{zhang.pk}", "bank_transfer")
    row.get_by_role("button", name="收取 137.01元（3个月）").click()

    expect(row.get_by_text("已收取张三党费137.01元（3个月）。")).to_be_visible()
    expect(row.get_by_text("已交", exact=True)).to_be_visible()
    assert page.url.endswith(f"/dues/orgs/{group.pk}/collect/")  # swapped in place
    box = row.bounding_box()
    assert box is not None and box["width"] <= 375
    assert blocked == []
    assert (
        list(
            LedgerEntry.objects.filter(person=zhang, kind=EntryKind.PAYMENT).values_list(
                "method", flat=True
            )
        )
        == ["bank_transfer"] * 3
    )
