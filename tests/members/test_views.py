"""The member pages: permission matrix, refusals that change nothing, exact Chinese messages,
query counts, search, and ID numbers that never appear in full unless revealed."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dangwu.core.models import AuditAction, AuditEvent
from dangwu.members import services
from dangwu.members.models import Membership, Person, StatusChange, Transfer, TransferStatus
from tests import factories

D = dt.date

PERSON_MATRIX = [
    ("anonymous", 302),
    ("no_role", 404),
    ("sibling", 404),
    ("own_org", 200),
    ("ancestor", 200),
]
CITATION = "（《中国共产党章程》；《中国共产党发展党员工作细则》）"


@pytest.fixture
def zeng(tree, admin_user):
    return factories.person(tree.branch, name="曾国藩", group=tree.group, phone="13800138000")


def login(client, viewers, who):
    if viewers[who] is not None:
        client.force_login(viewers[who])
    return client


def assert_login_redirect(response):
    assert response.status_code == 302
    assert response.url.startswith(reverse("login") + "?next=")


def assert_status(response, expected):
    if expected == 302:
        assert_login_redirect(response)
    else:
        assert response.status_code == expected


def events():
    """Audit events other than the login that ``force_login`` records."""
    return AuditEvent.objects.exclude(
        action__in=[AuditAction.LOGIN, AuditAction.LOGIN_FAILED, AuditAction.LOGOUT]
    )


def rows():
    return (
        Person.objects.count(),
        StatusChange.objects.count(),
        Membership.objects.count(),
        Transfer.objects.count(),
        events().count(),
    )


def snapshot(person):
    fresh = Person.objects.get(pk=person.pk)
    return {f.attname: getattr(fresh, f.attname) for f in Person._meta.concrete_fields}


def edit_data(person, **overrides):
    data = {
        "name": person.name,
        "id_number": "",
        "sex": person.sex,
        "birth_date": person.birth_date.isoformat(),
        "ethnicity": person.ethnicity,
        "phone": person.phone,
        "education": person.education,
        "occupation": person.occupation,
        "dues_category": person.dues_category,
        "work_unit": person.work_unit,
        "applied_on": "",
        "admission_date": person.admission_date.isoformat() if person.admission_date else "",
        "full_since": person.full_since.isoformat() if person.full_since else "",
    }
    data.update(overrides)
    return data


def create_data(tree, **overrides):
    data = {
        "name": "欧阳修",
        "id_number": "11010519491231002X",
        "sex": "",
        "birth_date": "",
        "ethnicity": "01",
        "phone": "138 0013 8000",
        "branch": tree.branch.pk,
        "group": tree.group.pk,
        "status": "full",
        "status_since": "2016-07-01",
        "admission_date": "2015-07-01",
        "full_since": "2016-07-01",
    }
    data.update(overrides)
    return data


def errors(response):
    return response.context["form"].errors


def texts(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- permission matrix: GET pages about one person -----------------------------------------

PERSON_PAGES = ["detail", "history", "edit", "status", "group", "transfer_send", "transfer_out"]


@pytest.mark.parametrize("name", PERSON_PAGES)
@pytest.mark.parametrize(("who", "expected"), PERSON_MATRIX)
def test_person_pages_permission_matrix(client, viewers, zeng, name, who, expected):
    response = login(client, viewers, who).get(reverse(f"members:{name}", args=[zeng.pk]))

    assert_status(response, expected)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("detail", 200),
        ("history", 200),
        ("edit", 404),
        ("status", 404),
        ("group", 404),
        ("transfer_send", 404),
        ("transfer_out", 404),
    ],
)
def test_a_member_without_a_role_reads_only_their_own_record(client, viewers, name, expected):
    own = viewers["no_role"].person

    response = login(client, viewers, "no_role").get(reverse(f"members:{name}", args=[own.pk]))

    assert response.status_code == expected


@pytest.mark.parametrize("name", ["detail", "edit", "status"])
def test_a_missing_person_is_404(client, viewers, name):
    response = login(client, viewers, "ancestor").get(reverse(f"members:{name}", args=[999999]))

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("name", "matrix"),
    [
        (
            "list",
            {"anonymous": 302, "no_role": 200, "sibling": 200, "own_org": 200, "ancestor": 200},
        ),
        (
            "create",
            {"anonymous": 302, "no_role": 404, "sibling": 200, "own_org": 200, "ancestor": 200},
        ),
        (
            "transfer_in",
            {"anonymous": 302, "no_role": 404, "sibling": 200, "own_org": 200, "ancestor": 200},
        ),
        (
            "transfers",
            {"anonymous": 302, "no_role": 404, "sibling": 200, "own_org": 200, "ancestor": 200},
        ),
    ],
)
@pytest.mark.parametrize("who", ["anonymous", "no_role", "sibling", "own_org", "ancestor"])
def test_organization_pages_permission_matrix(client, viewers, zeng, name, matrix, who):
    response = login(client, viewers, who).get(reverse(f"members:{name}"))

    assert_status(response, matrix[who])


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("no_role", ["李四"]),
        ("sibling", ["李四"]),
        ("own_org", ["曾国藩"]),
        ("ancestor", ["李四", "曾国藩"]),
    ],
)
def test_the_list_shows_only_people_in_scope(client, viewers, zeng, who, sees):
    response = login(client, viewers, who).get(reverse("members:list"))

    assert [p.name for p in response.context["page_obj"]] == sees


def test_a_group_leader_lists_only_their_group(client, tree, zeng):
    factories.person(tree.branch, name="李华")
    leader = factories.user_with_role("leader", tree.group, kind="group_leader")
    client.force_login(leader)

    response = client.get(reverse("members:list"))

    assert [p.name for p in response.context["page_obj"]] == ["曾国藩"]


# --- permission matrix: POSTs change nothing when refused ----------------------------------


def _post_cases(tree, person):
    return {
        "edit": (
            edit_data(person, phone="13912345678"),
            lambda: Person.objects.get(pk=person.pk).phone == "13912345678",
        ),
        "status": (
            {"status": "suspended", "effective_on": "2026-11-01", "reason": "失联"},
            lambda: Person.objects.get(pk=person.pk).status == "suspended",
        ),
        "group": (
            {"group": "", "on": "2026-11-01"},
            lambda: Person.objects.get(pk=person.pk).group_id is None,
        ),
        "transfer_send": (
            {"to_branch": tree.sibling.pk, "issued_on": "2026-11-20", "valid_days": "30"},
            lambda: Transfer.objects.filter(person=person, status="sent").exists(),
        ),
        "transfer_out": (
            {"destination": "中共某区委组织部", "issued_on": "2026-11-20", "valid_days": "30"},
            lambda: Transfer.objects.filter(person=person, status="sent").exists(),
        ),
    }


@pytest.mark.parametrize("name", ["edit", "status", "group", "transfer_send", "transfer_out"])
@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", 302),
        ("no_role", 404),
        ("sibling", 404),
        ("own_org", "done"),
        ("ancestor", "done"),
    ],
)
def test_person_posts_permission_matrix(client, viewers, tree, zeng, name, who, expected):
    data, changed = _post_cases(tree, zeng)[name]
    before, counts = snapshot(zeng), rows()

    response = login(client, viewers, who).post(reverse(f"members:{name}", args=[zeng.pk]), data)

    if expected == "done":
        assert response.status_code == 302
        assert response.url == reverse("members:detail", args=[zeng.pk])
        assert changed()
    else:
        assert_status(response, expected)
        assert snapshot(zeng) == before
        assert rows() == counts


def test_a_member_cannot_edit_their_own_record(client, viewers):
    own = viewers["no_role"].person
    before = snapshot(own)

    response = login(client, viewers, "no_role").post(
        reverse("members:edit", args=[own.pk]), edit_data(own, phone="13912345678")
    )

    assert response.status_code == 404
    assert snapshot(own) == before


@pytest.mark.parametrize("name", ["detail", "reveal_id", "transfer_receive"])
def test_wrong_methods_are_refused(client, viewers, zeng, name):
    client = login(client, viewers, "own_org")
    url = reverse(f"members:{name}", args=[zeng.pk])

    response = client.post(url) if name == "detail" else client.get(url)

    assert response.status_code == 405


# --- the member list ----------------------------------------------------------------------


@pytest.fixture
def named(tree):
    for name in ("曾国藩", "单雄信", "欧阳修", "张三"):
        factories.person(tree.branch, name=name)


@pytest.mark.parametrize(
    ("q", "found"),
    [
        ("zgf", ["曾国藩"]),
        ("ZGF", ["曾国藩"]),
        ("zengguo", ["曾国藩"]),
        ("曾国", ["曾国藩"]),
        ("sxx", ["单雄信"]),
        ("oy", ["欧阳修"]),
        ("z", ["曾国藩", "张三"]),
        ("xyz", []),
    ],
    ids=["首字母", "大写首字母", "拼音前缀", "汉字", "多音字姓氏", "复姓", "一个字母", "无结果"],
)
def test_search_by_initials_pinyin_or_name(client, viewers, named, q, found):
    response = login(client, viewers, "own_org").get(reverse("members:list"), {"q": q})

    assert [p.name for p in response.context["page_obj"]] == found


def test_the_list_is_sorted_by_pinyin(client, viewers, named):
    response = login(client, viewers, "own_org").get(reverse("members:list"))

    assert [p.name for p in response.context["page_obj"]] == ["欧阳修", "单雄信", "曾国藩", "张三"]


def test_htmx_search_answers_only_the_results(client, viewers, named):
    response = login(client, viewers, "own_org").get(
        reverse("members:list"), {"q": "zgf"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results"
    )

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="results"')
    assert "<html" not in html
    assert "曾国藩" in html
    assert "张三" not in html


def test_the_same_search_url_works_without_javascript(client, viewers, named):
    response = login(client, viewers, "own_org").get(reverse("members:list") + "?q=zgf")

    html = response.content.decode()
    assert "<html" in html
    assert 'value="zgf"' in html
    assert "曾国藩" in html
    assert "张三" not in html


def test_filter_by_status_and_by_organization(client, viewers, tree, zeng):
    factories.person(tree.branch, name="李华", status="probationary")
    client = login(client, viewers, "ancestor")

    by_status = client.get(reverse("members:list"), {"status": "probationary"})
    by_group = client.get(reverse("members:list"), {"org": tree.group.pk})
    by_sibling = client.get(reverse("members:list"), {"org": tree.sibling.pk})

    assert [p.name for p in by_status.context["page_obj"]] == ["李华"]
    assert [p.name for p in by_group.context["page_obj"]] == ["曾国藩"]
    assert [p.name for p in by_sibling.context["page_obj"]] == ["李四"]


def test_an_organization_outside_the_scope_is_not_a_filter(client, viewers, tree, zeng):
    response = login(client, viewers, "own_org").get(
        reverse("members:list"), {"org": tree.sibling.pk}
    )

    assert [p.name for p in response.context["page_obj"]] == ["曾国藩"]
    assert f'value="{tree.sibling.pk}"' not in response.content.decode()


def test_people_no_longer_on_the_roll_only_on_request(client, viewers, zeng, admin_user):
    services.person_status_change(
        actor=admin_user, person=zeng, status="deceased", effective_on=D(2026, 11, 1)
    )
    client = login(client, viewers, "own_org")

    default = client.get(reverse("members:list"))
    inactive = client.get(reverse("members:list"), {"inactive": "on"})

    assert list(default.context["page_obj"]) == []
    assert [p.name for p in inactive.context["page_obj"]] == ["曾国藩"]
    assert "不在册" in inactive.content.decode()


@pytest.fixture
def many(tree):
    return [
        factories.person(tree.branch, name=f"党员{i:03d}", phone=f"1380013{i:04d}")
        for i in range(35)
    ]


def test_the_list_pages_by_thirty_with_chinese_labels(client, viewers, many):
    client = login(client, viewers, "own_org")

    first = client.get(reverse("members:list"))
    second = client.get(reverse("members:list"), {"page": 2})

    assert len(first.context["page_obj"]) == 30
    assert len(second.context["page_obj"]) == 5
    assert "第 1 / 2 页，共 35 条" in first.content.decode()
    assert "下一页" in first.content.decode()
    assert "第 2 / 2 页，共 35 条" in second.content.decode()


def test_page_links_keep_the_search(client, viewers, many):
    response = login(client, viewers, "own_org").get(reverse("members:list"), {"q": "dy"})

    assert 'href="?q=dy&amp;page=2"' in response.content.decode()


def test_the_list_never_shows_a_full_id_number(client, viewers, many):
    client = login(client, viewers, "own_org")

    html = client.get(reverse("members:list")).content.decode()
    html += client.get(reverse("members:list"), {"page": 2}).content.decode()

    for person in many:
        assert person.id_number not in html
        assert person.masked_id_number in html


def test_the_list_page_queries_are_bounded(client, viewers, tree, django_assert_max_num_queries):
    for i in range(110):
        factories.person(
            tree.branch if i % 2 else tree.sibling,
            name=f"党员{i:03d}",
            group=tree.group if i % 2 and i % 3 == 0 else None,
        )
    client = login(client, viewers, "ancestor")

    with django_assert_max_num_queries(8):
        response = client.get(reverse("members:list"), {"page": 3})

    assert len(response.context["page_obj"]) == 30


# --- the member page ----------------------------------------------------------------------


def test_the_member_page_shows_details_rights_history_and_masks_the_id(
    client, viewers, tree, zeng, admin_user
):
    services.sanction_record(
        actor=admin_user,
        person=zeng,
        kind="probation_within_party",
        decided_on=D(2026, 3, 1),
        probation_years=1,
        document="校纪字3号",
    )

    response = login(client, viewers, "own_org").get(reverse("members:detail", args=[zeng.pk]))

    html = response.content.decode()
    assert zeng.id_number not in html
    assert zeng.masked_id_number in html
    assert "显示完整号码" in html
    for text in (
        "曾国藩",
        "正式党员",
        "本科生第一党支部",
        "第一党小组",
        "13800138000",
        "10年",
        "留党察看",
        "校纪字3号",
        "正在留党察看期内（2027年3月1日恢复党员权利）",
        "政治面貌变更记录",
        "组织关系记录",
        "建档",
        "2016-07-01",
    ):
        assert text in html, text
    assert response.context["d"].party_age == 10
    assert response.context["d"].rights.can_vote is False


@pytest.mark.parametrize("kind", ["committee_member", "group_leader", "secretary"])
def test_roles_see_the_page_but_only_some_may_reveal(client, tree, zeng, kind):
    user = factories.user_with_role(
        "u", tree.group if kind == "group_leader" else tree.branch, kind=kind
    )
    client.force_login(user)

    response = client.get(reverse("members:detail", args=[zeng.pk]))

    assert response.status_code == 200
    assert ("显示完整号码" in response.content.decode()) is (kind == "secretary")
    assert "编辑" not in response.content.decode()


def _grow_history(person, actor, n):
    for i in range(n):
        services.person_update(actor=actor, person=person, phone=f"1391234{i:04d}")


def test_the_member_page_queries_do_not_grow_with_history(client, viewers, tree, admin_user):
    short = factories.person(tree.branch, name="甲")
    long = factories.person(tree.branch, name="乙")
    _grow_history(long, admin_user, 12)
    for i in range(3):
        services.person_group_assign(
            actor=admin_user, person=long, group=None if i % 2 else tree.group, on=D(2026, 11, 1)
        )
    client = login(client, viewers, "own_org")

    with CaptureQueriesContext(connection) as few:
        client.get(reverse("members:detail", args=[short.pk]))
    with CaptureQueriesContext(connection) as lots:
        client.get(reverse("members:detail", args=[long.pk]))

    assert len(lots) == len(few)
    assert len(lots) <= 10


def test_the_history_page_queries_do_not_grow_with_history(client, viewers, tree, admin_user):
    short = factories.person(tree.branch, name="甲")
    long = factories.person(tree.branch, name="乙")
    _grow_history(long, admin_user, 12)
    client = login(client, viewers, "own_org")

    with CaptureQueriesContext(connection) as few:
        client.get(reverse("members:history", args=[short.pk]))
    with CaptureQueriesContext(connection) as lots:
        client.get(reverse("members:history", args=[long.pk]))

    assert len(lots) == len(few)


def test_the_history_names_who_changed_what_before_and_after(client, viewers, tree, zeng):
    worker = viewers["own_org"]
    services.person_update(actor=worker, person=zeng, phone="13912345678")
    services.person_group_assign(actor=worker, person=zeng, group=None, on=D(2026, 11, 1))

    response = login(client, viewers, "own_org").get(reverse("members:history", args=[zeng.pk]))

    entries = response.context["entries"]
    changes = {(e.who, e.record, c) for e in entries for c in e.changes}
    assert ("own", "人员信息", ("联系电话", "13800138000", "13912345678")) in changes
    assert ("own", "人员信息", ("所在党小组", "第一党小组", "—")) in changes
    assert ("own", "组织关系", ("终止日期", "—", "2026-11-01")) in changes
    html = response.content.decode()
    assert "13912345678" in html
    assert "所在党小组" in html


def test_the_history_section_loads_by_htmx(client, viewers, zeng):
    response = login(client, viewers, "own_org").get(
        reverse("members:history", args=[zeng.pk]),
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="history",
    )

    html = response.content.decode()
    assert html.lstrip().startswith('<section class="card" id="history">')
    assert "<html" not in html


# --- revealing the full ID number ---------------------------------------------------------


@pytest.mark.parametrize(("who", "expected"), PERSON_MATRIX)
def test_reveal_permission_matrix(client, viewers, zeng, who, expected):
    response = login(client, viewers, who).post(reverse("members:reveal_id", args=[zeng.pk]))

    assert_status(response, expected)
    if expected == 200:
        assert zeng.id_number in response.content.decode()
        assert events().filter(action=AuditAction.VIEW_ID_NUMBER).count() == 1
    else:
        assert events().count() == 0


def test_reveal_by_htmx_returns_the_number_and_records_the_view(client, viewers, zeng):
    response = login(client, viewers, "own_org").post(
        reverse("members:reveal_id", args=[zeng.pk]),
        HTTP_HX_REQUEST="true",
        REMOTE_ADDR="10.1.2.3",
    )

    html = response.content.decode()
    assert "<html" not in html
    assert f'<code class="id-number">{zeng.id_number}</code>' in html
    assert "本次查看已记录" in html
    assert "no-store" in response["Cache-Control"]
    event = events().get()
    assert (event.actor, event.action, event.subject, event.ip_address) == (
        viewers["own_org"],
        AuditAction.VIEW_ID_NUMBER,
        f"person:{zeng.pk}",
        "10.1.2.3",
    )


@pytest.mark.parametrize("kind", ["committee_member", "group_leader"])
def test_reveal_without_the_view_id_permission_is_404(client, tree, zeng, kind):
    user = factories.user_with_role(
        "u", tree.group if kind == "group_leader" else tree.branch, kind=kind
    )
    client.force_login(user)

    response = client.post(reverse("members:reveal_id", args=[zeng.pk]))

    assert response.status_code == 404
    assert events().count() == 0


def test_a_member_may_reveal_their_own_number(client, viewers):
    own = viewers["no_role"].person
    client = login(client, viewers, "no_role")

    page = client.get(reverse("members:detail", args=[own.pk]))
    response = client.post(reverse("members:reveal_id", args=[own.pk]))

    assert "显示完整号码" in page.content.decode()
    assert own.id_number in response.content.decode()
    assert events().get().actor == viewers["no_role"]


# --- create and edit ----------------------------------------------------------------------


def test_create_puts_a_person_on_the_roll(client, viewers, tree):
    response = login(client, viewers, "own_org").post(reverse("members:create"), create_data(tree))

    person = Person.objects.get(name="欧阳修")
    assert response.status_code == 302
    assert response.url == reverse("members:detail", args=[person.pk])
    assert (person.birth_date, person.sex, person.phone) == (
        D(1949, 12, 31),
        "female",
        "13800138000",
    )
    assert (person.branch, person.group, person.status) == (tree.branch, tree.group, "full")
    assert person.history.get().history_user == viewers["own_org"]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"id_number": "110105194912310021"},
            "id_number",
            "身份证号码第18位校验码应为X，实际为1。",
        ),
        (
            {"birth_date": "1950-01-01"},
            "birth_date",
            "出生日期与身份证号码不一致：身份证为1949-12-31，填写为1950-01-01。",
        ),
        ({"phone": "12345"}, "phone", "手机号码应为11位，当前为5位。"),
        ({"phone": "12345678901"}, "phone", "手机号码第2位应为3至9，当前为2。"),
        ({"name": ""}, "name", "请填写姓名。"),
        ({"full_since": ""}, "full_since", "正式党员须填写转正日期。"),
        ({"birth_date": "1949-13-01"}, "birth_date", "输入一个有效的日期。"),
        ({"status": "left"}, "status", "选择一个有效的选项。 left 不在可用的选项中。"),
    ],
    ids=[
        "校验码错误",
        "出生日期与号码不一致",
        "手机号位数",
        "手机号第二位",
        "姓名为空",
        "正式党员无转正日期",
        "日期无效",
        "不能以已出党建档",
    ],
)
def test_create_shows_the_reason_beside_the_field_and_creates_nothing(
    client, viewers, tree, overrides, field, message
):
    counts = rows()

    response = login(client, viewers, "own_org").post(
        reverse("members:create"), create_data(tree, **overrides)
    )

    assert response.status_code == 200
    assert errors(response)[field] == [message]
    assert message in response.content.decode()
    assert rows() == counts


def test_create_shows_every_problem_of_the_record_at_once(client, viewers, tree):
    response = login(client, viewers, "own_org").post(
        reverse("members:create"),
        create_data(tree, name="", id_number="110105194912310021", phone="12345"),
    )

    assert errors(response) == {
        "name": ["请填写姓名。"],
        "id_number": ["身份证号码第18位校验码应为X，实际为1。"],
        "phone": ["手机号码应为11位，当前为5位。"],
        "birth_date": ["请填写出生日期。"],
        "sex": ["请选择性别。"],
    }


def test_create_offers_only_branches_and_groups_in_scope(client, viewers, tree):
    counts = rows()
    client = login(client, viewers, "sibling")

    page = client.get(reverse("members:create"))
    response = client.post(reverse("members:create"), create_data(tree, group=""))

    branch_field = page.context["form"].fields["branch"]
    assert [label for value, label in branch_field.choices if value] == ["教工党支部"]
    assert errors(response)["branch"] == [
        f"选择一个有效的选项。 {tree.branch.pk} 不在可用的选项中。"
    ]
    assert rows() == counts


def test_create_refuses_a_group_of_another_branch(client, viewers, tree):
    other_group = factories.org(tree.sibling, "party_group", "教工党小组")
    counts = rows()

    response = login(client, viewers, "ancestor").post(
        reverse("members:create"), create_data(tree, group=other_group.pk)
    )

    assert errors(response)["group"] == ["党小组“教工党小组”不属于“本科生第一党支部”。"]
    assert rows() == counts


def test_the_edit_form_never_shows_the_full_id_number(client, viewers, zeng):
    response = login(client, viewers, "own_org").get(reverse("members:edit", args=[zeng.pk]))

    html = response.content.decode()
    assert zeng.id_number not in html
    assert f'placeholder="{zeng.masked_id_number}"' in html


def test_edit_with_an_empty_id_box_keeps_the_number(client, viewers, zeng):
    login(client, viewers, "own_org").post(
        reverse("members:edit", args=[zeng.pk]), edit_data(zeng, work_unit="计算机学院")
    )

    fresh = Person.objects.get(pk=zeng.pk)
    assert (fresh.id_number, fresh.work_unit) == (zeng.id_number, "计算机学院")


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"phone": "010-123"},
            "phone",
            "电话号码“010-123”格式不正确：手机号码应为以1开头的11位数字，固定电话应为“区号-号码”，"
            "如010-12345678、0755-1234567，可带分机号如-123。",
        ),
        (
            {"id_number": "11010519491231002X"},
            "birth_date",
            "出生日期与身份证号码不一致：身份证为1949-12-31，填写为1990-05-04。",
        ),
        (
            {"full_since": "2015-12-31"},
            "full_since",
            "转正日期不能早于预备期满之日（入党日期起满一年）。",
        ),
    ],
    ids=["固定电话格式", "号码与出生日期不一致", "转正早于预备期满"],
)
def test_edit_refusals_change_nothing(client, viewers, zeng, overrides, field, message):
    before = snapshot(zeng)

    response = login(client, viewers, "own_org").post(
        reverse("members:edit", args=[zeng.pk]), edit_data(zeng, **overrides)
    )

    assert message in errors(response)[field]
    assert snapshot(zeng) == before


# --- status and group ---------------------------------------------------------------------


def test_status_refusal_shows_the_rule_and_its_citation(client, viewers, zeng):
    before, counts = snapshot(zeng), rows()

    response = login(client, viewers, "own_org").post(
        reverse("members:status", args=[zeng.pk]),
        {"status": "probationary", "effective_on": "2026-11-01"},
    )

    message = "不能从「正式党员」退回「预备党员」。" + CITATION
    assert errors(response) == {"status": [message]}
    assert message in response.content.decode()
    assert snapshot(zeng) == before
    assert rows() == counts


def test_leaving_needs_the_way_of_leaving(client, viewers, zeng):
    before = snapshot(zeng)

    response = login(client, viewers, "own_org").post(
        reverse("members:status", args=[zeng.pk]), {"status": "left", "effective_on": "2026-11-01"}
    )

    assert errors(response) == {"leave_kind": ["请选择出党方式。"]}
    assert snapshot(zeng) == before


def test_leaving_ends_the_relationship(client, viewers, zeng):
    login(client, viewers, "own_org").post(
        reverse("members:status", args=[zeng.pk]),
        {
            "status": "left",
            "leave_kind": "withdrew",
            "effective_on": "2026-11-01",
            "reason": "本人申请",
        },
    )

    fresh = Person.objects.get(pk=zeng.pk)
    assert (fresh.status, fresh.is_active) == ("left", False)
    assert not Membership.objects.filter(person=zeng, ended_on__isnull=True).exists()
    change = fresh.status_changes.order_by("-id").first()
    assert (change.leave_kind, change.reason, change.recorded_by) == (
        "withdrew",
        "本人申请",
        viewers["own_org"],
    )


def test_status_date_in_the_future_is_refused(client, viewers, zeng):
    response = login(client, viewers, "own_org").post(
        reverse("members:status", args=[zeng.pk]),
        {"status": "suspended", "effective_on": "2099-01-01"},
    )

    assert errors(response) == {"effective_on": ["生效日期不能晚于今天。"]}
    assert Person.objects.get(pk=zeng.pk).status == "full"


def test_group_choices_are_the_groups_of_the_persons_branch(client, viewers, tree, zeng):
    other_group = factories.org(tree.sibling, "party_group", "教工党小组")
    client = login(client, viewers, "ancestor")

    page = client.get(reverse("members:group", args=[zeng.pk]))
    response = client.post(
        reverse("members:group", args=[zeng.pk]), {"group": other_group.pk, "on": "2026-11-01"}
    )

    choices = page.context["form"].fields["group"].choices
    assert choices == [("", "不编入党小组"), (str(tree.group.pk), "第一党小组")]
    assert errors(response)["group"] == [
        f"选择一个有效的选项。 {other_group.pk} 不在可用的选项中。"
    ]
    assert Person.objects.get(pk=zeng.pk).group == tree.group


def test_group_date_before_the_relationship_is_shown_on_the_form(client, viewers, zeng):
    response = login(client, viewers, "own_org").post(
        reverse("members:group", args=[zeng.pk]), {"group": "", "on": "2000-01-01"}
    )

    assert errors(response) == {"on": ["日期不能早于当前组织关系的起始日期（2016-07-01）。"]}
    assert Person.objects.get(pk=zeng.pk).group_id is not None


# --- transfers ----------------------------------------------------------------------------


@pytest.fixture
def elsewhere(tree):
    """A branch of another top-level organization: outside every viewer's scope."""
    city = factories.org(None, "basic_committee", "某市直机关工委")
    return factories.org(city, "branch", "市档案馆党支部")


def test_transfer_send_offers_every_active_branch_by_name_and_code(
    client, viewers, tree, zeng, elsewhere
):
    dissolved = factories.org(tree.college, "branch", "已撤销党支部", dissolved_on=D(2020, 1, 1))

    response = login(client, viewers, "own_org").get(
        reverse("members:transfer_send", args=[zeng.pk])
    )

    labels = [label for value, label in response.context["form"].fields["to_branch"].choices]
    assert labels == [
        "—",
        f"教工党支部（{tree.sibling.code}）",
        f"市档案馆党支部（{elsewhere.code}）",
    ]
    assert dissolved.name not in response.content.decode()


def test_transfer_send_keeps_the_member_home_until_received(client, viewers, tree, zeng, elsewhere):
    response = login(client, viewers, "own_org").post(
        reverse("members:transfer_send", args=[zeng.pk]),
        {
            "to_branch": elsewhere.pk,
            "issued_on": "2026-11-20",
            "valid_days": "45",
            "reason": "调动",
        },
    )

    transfer = Transfer.objects.get(person=zeng)
    assert (transfer.to_branch, transfer.valid_days, transfer.status) == (elsewhere, 45, "sent")
    assert Person.objects.get(pk=zeng.pk).branch == tree.branch
    assert Membership.objects.filter(person=zeng, ended_on__isnull=True).count() == 1
    assert texts(client.get(response.url)) == [
        f"已开具介绍信 {transfer.letter_number}，曾国藩在对方接收前仍属本支部。"
    ]


REL_LETTER = {"valid_days": ["介绍信有效期应为1至90天（REL-LETTER）。"]}


@pytest.mark.parametrize(
    ("days", "expected"),
    [("0", REL_LETTER), ("91", REL_LETTER), ("", {"valid_days": ["这个字段是必填项。"]})],
)
def test_transfer_send_refuses_a_validity_outside_one_to_ninety(
    client, viewers, tree, zeng, days, expected
):
    response = login(client, viewers, "own_org").post(
        reverse("members:transfer_send", args=[zeng.pk]),
        {"to_branch": tree.sibling.pk, "issued_on": "2026-11-20", "valid_days": days},
    )

    assert errors(response) == expected
    assert Transfer.objects.count() == 0


def test_the_letter_validity_default_comes_from_the_settings(client, viewers, zeng, settings):
    settings.DANGWU = {**settings.DANGWU, "LETTER_VALID_DAYS_DEFAULT": 45}

    response = login(client, viewers, "own_org").get(
        reverse("members:transfer_out", args=[zeng.pk])
    )

    assert 'name="valid_days" value="45"' in response.content.decode()


def test_a_second_transfer_is_refused_before_the_form(client, viewers, tree, zeng, admin_user):
    services.transfer_send(actor=admin_user, person=zeng, to_branch=tree.sibling)
    client = login(client, viewers, "own_org")

    response = client.post(
        reverse("members:transfer_out", args=[zeng.pk]),
        {"destination": "中共某区委组织部", "issued_on": "2026-11-20", "valid_days": "30"},
    )

    assert response.url == reverse("members:detail", args=[zeng.pk])
    assert texts(client.get(response.url)) == ["该人员已有一份未完成的组织关系转接。"]
    assert Transfer.objects.count() == 1


def test_transfer_out_needs_a_destination(client, viewers, zeng):
    response = login(client, viewers, "own_org").post(
        reverse("members:transfer_out", args=[zeng.pk]),
        {"destination": "", "issued_on": "2026-11-20", "valid_days": "30"},
    )

    assert errors(response) == {"destination": ["请填写转往的党组织名称。"]}
    assert Transfer.objects.count() == 0


def test_transfer_out_of_a_non_member_is_refused(client, viewers, tree):
    applicant = factories.person(tree.branch, name="王小明", status="applicant")

    response = login(client, viewers, "own_org").post(
        reverse("members:transfer_out", args=[applicant.pk]),
        {"destination": "中共某区委组织部", "issued_on": "2026-11-20", "valid_days": "30"},
    )

    assert errors(response) == {"__all__": ["王小明不是在册党员，不能转接组织关系。"]}
    assert Transfer.objects.count() == 0


def transfer_in_data(tree, **overrides):
    data = create_data(
        tree,
        origin="中共某县委组织部",
        letter_number="某组转〔2026〕15号",
        issued_on="2026-11-10",
        received_on="2026-11-20",
        valid_days="30",
    )
    data.pop("status_since")
    data.update(overrides)
    return data


def test_transfer_in_puts_the_member_on_the_roll(client, viewers, tree):
    response = login(client, viewers, "own_org").post(
        reverse("members:transfer_in"), transfer_in_data(tree)
    )

    person = Person.objects.get(name="欧阳修")
    assert response.url == reverse("members:detail", args=[person.pk])
    transfer = Transfer.objects.get(person=person)
    assert (transfer.kind, transfer.status, transfer.external_org) == (
        "inward",
        "received",
        "中共某县委组织部",
    )


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"status": "applicant"}, "status", "选择一个有效的选项。 applicant 不在可用的选项中。"),
        ({"valid_days": "91"}, "valid_days", "介绍信有效期应为1至90天（REL-LETTER）。"),
        (
            {"id_number": "110105194912310021"},
            "id_number",
            "身份证号码第18位校验码应为X，实际为1。",
        ),
    ],
    ids=["不是党员", "有效期超限", "校验码错误"],
)
def test_transfer_in_refusals_create_nothing(client, viewers, tree, overrides, field, message):
    counts = rows()

    response = login(client, viewers, "own_org").post(
        reverse("members:transfer_in"), transfer_in_data(tree, **overrides)
    )

    assert errors(response)[field] == [message]
    assert rows() == counts


def test_transfer_in_refuses_a_letter_number_already_registered(client, viewers, tree):
    client = login(client, viewers, "own_org")
    client.post(reverse("members:transfer_in"), transfer_in_data(tree))
    counts = rows()

    response = client.post(
        reverse("members:transfer_in"),
        transfer_in_data(tree, name="梁启超", id_number="440524188001010014"),
    )

    assert errors(response) == {"letter_number": ["该介绍信编号已登记。"]}
    assert rows() == counts


@pytest.fixture
def sent(tree, zeng, admin_user):
    return services.transfer_send(
        actor=admin_user, person=zeng, to_branch=tree.sibling, issued_on=D(2026, 11, 20)
    )


def test_the_transfers_page_sorts_incoming_outgoing_and_done(client, viewers, tree, sent):
    receiving = login(client, viewers, "sibling").get(reverse("members:transfers"))
    sending = login(client, viewers, "own_org").get(reverse("members:transfers"))

    assert [(r.transfer, r.can_receive, r.can_cancel) for r in receiving.context["incoming"]] == [
        (sent, True, False)
    ]
    assert receiving.context["outgoing"] == []
    assert sending.context["incoming"] == []
    assert [(r.transfer, r.can_receive, r.can_cancel) for r in sending.context["outgoing"]] == [
        (sent, False, True)
    ]
    assert "确认接收" in receiving.content.decode()
    assert "撤销" in sending.content.decode()


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", 302),
        ("no_role", 404),
        pytest.param("own_org", 404),
        pytest.param("sibling", "done"),
        pytest.param("ancestor", "done"),
    ],
)
def test_receive_permission_matrix(client, viewers, tree, zeng, sent, who, expected):
    before = snapshot(zeng)

    response = login(client, viewers, who).post(reverse("members:transfer_receive", args=[sent.pk]))

    sent.refresh_from_db()
    if expected == "done":
        assert response.url == reverse("members:transfers")
        assert sent.status == TransferStatus.RECEIVED
        fresh = Person.objects.get(pk=zeng.pk)
        assert fresh.branch == tree.sibling
        [home] = Membership.objects.filter(person=zeng, ended_on__isnull=True)
        assert home.branch == tree.sibling
        assert texts(client.get(response.url)) == [
            f"已确认接收曾国藩的组织关系（{sent.letter_number}）。"
        ]
    else:
        assert_status(response, expected)
        assert sent.status == TransferStatus.SENT
        assert snapshot(zeng) == before


def test_receiving_twice_says_so_and_changes_nothing(client, viewers, tree, zeng, sent):
    client = login(client, viewers, "sibling")
    client.get(client.post(reverse("members:transfer_receive", args=[sent.pk])).url)
    counts, before = rows(), snapshot(zeng)

    response = client.post(reverse("members:transfer_receive", args=[sent.pk]))

    assert texts(client.get(response.url)) == ["该转接已接收，不能重复接收。"]
    assert rows() == counts
    assert snapshot(zeng) == before


def test_receive_date_before_the_letter_is_refused(client, viewers, zeng, sent):
    client = login(client, viewers, "sibling")

    response = client.post(
        reverse("members:transfer_receive", args=[sent.pk]), {"received_on": "2026-11-19"}
    )

    assert texts(client.get(response.url)) == ["接收日期不能早于介绍信开具日期。"]
    sent.refresh_from_db()
    assert sent.status == TransferStatus.SENT


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", 302),
        ("no_role", 404),
        pytest.param("sibling", 404),
        pytest.param("own_org", "done"),
        pytest.param("ancestor", "done"),
    ],
)
def test_cancel_permission_matrix(client, viewers, tree, zeng, sent, who, expected):
    response = login(client, viewers, who).post(reverse("members:transfer_cancel", args=[sent.pk]))

    sent.refresh_from_db()
    if expected == "done":
        assert sent.status == TransferStatus.CANCELLED
        assert texts(client.get(response.url)) == [f"已撤销介绍信 {sent.letter_number}。"]
    else:
        assert_status(response, expected)
        assert sent.status == TransferStatus.SENT
    assert Person.objects.get(pk=zeng.pk).branch == tree.branch


def test_the_returned_receipt_of_an_outward_letter_ends_the_roll(client, viewers, zeng, admin_user):
    transfer = services.transfer_out(actor=admin_user, person=zeng, destination="中共某区委组织部")

    login(client, viewers, "own_org").post(reverse("members:transfer_receive", args=[transfer.pk]))

    assert Person.objects.get(pk=zeng.pk).is_active is False
    assert not Membership.objects.filter(person=zeng, ended_on__isnull=True).exists()


# --- the introduction letter --------------------------------------------------------------


def test_the_letter_is_laid_out_like_the_standard_letter_and_its_printing_recorded(
    client, viewers, tree, zeng, sent
):
    response = login(client, viewers, "own_org").get(reverse("members:letter", args=[sent.pk]))

    html = response.content.decode()
    for text in (
        "中国共产党党员组织关系介绍信",
        "（存　根）",
        "中国共产党党员组织关系介绍信回执",
        f"第 {sent.letter_number} 号",
        "有效期30天",
        "2026年11月20日",
        zeng.masked_id_number,
        "某大学党委计算机学院党总支本科生第一党支部",
        "某大学党委计算机学院党总支教工党支部",
        "36</span>岁",
        "汉族",
        '系中共<span class="fill">正式</span>党员',
        "特此回执",
    ):
        assert text in html, text
    assert zeng.id_number not in html
    event = events().get()
    assert (event.actor, event.action, event.subject) == (
        viewers["own_org"],
        AuditAction.PRINT,
        f"transfer:{sent.pk}",
    )
    assert event.detail == {"letter_number": sent.letter_number, "person": zeng.pk}


def test_the_letter_of_a_probationary_member_says_so(client, viewers, tree, admin_user):
    person = factories.person(tree.branch, name="李华", status="probationary")
    transfer = services.transfer_out(
        actor=admin_user, person=person, destination="中共某区委组织部"
    )

    html = (
        login(client, viewers, "own_org")
        .get(reverse("members:letter", args=[transfer.pk]))
        .content.decode()
    )

    assert '系中共<span class="fill">预备</span>党员' in html
    assert '去<span class="fill">中共某区委组织部</span>' in html


@pytest.mark.parametrize(("who", "expected"), PERSON_MATRIX)
def test_letter_permission_matrix(client, viewers, zeng, admin_user, who, expected):
    transfer = services.transfer_out(actor=admin_user, person=zeng, destination="中共某区委组织部")

    response = login(client, viewers, who).get(reverse("members:letter", args=[transfer.pk]))

    assert_status(response, expected)
    assert events().count() == (1 if expected == 200 else 0)


def test_the_transfers_page_queries_are_bounded(
    client, viewers, tree, admin_user, django_assert_max_num_queries
):
    for i in range(12):
        if i % 3 == 2:  # done: received from outside the system
            services.transfer_in(
                actor=admin_user,
                branch=tree.branch,
                group=tree.group,
                origin="中共某县委",
                letter_number=f"L-{i}",
                issued_on=D(2026, 11, 1),
                status="probationary",
                name=f"党员{i:02d}",
                sex="male",
                birth_date=D(1990, 1, i + 1),
                admission_date=D(2026, 1, 1),
            )
            continue
        person = factories.person(tree.branch, name=f"党员{i:02d}")
        if i % 3 == 0:
            services.transfer_send(actor=admin_user, person=person, to_branch=tree.sibling)
        else:
            services.transfer_out(actor=admin_user, person=person, destination="中共某区委组织部")
    client = login(client, viewers, "ancestor")

    with django_assert_max_num_queries(8):
        response = client.get(reverse("members:transfers"))

    assert (len(response.context["incoming"]), len(response.context["outgoing"])) == (4, 8)
    assert len(response.context["done_rows"]) == 4


def test_the_receiving_side_may_print_the_letter(client, viewers, sent):
    response = login(client, viewers, "sibling").get(reverse("members:letter", args=[sent.pk]))

    assert response.status_code == 200


def test_an_inward_transfer_has_no_letter_of_ours(client, viewers, tree):
    client = login(client, viewers, "own_org")
    client.post(reverse("members:transfer_in"), transfer_in_data(tree))
    transfer = Transfer.objects.get()

    response = client.get(reverse("members:letter", args=[transfer.pk]))

    assert response.status_code == 404
    assert events().count() == 0
