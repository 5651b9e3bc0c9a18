"""The administrator's holiday schedule pages: ``/workdays/`` and ``/workdays/<year>/``."""

import datetime as dt
import re

import pytest

from dangwu.core import views_calendar, workcal_db
from dangwu.core.models import HolidaySchedule
from dangwu.core.workcal import CalendarDataMissing
from tests import factories

D = dt.date
LIST = "/workdays/"
YEAR_2027 = "/workdays/2027/"
FORM_2027 = {
    "rest_days": "2027-01-01至2027-01-03\n2/6至2/14",
    "makeup_workdays": "2/20",
    "source": "国办发明电〔2026〕7号",
}


@pytest.fixture(autouse=True)
def _december_2026(monkeypatch):
    monkeypatch.setattr(views_calendar, "today", lambda: D(2026, 12, 3))


def _html(response) -> str:
    return response.content.decode()


def _assert_no_inline_code(html: str) -> None:
    assert "style=" not in html
    assert "<style" not in html
    assert re.search(r"<script\b(?![^>]*\bsrc=)", html) is None


def _table():
    return list(
        HolidaySchedule.objects.order_by("year").values_list(
            "year", "rest_days", "makeup_workdays", "source", "updated_by", "updated_at"
        )
    )


# --- permission matrix ----------------------------------------------------------------------


@pytest.mark.parametrize("url", [LIST, YEAR_2027, "/workdays/2026/"])
def test_anonymous_visitor_is_sent_to_login(client, db, url):
    response = client.get(url)

    assert (response.status_code, response.url) == (302, f"/login/?next={url}")


@pytest.mark.parametrize("who", ["no_role", "sibling", "own_org", "ancestor"])
@pytest.mark.parametrize("url", [LIST, YEAR_2027, "/workdays/2026/"])
def test_anyone_but_a_superuser_gets_404(client, viewers, who, url):
    client.force_login(viewers[who])

    assert client.get(url).status_code == 404


@pytest.mark.parametrize("kind", ["party_worker", "secretary", "committee_member", "group_leader"])
def test_a_post_by_a_role_holder_is_404_and_saves_nothing(client, tree, kind):
    client.force_login(factories.user_with_role("u", tree.committee, kind=kind))
    before = _table()

    response = client.post(YEAR_2027, FORM_2027)

    assert response.status_code == 404
    assert _table() == before


def test_superuser_sees_both_pages(client, admin_user):
    client.force_login(admin_user)

    listing = client.get(LIST)
    year = client.get("/workdays/2026/")

    assert (listing.status_code, year.status_code) == (200, 200)
    _assert_no_inline_code(_html(listing))
    _assert_no_inline_code(_html(year))
    assert '<link rel="stylesheet" href="/static/dangwu/workdays.css">' in _html(listing)
    assert '<link rel="stylesheet" href="/static/dangwu/workdays.css">' in _html(year)


@pytest.mark.parametrize("url", ["/workdays/1948/", "/workdays/2201/"])
def test_a_year_outside_the_table_range_is_404(client, admin_user, url):
    client.force_login(admin_user)

    assert client.get(url).status_code == 404


# --- the list ---------------------------------------------------------------------------------


def test_list_shows_each_year_with_its_counts_and_asks_for_2027(client, admin_user):
    client.force_login(admin_user)

    html = _html(client.get(LIST))

    assert "已载入 2004–2026 年，共 23 年" in html
    assert '<a class="btn btn-small btn-primary" href="/workdays/2027/">录入2027年</a>' in html
    assert "尚未录入2027年节假日安排" in html
    assert "尚未录入2026年节假日安排" not in html
    row_2026 = re.search(r'<a href="/workdays/2026/">2026年</a></th>(.*?)</tr>', html, re.S)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row_2026.group(1), re.S)
    assert cells[:3] == ["33", "6", "国务院办公厅节假日安排通知（随 Dangwu 发布）"]
    assert html.index("/workdays/2026/") < html.index("/workdays/2004/")  # newest first


def test_list_after_2027_is_entered_asks_for_nothing_and_names_who(client, admin_user):
    client.force_login(admin_user)
    client.post(YEAR_2027, FORM_2027)

    html = _html(client.get(LIST))

    assert "已载入 2004–2027 年，共 24 年" in html
    assert "尚未录入" not in html
    assert '<a class="btn btn-small btn-primary" href="/workdays/2028/">录入2028年</a>' in html
    row_2027 = re.search(r'<a href="/workdays/2027/">2027年</a></th>(.*?)</tr>', html, re.S)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row_2027.group(1), re.S)
    assert cells[:3] == ["12", "1", "国办发明电〔2026〕7号"]
    assert cells[3].startswith("admin<br>")


def test_list_costs_the_same_queries_whatever_the_number_of_years(
    client, admin_user, django_assert_max_num_queries
):
    client.force_login(admin_user)
    # session, user, roles, the years, unread notifications
    with django_assert_max_num_queries(5):
        client.get(LIST)
    client.post(YEAR_2027, FORM_2027)
    client.post("/workdays/2028/", {"rest_days": "2028-01-01", "makeup_workdays": ""})

    with django_assert_max_num_queries(5):
        response = client.get(LIST)

    assert "共 25 年" in _html(response)


def test_list_year_box_goes_to_the_year(client, admin_user):
    client.force_login(admin_user)

    response = client.get(LIST, {"year": "2030"})

    assert (response.status_code, response.url) == (302, "/workdays/2030/")


@pytest.mark.parametrize(
    "raw",
    ["二〇三〇", "1900", "２０３０", "²⁰³⁰", "9" * 5000],
    ids=["汉字", "超出范围", "全角数字", "上标数字", "五千位数字"],
)
def test_list_year_box_refuses_other_text(client, admin_user, raw):
    client.force_login(admin_user)

    response = client.get(LIST, {"year": raw})

    assert response.status_code == 200
    assert f"年份应为1949至2200之间的整数，收到：{raw[:20]}。" in _html(response)


# --- one year -------------------------------------------------------------------------------


def test_year_page_shows_the_schedule_as_lines_and_month_grids(client, admin_user):
    client.force_login(admin_user)

    html = _html(client.get("/workdays/2025/"))

    textarea = re.search(r'<textarea name="rest_days"[^>]*>(.*?)</textarea>', html, re.S)
    assert textarea.group(1).strip().splitlines() == [
        "2025-01-01",
        "2025-01-28至2025-02-04",
        "2025-04-04至2025-04-06",
        "2025-05-01至2025-05-05",
        "2025-05-31至2025-06-02",
        "2025-10-01至2025-10-08",
    ]
    makeup = re.search(r'<textarea name="makeup_workdays"[^>]*>(.*?)</textarea>', html, re.S)
    assert makeup.group(1).split() == [
        "2025-01-26",
        "2025-02-08",
        "2025-04-27",
        "2025-09-28",
        "2025-10-11",
    ]
    assert "放假 28 天，调休上班 5 天" in html
    assert '<li>10月1日至10月8日<span class="muted">（8天）</span></li>' in html
    assert '<li>9月28日<span class="muted">（星期日）</span></li>' in html
    assert len(re.findall(r'<section class="wd-month"', html)) == 12
    assert (
        '<li class="wd-day wd-makeup" title="9月28日 调休上班">28'
        '<span class="visually-hidden">班</span></li>'
    ) in html
    assert (
        '<li class="wd-day wd-rest" title="10月1日 放假">1'
        '<span class="visually-hidden">休</span></li>'
    ) in html
    assert '<li class="wd-day wd-weekend">12</li>' in html  # Sunday 12 October
    assert '<li class="wd-day wd-workday">13</li>' in html


def test_year_page_of_a_missing_year_says_so(client, admin_user):
    client.force_login(admin_user)

    html = _html(client.get(YEAR_2027))

    assert '<span class="badge badge-warning">尚未录入</span>' in html
    assert "尚未录入2027年节假日安排。" in html
    assert 'class="wd-month"' not in html


def test_preview_shows_the_months_and_saves_nothing(client, admin_user):
    client.force_login(admin_user)
    before = _table()

    response = client.post(YEAR_2027, {**FORM_2027, "preview": "1"})

    html = _html(response)
    assert response.status_code == 200
    assert "预览（尚未保存）" in html
    assert "放假 12 天，调休上班 1 天" in html
    assert '<li>2月6日至2月14日<span class="muted">（9天）</span></li>' in html
    assert len(re.findall(r'<section class="wd-month"', html)) == 12
    assert _table() == before


def test_saving_a_year_is_seen_by_the_calendar_at_once(client, admin_user):
    client.force_login(admin_user)
    with pytest.raises(CalendarDataMissing):
        workcal_db.calendar().is_workday(D(2027, 2, 20))  # cached without 2027

    response = client.post(YEAR_2027, FORM_2027)

    assert (response.status_code, response.url) == (302, YEAR_2027)
    calendar = workcal_db.calendar()
    assert calendar.is_workday(D(2027, 2, 20)) is True
    assert calendar.is_workday(D(2027, 2, 8)) is False
    assert calendar.workdays(D(2026, 12, 31), 2) == [D(2026, 12, 31), D(2027, 1, 4)]
    row = HolidaySchedule.objects.get(year=2027)
    assert (row.source, row.updated_by, row.makeup_workdays) == (
        "国办发明电〔2026〕7号",
        admin_user,
        ["2027-02-20"],
    )
    html = _html(client.get(YEAR_2027))
    assert "已保存2027年节假日安排：放假12天，调休上班1天。" in html


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        pytest.param(
            {"rest_days": "2027-01-01\n2027-02-30"},
            "rest_days",
            "无法识别“2027-02-30”：日期应写作2027-02-06或2027/2/6，一段日期写作2027-02-06至2027-02-12。",
            id="无法识别的日期",
        ),
        pytest.param(
            {"makeup_workdays": "2/19"},
            "makeup_workdays",
            "调休上班日2027-02-19是星期五，应为星期六或星期日。",
            id="调休上班日不是周末",
        ),
        pytest.param(
            {"rest_days": "2026-12-31至2027-01-03"},
            "rest_days",
            "2026-12-31不在2027年内。",
            id="他年日期",
        ),
        pytest.param(
            {"rest_days": ""},
            "rest_days",
            "请填写2027年的放假日期（至少有元旦）。",
            id="没有放假日期",
        ),
        pytest.param(
            {"source": "文" * 201},
            "source",
            "依据（通知文号）不能超过200个字，现有201个字。",
            id="依据过长",
        ),
    ],
)
@pytest.mark.parametrize("button", [{}, {"preview": "1"}], ids=["保存", "预览"])
def test_bad_input_is_shown_beside_its_field_and_nothing_is_saved(
    client, admin_user, data, field, message, button
):
    client.force_login(admin_user)
    before = _table()

    response = client.post(YEAR_2027, {**FORM_2027, **data, **button})

    html = _html(response)
    assert response.status_code == 200
    assert f'<p class="field-error" id="id_{field}_error">{message}</p>' in html
    assert _table() == before
    assert HolidaySchedule.history.count() == 0
