"""A member's dues pages: permission matrix, the member's own page, payments written once,
bases refused with Chinese messages beside the field, reversals, voluntary dues, queries."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dangwu.dues import services
from dangwu.dues.models import ArrearsCase, DuesAccount, DuesBase, LedgerEntry
from tests import factories
from tests.dues.conftest import NOV, run_months

TODAY = dt.date(2026, 11, 22)
SEP, OCT, DEC = dt.date(2026, 9, 1), dt.date(2026, 10, 1), dt.date(2026, 12, 1)
DUES_RULES = "《关于中国共产党党费收缴、使用和管理的规定》（中组发〔2008〕3号）"
pytestmark = pytest.mark.django_db

MATRIX = [
    ("anonymous", 302),
    ("no_role", 404),
    ("sibling", 404),
    ("own_org", 200),
    ("ancestor", 200),
]


@pytest.fixture(autouse=True)
def frozen(monkeypatch):
    """The pages read ``today`` from the clock: pin it to 2026-11-22."""
    monkeypatch.setattr("dangwu.core.clock.today", lambda: TODAY)


@pytest.fixture
def owing(tree, worker, member):
    """张三 owes September to November: 3 × 45.67."""
    run_months(worker, tree.branch, SEP, NOV)
    return member


@pytest.fixture
def member_user(member):
    return factories.user_with_role("zhangsan", None, person=member)


def login(client, user):
    if user is not None:
        client.force_login(user)
    return client


def page(person):
    return reverse("dues:person", args=[person.pk])


def texts(response):
    return [str(m) for m in response.context["messages"]]


def payments(person):
    return list(
        LedgerEntry.objects.filter(person=person, kind="payment")
        .order_by("month")
        .values_list("month", "amount")
    )


def pay_data(**overrides):
    data = {
        "through_month": "2026-10",
        "method": "cash",
        "paid_by": "member",
        "paid_on": "2026-11-20",
        "note": "",
        "key": "k-0001",
    }
    data.update(overrides)
    return data


def base_data(**overrides):
    data = {"effective_month": "2027-01", "category": "employee", "base": "6000"}
    data.update(overrides)
    return data


# --- who sees the page ------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "expected"), MATRIX)
def test_person_page_permission_matrix(client, viewers, owing, who, expected):
    response = login(client, viewers[who]).get(page(owing))

    assert response.status_code == expected
    if expected == 302:
        assert response.url == f"{reverse('login')}?next={page(owing)}"
    if expected == 200:
        pd = response.context["pd"]
        assert (pd.paid_through, pd.due_total, pd.arrears_months) == (None, Decimal("137.01"), 2)
        assert "张三的党费" in response.content.decode()


def test_a_member_without_a_role_sees_their_own_record(client, viewers, tree):
    own = viewers["no_role"].person

    response = login(client, viewers["no_role"]).get(page(own))

    assert response.status_code == 200
    assert response.context["access"].self_service is True
    assert response.context["quarterly_form"] is None
    assert reverse("dues:base", args=[own.pk]) not in response.content.decode()


def test_a_missing_person_is_404(client, viewers):
    response = login(client, viewers["ancestor"]).get(reverse("dues:person", args=[999999]))

    assert response.status_code == 404


def test_the_member_sees_their_own_page_at_me(client, owing, member_user):
    response = login(client, member_user).get(reverse("dues:me"))

    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["person"] == owing
    assert "我的党费" in html
    pay = response.context["pay_form"]
    assert pay.fields["method"].choices == [("online", "线上缴纳")]
    assert set(pay.fields) == {"through_month", "method", "note", "key"}
    assert response.context["quarterly_form"] is None
    assert reverse("dues:base", args=[owing.pk]) not in html
    assert "/dues/entries/" not in html  # no reversal links


def test_me_without_a_linked_person_says_so(client, tree):
    user = factories.user_with_role("plain", None)

    response = login(client, user).get(reverse("dues:me"))

    assert response.status_code == 200
    assert "您的账号尚未关联党员档案" in response.content.decode()


def test_the_page_shows_standard_owed_months_and_arrears(client, worker, owing):
    run_months(worker, owing.branch, dt.date(2026, 1, 1), dt.date(2026, 8, 1))

    response = login(client, worker).get(page(owing))

    html = response.content.decode()
    for text in (
        "4567.00元/月",
        "1%",
        "DUES-EMPLOYEE",
        f"{DUES_RULES}第一、二条",
        "已连续10个月未交纳党费。党员连续6个月不交纳党费，又没有正当理由的，按自行脱党处理",
        f"{DUES_RULES}第十三条；《中国共产党章程》第九条",
        "立案处置（连续6个月未交）",
    ):
        assert text in html, text
    assert response.context["pd"].due_total == Decimal("502.37")


def test_payment_options_run_from_the_oldest_month_to_december(client, worker, owing):
    response = login(client, worker).get(page(owing))

    field = response.context["pay_form"]["through_month"]
    assert field.field.widget.choices == [
        ("2026-09", "2026年9月（1个月，45.67元）"),
        ("2026-10", "2026年10月（2个月，91.34元）"),
        ("2026-11", "2026年11月（3个月，137.01元）"),
        ("2026-12", "2026年12月（4个月，182.68元，含预交）"),
    ]
    assert field.value() == "2026-11"


# --- payments ---------------------------------------------------------------------------------


def test_payment_creates_entries_and_says_so(client, worker, owing):
    response = login(client, worker).post(reverse("dues:pay", args=[owing.pk]), pay_data())

    assert response.status_code == 302
    assert response.url == page(owing)
    assert payments(owing) == [(SEP, Decimal("45.67")), (OCT, Decimal("45.67"))]
    entry = LedgerEntry.objects.get(person=owing, kind="payment", month=SEP)
    assert (entry.method, entry.paid_by, entry.paid_on, entry.recorded_by) == (
        "cash",
        "member",
        dt.date(2026, 11, 20),
        worker,
    )
    follow = client.get(response.url)
    assert texts(follow) == ["已登记张三交纳党费91.34元（2个月，交至2026年10月）。"]
    assert follow.context["pd"].paid_through == OCT


def test_a_double_submit_with_the_same_key_writes_once(client, worker, owing):
    client = login(client, worker)
    url = reverse("dues:pay", args=[owing.pk])

    client.post(url, pay_data())
    again = client.post(url, pay_data(), follow=True)

    assert payments(owing) == [(SEP, Decimal("45.67")), (OCT, Decimal("45.67"))]
    assert texts(again)[-1] == "该笔缴费此前已登记（91.34元，2个月），未重复记账。"


def test_the_member_pays_their_own_dues_online(client, owing, member_user):
    response = login(client, member_user).post(
        reverse("dues:pay", args=[owing.pk]),
        {"through_month": "2026-11", "method": "online", "key": "self-1"},
    )

    assert response.url == reverse("dues:me")
    assert [m for m, _ in payments(owing)] == [SEP, OCT, NOV]
    entry = LedgerEntry.objects.filter(person=owing, kind="payment").first()
    assert (entry.method, entry.paid_by, entry.paid_on) == ("online", "member", TODAY)


def test_the_member_cannot_record_cash(client, owing, member_user):
    response = login(client, member_user).post(
        reverse("dues:pay", args=[owing.pk]),
        {"through_month": "2026-11", "method": "cash", "key": "self-2"},
    )

    assert response.status_code == 200
    assert response.context["pay_form"].errors["method"] == [
        "选择一个有效的选项。 cash 不在可用的选项中。"
    ]
    assert payments(owing) == []


@pytest.mark.parametrize(
    ("who", "expected"),
    [("anonymous", 302), ("no_role", 404), ("sibling", 404), ("own_org", 302), ("ancestor", 302)],
)
def test_payment_permission_matrix(client, viewers, owing, who, expected):
    response = login(client, viewers[who]).post(reverse("dues:pay", args=[owing.pk]), pay_data())

    assert response.status_code == expected
    paid = [m for m, _ in payments(owing)]
    assert paid == ([SEP, OCT] if who in ("own_org", "ancestor") else [])


def test_the_group_leader_collects_and_a_secretary_may_not(client, tree, owing):
    leader = factories.user_with_role("leader", tree.group, kind="group_leader")
    secretary = factories.user_with_role("sec", tree.branch, kind="secretary")

    seen = login(client, secretary).get(page(owing))
    refused = client.post(reverse("dues:pay", args=[owing.pk]), pay_data(key="s"))
    done = login(client, leader).post(reverse("dues:pay", args=[owing.pk]), pay_data(key="g"))

    assert (seen.status_code, seen.context["pay_form"]) == (200, None)
    assert refused.status_code == 404
    assert done.status_code == 302
    assert [m for m, _ in payments(owing)] == [SEP, OCT]


def test_a_payment_error_is_shown_beside_the_field_and_nothing_written(client, worker, owing):
    response = login(client, worker).post(
        reverse("dues:pay", args=[owing.pk]), pay_data(paid_on="2026-12-01")
    )

    assert response.status_code == 200
    assert response.context["pay_form"].errors["paid_on"] == ["交纳日期不能晚于今天。"]
    assert payments(owing) == []


def test_an_advance_into_next_year_is_refused(client, worker, owing):
    response = login(client, worker).post(
        reverse("dues:pay", args=[owing.pk]), pay_data(through_month="2027-01")
    )

    assert response.context["pay_form"].errors["through_month"] == [
        "预交党费最多交至当年12月（次年缴费基数尚未核定）。"
    ]
    assert payments(owing) == []


def test_a_long_back_payment_warns_dues_monthly(client, worker, owing):
    run_months(worker, owing.branch, dt.date(2026, 1, 1), dt.date(2026, 8, 1))

    response = login(client, worker).post(
        reverse("dues:pay", args=[owing.pk]), pay_data(through_month="2026-11"), follow=True
    )

    assert texts(response) == [
        "已登记张三交纳党费502.37元（11个月，交至2026年11月）。",
        "本次补交党费10个月，超过6个月；党员应按月交纳党费，补交党费时间一般不超过6个月。"
        f"（{DUES_RULES}第十二条）",
    ]


# --- voluntary dues ---------------------------------------------------------------------------


def test_voluntary_dues_of_1000_show_the_flag(client, worker, owing):
    response = login(client, worker).post(
        reverse("dues:voluntary", args=[owing.pk]),
        {"amount": "1,000", "method": "bank_transfer", "paid_on": "2026-11-22", "key": "v-1"},
        follow=True,
    )

    assert texts(response) == [
        "已登记张三自愿多交党费1000.00元。",
        "本次自愿多交党费1000.00元，单笔1000元以上（含），须全额上缴中央。"
        f"（{DUES_RULES}第十一条）",
    ]
    assert list(
        LedgerEntry.objects.filter(person=owing, kind="voluntary").values_list("amount", flat=True)
    ) == [Decimal("1000.00")]


def test_voluntary_dues_refuse_text_and_write_nothing(client, worker, owing):
    response = login(client, worker).post(
        reverse("dues:voluntary", args=[owing.pk]),
        {"amount": "一千", "method": "cash", "paid_on": "2026-11-22", "key": "v-2"},
    )

    assert response.context["voluntary_form"].errors["amount"] == [
        "自愿多交的党费金额格式不正确：一千。请填写如 4567、4567.50 或 4,567.00。"
    ]
    assert not LedgerEntry.objects.filter(person=owing, kind="voluntary").exists()


# --- the base ---------------------------------------------------------------------------------


def test_base_page_for_editors_only(client, viewers, owing, member_user):
    url = reverse("dues:base", args=[owing.pk])

    assert login(client, viewers["own_org"]).get(url).status_code == 200
    assert login(client, viewers["sibling"]).get(url).status_code == 404
    assert login(client, member_user).get(url).status_code == 404
    assert client.post(url, base_data()).status_code == 404
    assert DuesBase.objects.filter(person=owing).count() == 1


def test_setting_a_base_saves_and_says_the_amount(client, worker, owing):
    response = login(client, worker).post(reverse("dues:base", args=[owing.pk]), base_data())

    assert response.url == page(owing) + "#base"
    row = DuesBase.objects.get(person=owing, effective_month=dt.date(2027, 1, 1))
    assert (row.base, row.amount, row.rule_code) == (
        Decimal("6000.00"),
        Decimal("90.00"),
        "DUES-EMPLOYEE",
    )
    assert texts(client.get(response.url)) == [
        "已核定张三自2027年1月起的党费：每月应交90.00元（DUES-EMPLOYEE）。"
    ]


@pytest.mark.parametrize(
    ("base", "message"),
    [
        ("-100", "缴费基数不能为负数：-100。"),
        ("abc", "缴费基数格式不正确：abc。请填写如 4567、4567.50 或 4,567.00。"),
        ("45.678", "缴费基数最多保留两位小数（精确到分）：45.678。"),
    ],
)
def test_a_bad_base_is_refused_beside_the_field(client, worker, owing, base, message):
    response = login(client, worker).post(
        reverse("dues:base", args=[owing.pk]), base_data(base=base)
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"base": [message]}
    assert message in response.content.decode()
    assert DuesBase.objects.filter(person=owing).count() == 1


def test_a_base_missing_for_an_employee_names_the_rule(client, worker, owing):
    response = login(client, worker).post(reverse("dues:base", args=[owing.pk]), base_data(base=""))

    assert response.context["form"].errors == {"base": ["在职职工须提供缴费基数。"]}
    assert DuesBase.objects.filter(person=owing).count() == 1


def test_hardship_without_approval_shows_dues_hardship(client, worker, owing):
    response = login(client, worker).post(
        reverse("dues:base", args=[owing.pk]),
        base_data(
            reduced_amount="10",
            hardship_reason="家庭重大变故",
            hardship_discussed_on="2026-11-10",
        ),
    )

    message = f"减交党费须经党支部讨论并报上级党委批准，尚缺：上级党委批准。（{DUES_RULES}第七条）"
    assert response.context["form"].errors == {"reduced_amount": [message]}
    assert response.context["form"].hardship_open is True
    assert DuesBase.objects.filter(person=owing).count() == 1


def test_hardship_with_approval_is_shown_on_the_page(client, worker, owing):
    client = login(client, worker)

    client.post(
        reverse("dues:base", args=[owing.pk]),
        base_data(
            reduced_amount="10",
            hardship_reason="家庭重大变故",
            hardship_discussed_on="2026-11-10",
            hardship_approved_on="2026-11-15",
            hardship_approval="校党委〔2026〕12号",
        ),
    )

    row = DuesBase.objects.get(person=owing, effective_month=dt.date(2027, 1, 1))
    assert (row.standard_amount, row.amount, row.hardship_approval) == (
        Decimal("90.00"),
        Decimal("10.00"),
        "校党委〔2026〕12号",
    )
    html = client.get(page(owing)).content.decode()
    assert "按规定90.00元；2026-11-15批准（校党委〔2026〕12号）" in html


def test_a_change_inside_the_year_needs_a_reason(client, worker, owing):
    response = login(client, worker).post(
        reverse("dues:base", args=[owing.pk]), base_data(effective_month="2026-12")
    )

    [message] = response.context["form"].errors["change_reason"]
    assert message.startswith("按本单位规定，党费缴纳基数每年1月核定一次，年内不作调整；")
    assert DuesBase.objects.filter(person=owing).count() == 1


# --- reversals --------------------------------------------------------------------------------


def _paid(worker, person):
    services.payment_record(
        actor=worker, person=person, through_month=OCT, idempotency_key="p1", today=TODAY
    )
    return LedgerEntry.objects.get(person=person, kind="payment", month=SEP)


def test_the_reverse_page_shows_the_whole_payment(client, worker, owing):
    entry = _paid(worker, owing)

    response = login(client, worker).get(reverse("dues:reverse", args=[entry.pk]))

    assert [e.month for e in response.context["lines"]] == [SEP, OCT]
    assert "将冲销以下2条记录（同一次缴费）" in response.content.decode()
    assert "reassess" not in response.context["form"].fields


def test_reverse_requires_a_reason(client, worker, owing):
    entry = _paid(worker, owing)
    count = LedgerEntry.objects.count()

    response = login(client, worker).post(
        reverse("dues:reverse", args=[entry.pk]), {"reason": "  "}
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"reason": ["请填写冲销原因。"]}
    assert LedgerEntry.objects.count() == count


def test_reversing_a_payment_reopens_its_months(client, worker, owing):
    entry = _paid(worker, owing)

    response = login(client, worker).post(
        reverse("dues:reverse", args=[entry.pk]), {"reason": "误登记"}, follow=True
    )

    assert texts(response) == ["已冲销2条记录。"]
    assert response.context["pd"].paid_through is None
    rows = {r.entry.pk: r for r in response.context["rows"]}
    assert rows[entry.pk].reversal.note == "冲销：误登记"
    assert rows[entry.pk].can_reverse is False
    on = timezone.localdate(rows[entry.pk].reversal.recorded_at)
    assert f"已于{on:%Y-%m-%d}冲销：误登记" in response.content.decode()


def test_reassessing_an_assessment(client, worker, owing):
    entry = LedgerEntry.objects.get(person=owing, kind="assessment", month=SEP)
    client = login(client, worker)

    form = client.get(reverse("dues:reverse", args=[entry.pk])).context["form"]
    client.post(reverse("dues:reverse", args=[entry.pk]), {"reason": "基数错误", "reassess": "on"})

    assert "reassess" in form.fields
    assert list(
        LedgerEntry.objects.filter(person=owing, kind="assessment", month=SEP)
        .order_by("id")
        .values_list("amount", flat=True)
    ) == [Decimal("45.67"), Decimal("-45.67"), Decimal("45.67")]


@pytest.mark.parametrize("who", ["no_role", "sibling"])
def test_reverse_is_404_outside_edit_scope(client, viewers, worker, owing, who):
    entry = _paid(worker, owing)
    count = LedgerEntry.objects.count()
    client = login(client, viewers[who])

    assert client.get(reverse("dues:reverse", args=[entry.pk])).status_code == 404
    assert client.post(reverse("dues:reverse", args=[entry.pk]), {"reason": "x"}).status_code == 404
    assert LedgerEntry.objects.count() == count


def test_the_member_cannot_reverse_their_own_payment(client, worker, owing, member_user):
    entry = _paid(worker, owing)

    response = login(client, member_user).get(reverse("dues:reverse", args=[entry.pk]))

    assert response.status_code == 404


# --- quarterly consent and arrears cases ------------------------------------------------------


def test_quarterly_consent_and_withdrawal(client, worker, owing):
    client = login(client, worker)
    url = reverse("dues:quarterly", args=[owing.pk])

    empty = client.post(url, {"action": "consent", "consent_on": ""})
    client.post(url, {"action": "consent", "consent_on": "2026-11-01"})
    given = DuesAccount.objects.get(person=owing).quarterly_consent_on
    client.post(url, {"action": "withdraw"})

    assert empty.context["quarterly_form"].errors == {
        "consent_on": ["请填写党支部同意按季度交纳的日期。"]
    }
    assert given == dt.date(2026, 11, 1)
    assert DuesAccount.objects.get(person=owing).quarterly_consent_on is None


def test_quarterly_consent_is_for_editors_only(client, owing, member_user):
    response = login(client, member_user).post(
        reverse("dues:quarterly", args=[owing.pk]),
        {"action": "consent", "consent_on": "2026-11-01"},
    )

    assert response.status_code == 404
    assert DuesAccount.objects.get(person=owing).quarterly_consent_on is None


def test_an_arrears_case_opens_at_six_months(client, worker, owing):
    run_months(worker, owing.branch, dt.date(2026, 1, 1), dt.date(2026, 8, 1))
    back = reverse("dues:arrears", args=[owing.branch.pk])

    response = login(client, worker).post(
        reverse("dues:arrears_open", args=[owing.pk]), {"next": back}
    )

    assert response.url == back
    case = ArrearsCase.objects.get(person=owing)
    assert (case.months, case.unpaid_from) == (10, dt.date(2026, 1, 1))
    page_html = client.get(page(owing)).content.decode()
    assert "立案处置（连续6个月未交）" not in page_html
    assert "待处理" in page_html


def test_an_arrears_case_under_six_months_is_refused(client, worker, owing):
    response = login(client, worker).post(
        reverse("dues:arrears_open", args=[owing.pk]), {"next": "https://evil.example/"}
    )

    assert response.url == page(owing) + "#arrears"
    assert texts(client.get(response.url)) == [
        "张三连续未交党费2个月，未满6个月，无需按自行脱党程序处置。"
    ]
    assert not ArrearsCase.objects.exists()


# --- the member page's dues section, query counts --------------------------------------------


def test_the_member_page_loads_its_dues_section(client, worker, owing):
    client = login(client, worker)

    detail = client.get(reverse("members:detail", args=[owing.pk])).content.decode()
    brief = client.get(page(owing), headers={"HX-Request": "true", "HX-Target": "dues-brief"})

    assert f'hx-get="{page(owing)}"' in detail
    assert [t.name for t in brief.templates][0] == "dues/_person_brief.html"
    html = brief.content.decode()
    assert "137.01元（3个月）" in html
    assert "<html" not in html


def test_the_person_page_queries_do_not_grow_with_the_ledger(
    client, worker, tree, member, django_assert_max_num_queries
):
    few = factories.person(tree.branch, name="甲")
    services.base_set(
        actor=worker,
        person=few,
        effective_month=dt.date(2026, 11, 1),
        category="student",
        today=TODAY,
    )
    run_months(worker, tree.branch, dt.date(2026, 1, 1), NOV)
    for i, m in enumerate((3, 6, 9)):
        services.payment_record(
            actor=worker,
            person=member,
            through_month=dt.date(2026, m, 1),
            idempotency_key=f"q{i}",
            today=TODAY,
        )
    client = login(client, worker)
    client.get(reverse("home"))  # the session is read once per request from here on

    with CaptureQueriesContext(connection) as short:
        client.get(page(few))
    # session, user, roles; person, account, ledger, bases, arrears cases; unread reminders
    with django_assert_max_num_queries(9):
        response = client.get(page(member))

    assert len(response.context["rows"]) == 20
    assert len(short) == 9


def test_a_get_of_a_form_url_goes_back_to_the_page(client, worker, owing, member_user):
    pay = login(client, worker).get(reverse("dues:pay", args=[owing.pk]))
    own = login(client, member_user).get(reverse("dues:voluntary", args=[owing.pk]))

    assert pay.url == page(owing) + "#pay"
    assert own.url == reverse("dues:me") + "#voluntary"


def test_the_base_form_proposes_next_january(client, worker, owing):
    form = login(client, worker).get(reverse("dues:base", args=[owing.pk])).context["form"]

    assert (form["effective_month"].value(), form["category"].value()) == ("2027-01", "employee")
    assert form["base"].value() == Decimal("4567.00")


def test_a_voluntary_double_submit_writes_once(client, owing, member_user):
    client = login(client, member_user)
    data = {"amount": "50", "method": "online", "key": "v-3"}

    client.post(reverse("dues:voluntary", args=[owing.pk]), data)
    again = client.post(reverse("dues:voluntary", args=[owing.pk]), data, follow=True)

    assert texts(again)[-1] == "该笔自愿多交党费此前已登记（50.00元），未重复记账。"
    assert LedgerEntry.objects.filter(person=owing, kind="voluntary").count() == 1


def test_opening_an_arrears_case_is_for_editors_only(client, tree, worker, owing):
    run_months(worker, owing.branch, dt.date(2026, 1, 1), dt.date(2026, 8, 1))
    leader = factories.user_with_role("leader", tree.group, kind="group_leader")

    response = login(client, leader).post(reverse("dues:arrears_open", args=[owing.pk]))

    assert response.status_code == 404
    assert not ArrearsCase.objects.exists()
