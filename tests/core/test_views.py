"""Home, login, lockout and logout pages."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from dangwu.accounts.models import User
from dangwu.members import services as member_services
from dangwu.members.models import Person
from tests import factories


def _html(response) -> str:
    return response.content.decode()


def _assert_no_inline_code(html: str) -> None:
    inline_scripts = [
        m.group(0)
        for m in re.finditer(r"<script\b([^>]*)>(.*?)</script>", html, re.S)
        if "src=" not in m.group(1) or m.group(2).strip()
    ]
    assert inline_scripts == []
    assert "style=" not in html
    assert "<style" not in html


def _home(client, user):
    client.force_login(user)
    return _html(client.get(reverse("home")))


# --- home: permission matrix ------------------------------------------------------------


def test_home_sends_the_anonymous_visitor_to_login(client, viewers):
    response = client.get(reverse("home"))

    assert (response.status_code, response.url) == (302, "/login/?next=/")


def test_home_without_a_role_links_to_the_own_record(client, viewers):
    user = viewers["no_role"]

    html = _home(client, user)

    assert (
        f'<a class="btn btn-primary" href="/members/{user.person_id}/">查看我的党员信息</a>' in html
    )
    assert "<dt>姓名</dt><dd>李四</dd>" in html
    assert "<dt>所在党支部</dt><dd>教工党支部</dd>" in html
    assert "我的组织" not in html
    assert "党员合计" not in html


def test_home_with_a_role_shows_counts_and_the_organizations_of_the_roles(client, viewers, tree):
    factories.person(tree.branch, name="王五")
    factories.person(tree.branch, name="赵六", status="activist")

    sibling = _home(client, viewers["sibling"])
    own = _home(client, viewers["own_org"])
    ancestor = _home(client, viewers["ancestor"])

    assert f'<li><a href="/orgs/{tree.sibling.pk}/">教工党支部</a>' in sibling
    assert '<span class="stat-value">1</span><span class="stat-label">党员合计</span>' in sibling
    assert f'<li><a href="/orgs/{tree.branch.pk}/">本科生第一党支部</a>' in own
    assert '<span class="stat-value">1</span><span class="stat-label">党员合计</span>' in own
    assert '<span class="stat-value">1</span><span class="stat-label">入党积极分子</span>' in own
    assert f'<li><a href="/orgs/{tree.committee.pk}/">某大学党委</a>' in ancestor
    assert '<span class="stat-value">2</span><span class="stat-label">党员合计</span>' in ancestor
    assert "本科生第一党支部</a>" not in sibling
    for html in (sibling, own, ancestor):
        _assert_no_inline_code(html)


def test_home_lists_pending_incoming_transfers_for_the_receiving_side(client, viewers, tree):
    mover = factories.person(tree.sibling, name="周九")
    transfer = member_services.transfer_send(
        actor=factories.superuser("boss"),
        person=mover,
        to_branch=tree.branch,
        issued_on=dt.date(2026, 11, 20),
    )

    own = _home(client, viewers["own_org"])
    sibling = _home(client, viewers["sibling"])

    assert f'<a href="/members/transfers/{transfer.pk}/receive/">周九</a>' in own
    assert "来自 教工党支部 → 本科生第一党支部" in own
    assert "2026-11-20" in own
    assert "周九" not in sibling
    assert "没有待接收的组织关系。" in sibling


def test_home_shows_error_and_warning_findings_of_branches_in_scope(client, viewers, tree):
    factories.person(tree.branch, name="王五")

    own = _home(client, viewers["own_org"])
    sibling = _home(client, viewers["sibling"])

    assert f'<a href="/orgs/{tree.branch.pk}/">本科生第一党支部</a>\n' in own
    assert '<code class="finding-code">ORG-BRANCH-MIN</code>' in own
    assert "党支部正式党员1人，不足3人" in own
    assert f'<a href="/orgs/{tree.sibling.pk}/">教工党支部</a>\n' in sibling
    assert f'href="/orgs/{tree.branch.pk}/"' not in sibling


# --- home: bounded work on a bigger tree ------------------------------------------------


@pytest.fixture
def big_tree(tree):
    """30 more branches and 200 people (inserted in bulk: fast)."""
    branches = [factories.org(tree.college, "branch", f"第{i + 1}党支部") for i in range(30)]
    Person.objects.bulk_create(
        Person(
            name=f"党员{n}",
            pinyin=f"dangyuan{n}",
            initials="dy",
            sort_key=f"dangyuan{n:04d}",
            sex="male",
            birth_date=dt.date(1990, 1, 1),
            status="full" if n % 4 else "probationary",
            status_since=dt.date(2020, 1, 1),
            branch=branches[n % 30],
        )
        for n in range(200)
    )
    return tree


def test_home_query_count_is_bounded_on_a_big_tree(
    client, viewers, big_tree, django_assert_max_num_queries
):
    client.force_login(viewers["ancestor"])

    with django_assert_max_num_queries(100):
        response = client.get(reverse("home"))

    html = _html(response)
    assert "已检查 20 个组织" in html
    assert "为保证速度，首页只检查前 20 个组织（共 32 个党支部）" in html
    assert '<span class="stat-value">201</span><span class="stat-label">党员合计</span>' in html


# --- login, lockout, logout -------------------------------------------------------------


def test_login_page_is_chinese_and_has_no_inline_code(client):
    response = client.get(reverse("login"))

    html = _html(response)
    assert response.status_code == 200
    assert "<h1>登录党务工作管理系统</h1>" in html
    assert (
        '<label for="id_username">用户名<span class="required" aria-hidden="true">*</span>' in html
    )
    assert "连续 5 次密码错误，账号将被锁定 15 分钟。" in html
    _assert_no_inline_code(html)


def test_login_with_the_right_password_goes_home(client, db):
    User.objects.create_user(username="wang", password="pw")

    response = client.post(reverse("login"), {"username": "wang", "password": "pw"})

    assert (response.status_code, response.url) == (302, "/")


def test_login_with_a_wrong_password_says_so(client, db):
    User.objects.create_user(username="wang", password="pw")

    response = client.post(reverse("login"), {"username": "wang", "password": "wrong"})

    assert response.status_code == 200
    assert (
        '<p class="field-error">请输入一个正确的用户名和密码。注意，两者都区分大小写。</p>'
        in _html(response)
    )
    assert "_auth_user_id" not in client.session


def test_five_failures_lock_the_account_for_fifteen_minutes(client, db):
    User.objects.create_user(username="wang", password="pw")
    url = reverse("login")

    failures = [client.post(url, {"username": "wang", "password": f"bad{i}"}) for i in range(5)]
    after = client.post(url, {"username": "wang", "password": "pw"})

    assert [r.status_code for r in failures] == [200, 200, 200, 200, 429]
    assert after.status_code == 429
    html = _html(after)
    assert "<h1>账号已被锁定</h1>" in html
    assert "由于连续 5 次登录失败，该账号已被锁定 15 分钟。" in html
    assert "_auth_user_id" not in client.session
    _assert_no_inline_code(html)


def test_logout_ends_the_session(client, viewers):
    client.force_login(viewers["own_org"])

    response = client.post(reverse("logout"))

    assert (response.status_code, response.url) == (302, "/login/")
    assert client.get(reverse("home")).status_code == 302
