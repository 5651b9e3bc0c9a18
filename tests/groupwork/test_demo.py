"""The demo's group work: every group with members gets tasks, notes, opinions, last month's
submitted summary and this month's draft; the xiaozu user's group shows every state."""

import datetime as dt

import pytest
from django.db import transaction

from dangwu.accounts.models import User
from dangwu.core.demo import build_demo
from dangwu.core.demo_groupwork import build_demo_groupwork
from dangwu.core.scope import scope_for
from dangwu.groupwork import selectors
from dangwu.groupwork.models import PeriodSummary

TODAY = dt.date(2026, 11, 22)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        result = build_demo(today=TODAY)
        if not PeriodSummary.objects.exists():  # until demo.py calls it
            admin = User.objects.get(username="admin")
            result.counts.update(build_demo_groupwork(admin=admin, today=TODAY))
        yield result
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_the_xiaozu_workspace_shows_every_state(demo):
    user = User.objects.get(username="xiaozu")
    scope = scope_for(user)
    [(group, _branch)] = selectors.my_groups(scope)

    ws = selectors.workspace(scope, group, today=TODAY)

    assert (len(ws.open_tasks), len(ws.overdue_tasks), len(ws.to_check)) == (2, 1, 1)
    assert sorted(o.status for o in ws.opinions) == ["open", "reported"]
    assert len(ws.notes) == 4
    assert [(s.period, s.status) for s in ws.summaries] == [
        ("2026-11", "draft"),
        ("2026-10", "submitted"),
    ]


@pytest.mark.django_db
def test_every_group_with_members_has_two_summaries(demo):
    counts = demo.counts

    assert counts["periodsummary"] == 2 * PeriodSummary.objects.filter(status="submitted").count()
    assert counts["grouptask"] >= counts["periodsummary"]
    paid = [s.figures["dues_collected"] for s in PeriodSummary.objects.filter(period="2026-10")]
    assert any(amount != "0.00" for amount in paid)
