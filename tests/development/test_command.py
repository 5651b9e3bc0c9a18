"""``dangwu development refresh``: the rule cache rebuilt for a day, for one organization's
subtree or all; bad arguments exit 2 with a Chinese message and change nothing."""

import datetime as dt
import io
import re

import pytest
from django.core.management import call_command

from dangwu.development.models import DevelopmentRecord
from dangwu.development.refresh import refresh_all
from tests.development import board_data

pytestmark = pytest.mark.django_db
SUMMARY = re.compile(r"^(.+)：已刷新(\d+)条(.+)（按(\d{4}-\d{2}-\d{2})计算，用时\d+\.\d秒）。$")


@pytest.fixture
def pipeline(tree, viewers):
    return board_data.build(tree)


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    code = 0
    try:
        call_command("development", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue().strip(), err.getvalue().strip()


def cache():
    return {
        r.person.name: (r.due_on, r.error_count, r.checked_on)
        for r in DevelopmentRecord.objects.select_related("person")
    }


def wipe():
    DevelopmentRecord.objects.update(due_on=None, error_count=0, checked_on=None)


def test_refresh_rebuilds_the_cache_of_open_records(pipeline):
    wipe()

    code, out, err = run("refresh", "--today", "2026-11-22")

    assert (code, err) == (0, "")
    assert SUMMARY.match(out).groups() == (
        "全部党组织",
        "6",
        "进行中的发展党员记录",
        "2026-11-22",
    )
    day = dt.date(2026, 11, 22)
    assert cache() == {
        "王一": (dt.date(2026, 11, 15), 1, day),
        "王二": (dt.date(2026, 12, 1), 0, day),
        "李一": (dt.date(2027, 3, 1), 0, day),
        "赵一": (None, 1, day),
        "钱一": (None, 0, day),
        "孙一": (None, 0, None),  # done: left alone without --all
        "周一": (None, 0, day),
    }


def test_refresh_for_another_day(pipeline):
    code, _, _ = run("refresh", "--today", "2026-11-10")

    assert code == 0
    assert cache()["王一"] == (dt.date(2026, 11, 15), 0, dt.date(2026, 11, 10))  # not late yet


def test_refresh_of_one_organization_and_all_records(tree, pipeline):
    wipe()

    code, out, _ = run("refresh", "--org", tree.sibling.code, "--today", "2026-11-22", "--all")

    assert code == 0
    assert SUMMARY.match(out).groups()[:3] == ("教工党支部及其下级", "1", "发展党员记录")
    assert {name for name, (_, _, checked) in cache().items() if checked} == {"周一"}


def test_refresh_all_includes_closed_records(pipeline):
    wipe()

    code, out, _ = run("refresh", "--all", "--today", "2026-11-22")

    assert SUMMARY.match(out).groups()[1] == "7"
    assert cache()["孙一"] == (None, 0, dt.date(2026, 11, 22))


def test_refresh_defaults_to_today(pipeline, monkeypatch):
    monkeypatch.setattr("dangwu.core.clock.today", lambda: dt.date(2026, 11, 23))

    code, out, _ = run("refresh")

    assert code == 0
    assert SUMMARY.match(out).groups()[3] == "2026-11-23"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--org", "NOPE"), "未找到编码为“NOPE”的党组织。"),
        (("--today", "2026-13-01"), "日期应为YYYY-MM-DD格式的有效日期，收到：2026-13-01。"),
        (("--today", "20261122"), "日期应为YYYY-MM-DD格式的有效日期，收到：20261122。"),
    ],
)
def test_bad_arguments_exit_2_in_chinese_and_change_nothing(pipeline, args, message):
    wipe()
    before = cache()

    code, out, err = run("refresh", *args)

    assert (code, out, err) == (2, "", message)
    assert cache() == before


def test_refresh_all_in_chunks_gives_the_same_cache(tree, pipeline, django_assert_max_num_queries):
    wipe()

    # settings, calendar; per chunk of 2: records, 3 for the timelines, the bulk update
    # (a savepoint pair around it); 3 chunks and the empty fourth read
    with django_assert_max_num_queries(2 + 3 * 7 + 1):
        n = refresh_all(dt.date(2026, 11, 22), tree.committee, chunk=2)

    assert n == 6
    assert cache()["王一"] == (dt.date(2026, 11, 15), 1, dt.date(2026, 11, 22))
