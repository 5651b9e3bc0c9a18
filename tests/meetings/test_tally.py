"""The daily tallies a large committee's table reads: the same counts as the live table,
refreshed in place, shown with the day they were computed; the worker refreshes them."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from dangwu.core.scope import scope_for
from dangwu.meetings.compliance import subtree_compliance
from dangwu.meetings.models import ComplianceTally
from dangwu.meetings.services.tally import compliance_tally_refresh
from dangwu.meetings.tasks import refresh_compliance_tallies
from tests import factories
from tests.meetings.test_views_compliance import TODAY, get, lively  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


def counts(table):
    return [(r.org.name, r.errors, r.warnings, r.code_counts) for r in table.rows]


def test_tallies_hold_the_same_counts_as_the_live_table(lively, admin_user, settings):  # noqa: F811
    live = subtree_compliance(scope_for(admin_user), lively.committee, year=2026, today=TODAY)

    assert compliance_tally_refresh(year=2026, today=TODAY) == 2
    settings.DANGWU = {**settings.DANGWU, "MEETINGS": {"live_table_limit": 1}}
    stored = subtree_compliance(scope_for(admin_user), lively.committee, year=2026, today=TODAY)

    assert counts(stored) == counts(live)
    assert (stored.errors, stored.warnings, stored.by_period) == (
        live.errors,
        live.warnings,
        live.by_period,
    )
    assert (live.computed_on, stored.computed_on, stored.untallied) == (None, TODAY, 0)


def test_a_second_refresh_replaces_the_rows(lively):  # noqa: F811
    compliance_tally_refresh(year=2026, today=TODAY - dt.timedelta(days=1))
    factories.meeting(lively.branch, "theme_day", dt.date(2026, 3, 28))  # March's gap filled

    compliance_tally_refresh(year=2026, today=TODAY)

    assert ComplianceTally.objects.count() == 2
    row = ComplianceTally.objects.get(organization=lively.branch)
    assert (row.computed_on, row.errors, row.by_code) == (TODAY, 0, {})


def test_the_page_says_when_the_tallies_were_computed_and_who_is_missing(
    client,
    viewers,
    lively,  # noqa: F811
    settings,
):
    compliance_tally_refresh(year=2026, today=TODAY)
    newcomer = factories.org(lively.college, "branch", "新成立党支部")
    settings.DANGWU = {**settings.DANGWU, "MEETINGS": {"live_table_limit": 1}}
    client.force_login(viewers["ancestor"])

    response = get(client, lively.committee, year="2026")

    table = response.context["table"]
    assert [r.org.name for r in table.rows] == ["教工党支部", "本科生第一党支部"]
    assert (table.branch_count, table.untallied) == (3, 1)
    html = response.content.decode()
    assert "本表为后台任务每日统计的结果（统计于2026-11-22）" in html
    assert "另有1个党支部尚未统计" in html
    assert reverse("meetings:compliance", args=[newcomer.pk]) not in html


def test_the_task_tallies_this_year(lively, monkeypatch, settings):  # noqa: F811
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    monkeypatch.setattr("dangwu.core.clock.today", lambda: TODAY)

    result = refresh_compliance_tallies.enqueue()

    assert result.return_value == 2
    assert set(ComplianceTally.objects.values_list("year", "computed_on")) == {(2026, TODAY)}


def test_the_task_also_tallies_last_year_in_january_and_february(lively, monkeypatch, settings):  # noqa: F811
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    monkeypatch.setattr("dangwu.core.clock.today", lambda: dt.date(2027, 2, 28))

    assert refresh_compliance_tallies.enqueue().return_value == 4

    assert sorted(set(ComplianceTally.objects.values_list("year", flat=True))) == [2026, 2027]


def test_the_tally_command_stores_a_past_year(lively, monkeypatch):  # noqa: F811
    monkeypatch.setattr("dangwu.core.clock.today", lambda: TODAY)
    out = io.StringIO()

    call_command("tally", "--year", "2025", stdout=out)

    assert out.getvalue() == "2025年组织生活落实情况已统计：2个党支部（统计于2026-11-22）。\n"
    assert set(ComplianceTally.objects.values_list("year", flat=True)) == {2025}


@pytest.mark.parametrize("year", ["1999", "2027"])
def test_the_tally_command_refuses_a_year_out_of_range(lively, monkeypatch, year):  # noqa: F811
    monkeypatch.setattr("dangwu.core.clock.today", lambda: TODAY)

    with pytest.raises(CommandError, match="年份应在2000至2026之间"):
        call_command("tally", "--year", year)

    assert not ComplianceTally.objects.exists()
