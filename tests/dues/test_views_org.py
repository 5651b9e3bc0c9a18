"""The organization dues pages: permission matrix, where /dues/ sends each user, the collection
sheet's "收取" (htmx and plain), bad parameters, the monthly run, hand-overs, arrears decisions
that change nothing when refused, and query counts that do not grow with the rows."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from dangwu.dues import charts, services
from dangwu.dues.models import (
    ArrearsCase,
    ArrearsResolution,
    AssessmentRun,
    EntryKind,
    LedgerEntry,
    Remittance,
)
from dangwu.dues.rules import DUES_RULES
from dangwu.dues.selectors import MonthFigures
from tests import factories
from tests.dues.conftest import NOV, run_months
from tests.members.test_views import assert_status, login, texts

TODAY = dt.date(2026, 11, 22)
HTMX = {"HX-Request": "true"}
MATRIX = [
    ("anonymous", 302),
    ("no_role", 404),
    ("sibling", 404),
    ("own_org", 200),
    ("ancestor", 200),
]
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen(monkeypatch):
    """The pages read ``today`` from the clock: pin it to 2026-11-22."""
    monkeypatch.setattr("dangwu.dues.views_org.today", lambda: TODAY)


@pytest.fixture
def owing(tree, worker, member):
    """张三 owes September to November: 3 × 45.67 = 137.01."""
    run_months(worker, tree.branch, dt.date(2026, 9, 1), NOV)
    return member


def payments(person):
    return list(
        LedgerEntry.objects.filter(person=person, kind=EntryKind.PAYMENT)
        .order_by("month")
        .values_list("month", "amount", "batch")
    )


def tick(client, org, person, *, key="k-0001", through="2026-11", method="cash", htmx=True):
    data = {"person": person.pk, "through": through, "method": method, "key": key}
    data["month"] = "2026-11"
    headers = HTMX if htmx else {}
    return client.post(reverse("dues:sheet", args=[org.pk]), data, headers=headers)


# --- permission matrix ------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["sheet", "summary", "arrears", "unbased"])
@pytest.mark.parametrize(("who", "expected"), MATRIX)
def test_org_pages_permission_matrix(client, viewers, owing, tree, page, who, expected):
    response = login(client, viewers, who).get(reverse(f"dues:{page}", args=[tree.branch.pk]))

    assert_status(response, expected)


@pytest.mark.parametrize("page", ["sheet", "summary", "arrears", "unbased"])
def test_a_missing_organization_is_404(client, viewers, page):
    response = login(client, viewers, "ancestor").get(reverse(f"dues:{page}", args=[999999]))

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("who", "target"),
    [
        ("own_org", ("dues:summary", "branch")),
        ("ancestor", ("dues:summary", "committee")),
        ("sibling", ("dues:summary", "sibling")),
        ("leader", ("dues:sheet", "group")),
        ("admin", ("dues:summary", "committee")),
    ],
)
def test_dues_home_sends_each_user_where_they_work(client, viewers, tree, admin_user, who, target):
    users = {
        **viewers,
        "leader": factories.user_with_role("leader", tree.group, kind="group_leader"),
        "admin": admin_user,
    }
    client.force_login(users[who])

    response = client.get(reverse("dues:home"))

    name, org = target
    assert response.status_code == 302
    assert response.url == reverse(name, args=[getattr(tree, org).pk])


def test_dues_home_sends_a_member_without_a_role_to_their_own_dues(client, viewers):
    response = login(client, viewers, "no_role").get(reverse("dues:home"))

    assert (response.status_code, response.url) == (302, reverse("dues:me"))


def test_dues_home_asks_an_anonymous_visitor_to_log_in(client):
    assert_status(client.get(reverse("dues:home")), 302)


# --- the collection sheet -----------------------------------------------------------------------


def test_sheet_shows_who_owes_what(client, tree, worker, owing):
    factories.person(tree.branch, name="王强", group=tree.group)
    client.force_login(worker)

    response = client.get(reverse("dues:sheet", args=[tree.branch.pk]))

    rows = {r.row.person.name: r.row for r in response.context["rows"]}
    assert (rows["张三"].state, rows["张三"].due_total) == ("unpaid", Decimal("137.01"))
    assert rows["王强"].state == "no_base"
    t = response.context["totals"]
    assert (t.members, t.assessed_count, t.assessed, t.paid_count, t.unpaid_count) == (
        2,
        1,
        Decimal("45.67"),
        0,
        1,
    )
    body = response.content.decode()
    assert "收取 137.01元（3个月）" in body
    assert "未核定基数" in body
    assert 'style="' not in body and "<script>" not in body


def test_tick_via_htmx_swaps_the_row_and_writes_one_payment(client, tree, worker, owing):
    client.force_login(worker)

    response = tick(client, tree.branch, owing)

    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "dues/_sheet_row.html"
    body = response.content.decode()
    assert body.strip().startswith(f'<tr id="sheet-row-{owing.pk}"')
    assert "已收取张三党费137.01元（3个月）。" in body
    assert "已交" in body
    assert payments(owing) == [
        (dt.date(2026, 9, 1), Decimal("45.67"), "k-0001"),
        (dt.date(2026, 10, 1), Decimal("45.67"), "k-0001"),
        (dt.date(2026, 11, 1), Decimal("45.67"), "k-0001"),
    ]


def test_the_same_key_again_writes_nothing(client, tree, worker, owing):
    client.force_login(worker)
    tick(client, tree.branch, owing)
    before = payments(owing)

    response = tick(client, tree.branch, owing)

    assert "该笔缴费此前已登记（137.01元，3个月），未重复记账。" in response.content.decode()
    assert payments(owing) == before


def test_tick_refused_shows_the_reason_in_the_row_and_changes_nothing(client, tree, worker, owing):
    client.force_login(worker)
    tick(client, tree.branch, owing)
    before = payments(owing)

    response = tick(client, tree.branch, owing, key="k-0002")

    body = response.content.decode()
    assert response.status_code == 200
    assert "张三的党费已交至2026年11月，目前没有应交未交的党费。" in body
    assert 'role="alert"' in body
    assert payments(owing) == before


def test_tick_with_a_bad_method_changes_nothing(client, tree, worker, owing):
    client.force_login(worker)

    response = tick(client, tree.branch, owing, method="cheque")

    assert "cheque" in response.content.decode()
    assert 'role="alert"' in response.content.decode()
    assert payments(owing) == []


def test_tick_without_htmx_redirects_back_with_a_message(client, tree, worker, owing):
    client.force_login(worker)

    response = tick(client, tree.branch, owing, htmx=False)

    assert response.status_code == 302
    assert response.url == reverse("dues:sheet", args=[tree.branch.pk]) + "?month=2026-11"
    page = client.get(response.url)
    assert texts(page) == ["已收取张三党费137.01元（3个月）。"]
    assert len(payments(owing)) == 3


def test_group_leader_collects_on_the_group_sheet(client, tree, owing):
    leader = factories.user_with_role("leader", tree.group, kind="group_leader")
    client.force_login(leader)

    page = client.get(reverse("dues:sheet", args=[tree.group.pk]))
    response = tick(client, tree.group, owing)

    assert "收取 137.01元（3个月）" in page.content.decode()
    assert "已收取张三党费137.01元（3个月）。" in response.content.decode()
    assert len(payments(owing)) == 3


def test_a_viewer_without_the_dues_permission_cannot_collect(client, tree, owing):
    secretary = factories.user_with_role("sec", tree.branch, kind="secretary")
    client.force_login(secretary)

    page = client.get(reverse("dues:sheet", args=[tree.branch.pk]))
    response = tick(client, tree.branch, owing)

    assert page.status_code == 200
    assert "tick-form" not in page.content.decode()
    assert response.status_code == 404
    assert payments(owing) == []


def test_tick_for_a_person_outside_the_sheet_is_404(client, tree, worker, owing):
    other = factories.person(tree.sibling, name="赵六")
    client.force_login(worker)

    response = tick(client, tree.branch, other)

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("month", "message"),
    [
        ("2026-13", "月份格式应为“年-月”，如2026-11，收到：2026-13。已显示2026年11月的收缴表。"),
        ("abc", "月份格式应为“年-月”，如2026-11，收到：abc。已显示2026年11月的收缴表。"),
        ("2020-01", "只能查看本月及之前12个月的收缴表，已显示2026年11月。"),
        ("2026-12", "只能查看本月及之前12个月的收缴表，已显示2026年11月。"),
    ],
)
def test_a_bad_month_shows_this_month_with_a_message(client, tree, worker, owing, month, message):
    client.force_login(worker)

    response = client.get(reverse("dues:sheet", args=[tree.branch.pk]), {"month": month})

    assert response.status_code == 200
    assert response.context["month"] == NOV
    assert texts(response) == [message]


def test_an_earlier_month_shows_that_month(client, tree, worker, owing):
    client.force_login(worker)

    response = client.get(reverse("dues:sheet", args=[tree.branch.pk]), {"month": "2026-09"})

    [row] = response.context["rows"]
    assert (response.context["month"], row.row.state, row.through) == (
        dt.date(2026, 9, 1),
        "unpaid",
        dt.date(2026, 9, 1),
    )
    assert "收取 45.67元（1个月）" in response.content.decode()


def test_above_a_branch_the_sheet_is_paged(
    client, tree, worker, owing, settings, django_assert_max_num_queries
):
    settings.DANGWU = {**settings.DANGWU, "PAGE_SIZE": 2}
    for name in ["甲一", "乙二"]:
        factories.person(tree.sibling, name=name)
    anc = factories.user_with_role("anc2", tree.college)
    client.force_login(anc)

    with django_assert_max_num_queries(20):
        response = client.get(reverse("dues:sheet", args=[tree.college.pk]), {"page": 2})

    page = response.context["page_obj"]
    assert (page.number, page.paginator.count, len(response.context["rows"])) == (2, 3, 1)
    assert response.context["totals"].assessed == Decimal("45.67")


@pytest.mark.parametrize("extra", [0, 12])
def test_sheet_query_count_does_not_grow_with_rows(
    client, tree, worker, owing, extra, django_assert_max_num_queries
):
    for i in range(extra):
        p = factories.person(tree.branch, name=f"成员{i:02d}", group=tree.group)
        services.base_set(
            actor=worker,
            person=p,
            effective_month=dt.date(2026, 1, 1),
            category="student",
            today=TODAY,
        )
    client.force_login(worker)

    with django_assert_max_num_queries(9):
        response = client.get(reverse("dues:sheet", args=[tree.branch.pk]))

    assert len(response.context["rows"]) == 1 + extra


# --- the summary, the monthly run, the hand-over -----------------------------------------------


def test_summary_shows_months_chart_and_forms(client, tree, worker, owing):
    services.payment_record(
        actor=worker,
        person=owing,
        through_month=dt.date(2026, 9, 1),
        idempotency_key="p1",
        today=TODAY,
    )
    client.force_login(worker)

    response = client.get(reverse("dues:summary", args=[tree.branch.pk]))

    s = response.context["s"]
    assert (s.months[8].assessed, s.months[8].paid, s.months[8].rate) == (
        Decimal("45.67"),
        Decimal("45.67"),
        Decimal("100.0"),
    )
    assert s.pending == Decimal("45.67")
    body = response.content.decode()
    assert body.count('class="bar-assessed"') == 12
    assert "生成应缴党费" in body and "登记上缴" in body
    assert 'style="' not in body


def test_summary_for_a_viewer_has_no_forms(client, tree, owing):
    secretary = factories.user_with_role("sec", tree.branch, kind="secretary")
    client.force_login(secretary)

    body = client.get(reverse("dues:summary", args=[tree.branch.pk])).content.decode()

    assert reverse("dues:assess", args=[tree.branch.pk]) not in body
    assert reverse("dues:remit", args=[tree.branch.pk]) not in body


@pytest.mark.parametrize("year", ["20x6", "²", "9" * 5000])
def test_summary_with_a_bad_year_shows_this_year(client, tree, worker, owing, year):
    client.force_login(worker)

    response = client.get(reverse("dues:summary", args=[tree.branch.pk]), {"year": year})

    assert response.context["year"] == 2026
    assert texts(response) == ["年份应为2000至2026之间的整数，已显示2026年。"]


def test_summary_of_a_committee_lists_children_in_bounded_queries(
    client, viewers, tree, owing, django_assert_max_num_queries
):
    client = login(client, viewers, "ancestor")

    with django_assert_max_num_queries(17):
        response = client.get(reverse("dues:summary", args=[tree.committee.pk]))

    assert [(org.name, f.assessed) for org, f in response.context["s"].children] == [
        ("计算机学院党总支", Decimal("137.01"))
    ]


def test_summary_of_a_party_group_goes_to_its_sheet(client, tree, worker):
    client.force_login(worker)

    response = client.get(reverse("dues:summary", args=[tree.group.pk]))

    assert response.url == reverse("dues:sheet", args=[tree.group.pk])


@pytest.mark.parametrize(
    ("top", "ceiling"),
    [("0.20", "0.2"), ("45.67", "50"), ("91.94", "100"), ("548.04", "600"), ("1011.34", "2000")],
)
def test_chart_top_line_is_a_round_number(top, ceiling):
    assert charts.nice_ceiling(Decimal(top)) == Decimal(ceiling)


def test_chart_bars_scale_to_the_top_line():
    months = [MonthFigures(month=dt.date(2026, m, 1)) for m in range(1, 13)]
    months[0].assessed, months[0].paid = Decimal("91.94"), Decimal("45.97")

    chart = charts.month_bars(months)

    jan_assessed, jan_paid = chart["bars"][:2]
    assert (jan_assessed["h"], jan_paid["h"], chart["grid"][-1]["value"]) == (
        Decimal("183.9"),
        Decimal("91.9"),
        Decimal("100"),
    )
    assert charts.month_bars([MonthFigures(month=dt.date(2026, 1, 1))]) is None


def test_run_via_post_shows_what_it_created_and_a_second_run_adds_nothing(
    client, tree, worker, member
):
    client.force_login(worker)
    url = reverse("dues:assess", args=[tree.branch.pk])

    first = client.post(url, {"month": "2026-11"}, follow=True)
    count = LedgerEntry.objects.count()
    second = client.post(url, {"month": "2026-11"}, follow=True)

    assert texts(first) == ["已生成2026年11月应缴党费：新增1条，合计45.67元。"]
    assert texts(second) == ["本月应缴已全部生成，未新增记录。"]
    assert LedgerEntry.objects.count() == count == 1
    assert second.redirect_chain == [(reverse("dues:summary", args=[tree.branch.pk]), 302)]


def test_run_for_a_month_not_offered_is_refused_and_changes_nothing(client, tree, worker, member):
    client.force_login(worker)

    response = client.post(reverse("dues:assess", args=[tree.branch.pk]), {"month": "2026-12"})

    assert response.status_code == 200
    assert response.context["run_form"].errors["month"] == [
        "选择一个有效的选项。 2026-12 不在可用的选项中。"
    ]
    assert (AssessmentRun.objects.count(), LedgerEntry.objects.count()) == (0, 0)


@pytest.mark.parametrize(("who", "expected"), MATRIX)
def test_run_permission_matrix(client, viewers, tree, member, who, expected):
    response = login(client, viewers, who).post(
        reverse("dues:assess", args=[tree.branch.pk]), {"month": "2026-11"}
    )

    if expected == 200:
        assert response.url == reverse("dues:summary", args=[tree.branch.pk])
    else:
        assert_status(response, expected)
    assert AssessmentRun.objects.count() == (1 if expected == 200 else 0)


def test_remittance_post_records_the_hand_over(client, tree, worker, owing):
    services.payment_record(actor=worker, person=owing, idempotency_key="p1", today=TODAY)
    client.force_login(worker)
    data = {"handed_on": "2026-11-20", "received_by": "校党委组织部", "key": "r-1"}

    response = client.post(reverse("dues:remit", args=[tree.branch.pk]), data, follow=True)

    assert texts(response) == ["已登记上缴党费137.01元（2026-11-20）。"]
    [row] = Remittance.objects.all()
    assert (row.amount, row.received_by) == (Decimal("137.01"), "校党委组织部")


def test_remittance_with_nothing_to_hand_up_changes_nothing(client, tree, worker, owing):
    client.force_login(worker)
    data = {"handed_on": "2026-11-20", "received_by": "", "key": "r-2"}

    response = client.post(reverse("dues:remit", args=[tree.branch.pk]), data)

    assert response.status_code == 200
    assert response.context["remit_form"].non_field_errors() == ["自上次上缴以来没有新收缴的党费。"]
    assert Remittance.objects.count() == 0


def test_get_on_a_post_handler_goes_back_to_the_summary(client, tree, worker):
    client.force_login(worker)

    response = client.get(reverse("dues:remit", args=[tree.branch.pk]))

    assert response.url == reverse("dues:summary", args=[tree.branch.pk])


# --- arrears ---------------------------------------------------------------------------------


@pytest.fixture
def case(tree, worker, member):
    """张三 has not paid May to November: six months overdue, a case opened."""
    run_months(worker, tree.branch, dt.date(2026, 5, 1), NOV)
    return services.arrears_case_open(actor=worker, person=member, today=TODAY)


def test_arrears_page_lists_the_finding_and_the_open_case(
    client, tree, worker, case, django_assert_max_num_queries
):
    client.force_login(worker)

    with django_assert_max_num_queries(11):
        response = client.get(reverse("dues:arrears", args=[tree.branch.pk]))

    [item] = response.context["items"]
    assert (item.row.months, item.row.open_case, item.can_open) == (6, case, False)
    body = response.content.decode()
    assert "DUES-ARREARS-6" in body
    assert f"{DUES_RULES}第十三条；《中国共产党章程》第九条" in body
    assert reverse("dues:arrears_decide", args=[case.pk]) in body


def test_arrears_page_offers_to_open_a_case_at_six_months(client, tree, worker, member):
    run_months(worker, tree.branch, dt.date(2026, 5, 1), NOV)
    client.force_login(worker)

    response = client.get(reverse("dues:arrears", args=[tree.branch.pk]))

    [item] = response.context["items"]
    assert item.can_open
    assert reverse("dues:arrears_open", args=[member.pk]) in response.content.decode()


def test_arrears_decide_without_a_reason_shows_the_error_and_changes_nothing(
    client, tree, worker, case
):
    client.force_login(worker)
    data = {"resolution": "justified", "reason": "", "approved_by": "", "decided_on": "2026-11-22"}
    data["org"] = tree.branch.pk

    response = client.post(reverse("dues:arrears_decide", args=[case.pk]), data)

    assert response.status_code == 200
    [item] = response.context["items"]
    assert item.form.errors == {
        "reason": ["请写明理由或情况。"],
        "approved_by": ["正当理由须经批准，请填写批准人或批准文件。"],
    }
    case.refresh_from_db()
    assert (case.resolution, case.decided_on) == (ArrearsResolution.OPEN, None)


def test_arrears_decide_closes_the_case(client, tree, worker, case):
    client.force_login(worker)
    data = {
        "resolution": "justified",
        "reason": "长期病休住院，经支部了解属实",
        "approved_by": "校党委组织部",
        "decided_on": "2026-11-22",
        "org": tree.branch.pk,
    }

    response = client.post(reverse("dues:arrears_decide", args=[case.pk]), data, follow=True)

    assert texts(response) == ["张三的欠缴党费处置已办结：有正当理由（已批准）。"]
    case.refresh_from_db()
    assert (case.resolution, case.decided_on) == ("justified", TODAY)


@pytest.mark.parametrize(("who", "expected"), [("sibling", 404), ("no_role", 404)])
def test_arrears_decide_outside_scope_is_404(client, viewers, tree, case, who, expected):
    data = {"resolution": "settled", "decided_on": "2026-11-22"}

    response = login(client, viewers, who).post(
        reverse("dues:arrears_decide", args=[case.pk]), data
    )

    assert response.status_code == expected
    assert ArrearsCase.objects.get(pk=case.pk).resolution == ArrearsResolution.OPEN


# --- members without a base ---------------------------------------------------------------------


def test_unbased_lists_members_without_a_base(client, tree, worker, member):
    wang = factories.person(tree.branch, name="王强", group=tree.group)
    client.force_login(worker)

    response = client.get(reverse("dues:unbased", args=[tree.branch.pk]))

    assert [p.name for p in response.context["page_obj"]] == ["王强"]
    assert reverse("dues:base", args=[wang.pk]) in response.content.decode()
