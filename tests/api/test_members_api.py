"""/api/v1/members and /api/v1/transfers: people, status, ID numbers, history, transfers."""

import datetime as dt
import json

import pytest

from dangwu.core.clock import today
from dangwu.core.idcard import mask_id_number
from dangwu.core.models import AuditEvent
from dangwu.members import rules, services
from dangwu.members.models import Person, Transfer
from tests import factories

API = "/api/v1"
UNAUTHENTICATED = {"code": "UNAUTHENTICATED", "message": "请先登录。", "fields": {}}
NOT_FOUND = {"code": "NOT_FOUND", "message": "记录不存在或您无权查看。", "fields": {}}
MATRIX = [
    ("anonymous", 401),
    ("no_role", 404),
    ("sibling", 404),
    ("own_org", 200),
    ("ancestor", 200),
]
WRITE_MATRIX = [*MATRIX, ("committee_member", 404)]


@pytest.fixture
def wang(tree):
    """A full member of the branch, in its party group."""
    return factories.person(tree.branch, name="王小明", group=tree.group)


@pytest.fixture
def users(tree, viewers):
    """The matrix plus a committee member of the branch (view and approve, no edit)."""
    cm = factories.user_with_role("cm", tree.branch, kind="committee_member")
    return {**viewers, "committee_member": cm}


def as_viewer(client, user):
    if user is not None:
        client.force_login(user)
    return client


def post_json(client, url, data=None):
    body = json.dumps(data) if data is not None else ""
    return client.post(url, body, content_type="application/json")


def patch_json(client, url, data):
    return client.patch(url, json.dumps(data), content_type="application/json")


def assert_refused(response, status):
    expected = {401: UNAUTHENTICATED, 404: NOT_FOUND}[status]
    assert (response.status_code, response.json()) == (status, expected)


def names(response):
    return [p["name"] for p in response.json()["items"]]


# --- GET /members ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("no_role", ["李四"]),
        ("sibling", ["李四"]),
        ("own_org", ["王小明"]),
        ("ancestor", ["李四", "王小明"]),
    ],
)
def test_person_list_shows_only_people_in_scope(client, wang, viewers, who, expected):
    as_viewer(client, viewers[who])

    response = client.get(f"{API}/members")

    assert response.status_code == 200
    assert (names(response), response.json()["count"]) == (expected, len(expected))


def test_person_list_anonymous_is_401(client, wang):
    assert_refused(client.get(f"{API}/members"), 401)


def test_person_list_row_is_masked(client, tree, wang, viewers):
    as_viewer(client, viewers["own_org"])

    response = client.get(f"{API}/members")

    assert response.json()["items"] == [
        {
            "id": wang.pk,
            "name": "王小明",
            "sex": "male",
            "birth_date": "1990-05-04",
            "id_number_masked": mask_id_number(wang.id_number),
            "status": "full",
            "status_label": "正式党员",
            "status_since": "2016-07-01",
            "branch_id": tree.branch.pk,
            "branch_name": "本科生第一党支部",
            "group_id": tree.group.pk,
            "group_name": "第一党小组",
            "is_active": True,
        }
    ]
    assert wang.id_number not in response.content.decode()


@pytest.mark.parametrize("q", ["王小", "wangxiao", "wxm", "WXM"])
def test_person_list_searches_name_pinyin_and_initials(client, tree, wang, viewers, q):
    factories.person(tree.branch, name="曾国藩")
    as_viewer(client, viewers["own_org"])

    response = client.get(f"{API}/members", {"q": q})

    assert names(response) == ["王小明"]


def test_person_list_search_knows_the_surname_reading(client, tree, wang, viewers):
    factories.person(tree.branch, name="曾国藩")
    as_viewer(client, viewers["own_org"])

    assert names(client.get(f"{API}/members", {"q": "zgf"})) == ["曾国藩"]


def test_person_list_filters(client, tree, wang, viewers, admin_user):
    # given an activist without a group, and a member who has died
    factories.person(tree.branch, name="安积极", status="activist")
    gone = factories.person(tree.branch, name="白故去")
    services.person_status_change(
        actor=admin_user, person=gone, status="deceased", effective_on=dt.date(2026, 1, 5)
    )
    as_viewer(client, viewers["ancestor"])

    # then
    assert names(client.get(f"{API}/members", {"status": "activist"})) == ["安积极"]
    assert names(client.get(f"{API}/members", {"org": tree.group.pk})) == ["王小明"]
    assert names(client.get(f"{API}/members", {"org": tree.sibling.pk})) == ["李四"]
    assert names(client.get(f"{API}/members", {"active": "false"})) == ["白故去"]


def test_person_list_org_outside_scope_is_404(client, wang, tree, viewers):
    as_viewer(client, viewers["own_org"])

    assert_refused(client.get(f"{API}/members", {"org": tree.sibling.pk}), 404)


@pytest.fixture
def crowd(tree):
    """105 people in the branch."""
    return [factories.person(tree.branch, name=f"甲{i:03d}") for i in range(105)]


def test_person_list_pages(client, crowd, viewers):
    as_viewer(client, viewers["own_org"])

    default = client.get(f"{API}/members").json()
    largest = client.get(f"{API}/members", {"limit": 200}).json()
    last = client.get(f"{API}/members", {"limit": 50, "offset": 100}).json()

    assert (len(default["items"]), default["count"]) == (30, 105)
    assert (len(largest["items"]), largest["count"]) == (105, 105)
    assert [p["name"] for p in last["items"]] == [f"甲{i:03d}" for i in range(100, 105)]


@pytest.mark.parametrize(
    ("params", "fields"),
    [
        ({"limit": 201}, {"limit": ["不能大于200。"]}),
        ({"limit": 0}, {"limit": ["不能小于1。"]}),
        ({"offset": -1}, {"offset": ["不能小于0。"]}),
        ({"limit": "abc"}, {"limit": ["请填写整数。"]}),
        (
            {"status": "member"},
            {
                "status": [
                    "无效的选项，可选值：applicant、activist、candidate、probationary、full、"
                    "probation_cancelled、suspended、left、deceased。"
                ]
            },
        ),
        ({"active": "perhaps"}, {"active": ["请填写 true 或 false。"]}),
    ],
)
def test_person_list_bad_parameters_are_422(client, wang, viewers, params, fields):
    as_viewer(client, viewers["own_org"])

    response = client.get(f"{API}/members", params)

    assert response.status_code == 422
    assert response.json() == {"code": "INVALID", "message": "提交的数据有误。", "fields": fields}


def test_person_list_query_count_is_bounded_and_numbers_masked(
    client, crowd, viewers, django_assert_max_num_queries
):
    as_viewer(client, viewers["ancestor"])

    # session, user, roles, count, page
    with django_assert_max_num_queries(5):
        response = client.get(f"{API}/members", {"limit": 200})

    body = response.content.decode()
    assert response.json()["count"] == 106
    assert [p.id_number for p in crowd if p.id_number in body] == []


# --- GET /members/{id} ----------------------------------------------------------------------


@pytest.mark.parametrize(("who", "status"), MATRIX)
def test_person_detail_permission_matrix(client, wang, viewers, who, status):
    as_viewer(client, viewers[who])

    response = client.get(f"{API}/members/{wang.pk}")

    if status == 200:
        assert (response.status_code, response.json()["name"]) == (200, "王小明")
    else:
        assert_refused(response, status)


def test_person_detail_a_member_without_role_reads_their_own_record(client, viewers):
    own = viewers["no_role"].person
    as_viewer(client, viewers["no_role"])

    body = client.get(f"{API}/members/{own.pk}").json()

    assert (body["name"], body["can_edit"], body["can_view_id"]) == ("李四", False, True)


def test_person_detail_body(client, tree, wang, viewers):
    as_viewer(client, viewers["own_org"])

    response = client.get(f"{API}/members/{wang.pk}")

    assert response.json() == {
        "id": wang.pk,
        "name": "王小明",
        "sex": "male",
        "birth_date": "1990-05-04",
        "id_number_masked": mask_id_number(wang.id_number),
        "status": "full",
        "status_label": "正式党员",
        "status_since": "2016-07-01",
        "branch_id": tree.branch.pk,
        "branch_name": "本科生第一党支部",
        "group_id": tree.group.pk,
        "group_name": "第一党小组",
        "is_active": True,
        "ethnicity": "01",
        "phone": "",
        "education": None,
        "occupation": None,
        "dues_category": None,
        "work_unit": "",
        "league_member": False,
        "applied_on": None,
        "admission_date": "2015-07-01",
        "full_since": "2016-07-01",
        "party_age": rules.party_age(full_since=dt.date(2016, 7, 1), today=today()),
        "rights": {
            "can_vote": True,
            "can_elect": True,
            "can_be_elected": True,
            "can_hold_role": True,
            "reasons": [],
        },
        "can_edit": True,
        "can_view_id": True,
        "statuses": [
            {"status": "full", "effective_on": "2016-07-01", "leave_kind": None, "reason": "建档"}
        ],
        "memberships": [
            {
                "branch_id": tree.branch.pk,
                "branch_name": "本科生第一党支部",
                "group_id": tree.group.pk,
                "group_name": "第一党小组",
                "started_on": "2016-07-01",
                "ended_on": None,
                "note": "",
            }
        ],
        "posts": [],
    }
    assert wang.id_number not in response.content.decode()


def test_person_detail_unknown_id_is_404(client, wang, viewers):
    as_viewer(client, viewers["ancestor"])

    assert_refused(client.get(f"{API}/members/999999"), 404)


# --- POST /members --------------------------------------------------------------------------


def new_person(tree, **changes):
    return {
        "branch_id": tree.branch.pk,
        "status": "activist",
        "status_since": "2025-10-01",
        "name": "钱新",
        "id_number": factories.id_number_for(dt.date(2004, 3, 2), "female", serial=7),
        **changes,
    }


@pytest.mark.parametrize(("who", "status"), [(w, 201 if s == 200 else s) for w, s in WRITE_MATRIX])
def test_person_create_permission_matrix(client, tree, users, who, status):
    as_viewer(client, users[who])
    before = Person.objects.count()

    response = post_json(client, f"{API}/members", new_person(tree))

    if status == 201:
        created = Person.objects.get(name="钱新")
        assert (response.status_code, response.json()["id"]) == (201, created.pk)
        assert (created.sex, created.birth_date, created.branch) == (
            "female",
            dt.date(2004, 3, 2),
            tree.branch,
        )
    else:
        assert_refused(response, status)
        assert Person.objects.count() == before


def test_person_create_answer_masks_the_id_number(client, tree, viewers):
    as_viewer(client, viewers["own_org"])
    payload = new_person(tree, group_id=tree.group.pk, phone="13812345678")

    response = post_json(client, f"{API}/members", payload)

    body = response.json()
    assert (body["id_number_masked"], body["group_name"], body["phone"]) == (
        mask_id_number(payload["id_number"]),
        "第一党小组",
        "13812345678",
    )
    assert payload["id_number"] not in response.content.decode()


def test_person_create_invalid_id_number_is_422_with_the_chinese_message(client, tree, viewers):
    as_viewer(client, viewers["own_org"])
    before = Person.objects.count()
    payload = new_person(tree, id_number="110105199001010011", sex="male", birth_date="1990-01-01")

    response = post_json(client, f"{API}/members", payload)

    assert response.status_code == 422
    assert response.json() == {
        "code": "INVALID",
        "message": "身份证号码第18位校验码应为0，实际为1。",
        "fields": {"id_number": ["身份证号码第18位校验码应为0，实际为1。"]},
    }
    assert Person.objects.count() == before


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        (
            {"sex": "unknown"},
            {"sex": ["无效的选项，可选值：male、female。"]},
        ),
        (
            {"status_since": "2025/10/01"},
            {"status_since": ["请填写有效日期，格式为 YYYY-MM-DD。"]},
        ),
        (
            {"birth_date": "2004-02-30"},
            {"birth_date": ["请填写有效日期，格式为 YYYY-MM-DD。"]},
        ),
        (
            {"ethnicity": "99"},
            {"ethnicity": ["无效的民族代码（应为GB 3304-1991的两位代码，如01 汉族）。"]},
        ),
        ({"name": "名" * 51}, {"name": ["不能超过50个字。"]}),
        ({"name": "钱\x00新"}, {"name": ["不能包含控制字符。"]}),
        ({"branch_id": 2**63}, {"branch_id": ["不能大于9223372036854775807。"]}),
    ],
)
def test_person_create_bad_values_are_422(client, tree, viewers, change, fields):
    as_viewer(client, viewers["own_org"])
    before = Person.objects.count()

    response = post_json(client, f"{API}/members", new_person(tree, **change))

    assert response.status_code == 422
    assert response.json() == {"code": "INVALID", "message": "提交的数据有误。", "fields": fields}
    assert Person.objects.count() == before


def test_person_create_malformed_json_is_400(client, tree, viewers):
    as_viewer(client, viewers["own_org"])
    before = Person.objects.count()

    response = client.post(f"{API}/members", '{"name": "钱新",', content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {
        "code": "MALFORMED_JSON",
        "message": "请求内容不是有效的 JSON。",
        "fields": {},
    }
    assert Person.objects.count() == before


def test_person_create_in_a_group_of_another_branch_is_422(client, tree, viewers):
    as_viewer(client, viewers["ancestor"])

    response = post_json(
        client,
        f"{API}/members",
        new_person(tree, branch_id=tree.sibling.pk, group_id=tree.group.pk),
    )

    assert response.status_code == 422
    assert response.json() == {
        "code": "INVALID",
        "message": "党小组“第一党小组”不属于“教工党支部”。",
        "fields": {"group_id": ["党小组须属于所选党支部。"]},
    }
    assert not Person.objects.filter(name="钱新").exists()


# --- PATCH /members/{id} --------------------------------------------------------------------


@pytest.mark.parametrize(("who", "status"), WRITE_MATRIX)
def test_person_update_permission_matrix(client, wang, users, who, status):
    as_viewer(client, users[who])

    response = patch_json(client, f"{API}/members/{wang.pk}", {"phone": "13812345678"})

    wang.refresh_from_db()
    if status == 200:
        assert (response.status_code, response.json()["phone"]) == (200, "13812345678")
        assert wang.phone == "13812345678"
    else:
        assert_refused(response, status)
        assert wang.phone == ""


def test_person_update_bad_id_number_changes_nothing(client, wang, viewers):
    as_viewer(client, viewers["own_org"])
    before = wang.id_number

    response = patch_json(client, f"{API}/members/{wang.pk}", {"id_number": "12345"})

    assert response.status_code == 422
    assert response.json() == {
        "code": "INVALID",
        "message": "身份证号码应为18位（或旧式15位），当前为5位。",
        "fields": {"id_number": ["身份证号码应为18位（或旧式15位），当前为5位。"]},
    }
    wang.refresh_from_db()
    assert wang.id_number == before


def test_person_update_blank_fields_become_empty(client, wang, viewers):
    as_viewer(client, viewers["own_org"])

    response = patch_json(
        client, f"{API}/members/{wang.pk}", {"education": "bachelor", "work_unit": None}
    )

    wang.refresh_from_db()
    assert response.status_code == 200
    assert (wang.education, wang.work_unit) == ("bachelor", "")


# --- POST /members/{id}/status --------------------------------------------------------------


@pytest.mark.parametrize(("who", "status"), WRITE_MATRIX)
def test_person_status_change_permission_matrix(client, wang, users, who, status):
    as_viewer(client, users[who])

    response = post_json(
        client,
        f"{API}/members/{wang.pk}/status",
        {"status": "suspended", "effective_on": "2026-11-01", "reason": "失去联系"},
    )

    wang.refresh_from_db()
    if status == 200:
        assert (response.status_code, response.json()["status"]) == (200, "suspended")
        assert (wang.status, wang.status_since) == ("suspended", dt.date(2026, 11, 1))
    else:
        assert_refused(response, status)
        assert wang.status == "full"


def test_person_status_change_refused_by_the_rule_has_findings(client, wang, viewers):
    as_viewer(client, viewers["own_org"])

    response = post_json(
        client,
        f"{API}/members/{wang.pk}/status",
        {"status": "applicant", "effective_on": "2026-11-01"},
    )

    [finding] = rules.status_transition_findings(current="full", new="applicant")
    message = f"{finding.message}（{finding.citation}）"
    assert response.status_code == 422
    assert response.json() == {
        "code": "MEM-STATUS",
        "message": message,
        "fields": {"status": [message]},
        "findings": [{"subject": "", "due": None, **finding.as_dict()}],
    }
    wang.refresh_from_db()
    assert wang.status == "full"


# --- POST /members/{id}/reveal-id -----------------------------------------------------------


@pytest.mark.parametrize(("who", "status"), WRITE_MATRIX)
def test_reveal_id_permission_matrix_and_audit(client, wang, users, who, status):
    user = users[who]
    as_viewer(client, user)

    response = post_json(client, f"{API}/members/{wang.pk}/reveal-id")

    events = list(
        AuditEvent.objects.filter(action="view_id_number").values_list("actor", "action", "subject")
    )
    if status == 200:
        assert (response.status_code, response.json()) == (200, {"id_number": wang.id_number})
        assert events == [(user.pk, "view_id_number", f"person:{wang.pk}")]
    else:
        assert_refused(response, status)
        assert events == []


def test_reveal_id_of_ones_own_record(client, viewers):
    own = viewers["no_role"].person
    as_viewer(client, viewers["no_role"])

    response = post_json(client, f"{API}/members/{own.pk}/reveal-id")

    assert response.json() == {"id_number": own.id_number}
    assert AuditEvent.objects.filter(subject=f"person:{own.pk}").count() == 1


# --- GET /members/{id}/history --------------------------------------------------------------


@pytest.mark.parametrize(("who", "status"), MATRIX)
def test_history_permission_matrix(client, wang, viewers, who, status):
    as_viewer(client, viewers[who])

    response = client.get(f"{API}/members/{wang.pk}/history")

    if status == 200:
        assert response.status_code == 200
        assert sorted(e["record"] for e in response.json()) == ["人员信息", "政治面貌", "组织关系"]
    else:
        assert_refused(response, status)


def test_history_names_the_change_and_masks_id_numbers(client, wang, viewers):
    as_viewer(client, viewers["own_org"])
    new_id = factories.id_number_for(dt.date(1990, 5, 4), "male", serial=321)
    patch_json(client, f"{API}/members/{wang.pk}", {"phone": "13812345678", "id_number": new_id})

    response = client.get(f"{API}/members/{wang.pk}/history")

    latest = response.json()[0]
    assert {k: latest[k] for k in ("who", "what", "record")} == {
        "who": "own",
        "what": "修改",
        "record": "人员信息",
    }
    assert sorted((c["field"], c["before"], c["after"]) for c in latest["changes"]) == [
        ("公民身份号码", mask_id_number(wang.id_number), mask_id_number(new_id)),
        ("联系电话", "—", "13812345678"),
    ]
    assert latest["at"].endswith("+08:00")
    body = response.content.decode()
    assert (wang.id_number in body, new_id in body) == (False, False)


# --- transfers ------------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "status"), [(w, 201 if s == 200 else s) for w, s in WRITE_MATRIX])
def test_transfer_send_permission_matrix(client, tree, wang, users, who, status):
    as_viewer(client, users[who])

    response = post_json(
        client,
        f"{API}/members/{wang.pk}/transfers",
        {"to_branch_id": tree.sibling.pk, "issued_on": "2026-11-20", "reason": "工作调动"},
    )

    if status == 201:
        transfer = Transfer.objects.get()
        assert response.status_code == 201
        assert response.json() == {
            "id": transfer.pk,
            "kind": "internal",
            "status": "sent",
            "status_label": "已转出，待接收",
            "person_id": wang.pk,
            "person_name": "王小明",
            "from_branch_id": tree.branch.pk,
            "from_branch_name": "本科生第一党支部",
            "to_branch_id": tree.sibling.pk,
            "to_branch_name": "教工党支部",
            "external_org": "",
            "letter_number": f"2026-{transfer.pk:06d}",
            "issued_on": "2026-11-20",
            "valid_days": 30,
            "reason": "工作调动",
            "received_on": None,
        }
    else:
        assert_refused(response, status)
        assert not Transfer.objects.exists()


@pytest.mark.parametrize(
    ("payload", "code", "message", "fields"),
    [
        (
            {"to_branch_id": "group"},
            "INVALID",
            "转入党支部不存在或已撤销。",
            {"to_branch_id": ["转入党支部不存在或已撤销。"]},
        ),
        (
            {"to_branch_id": "branch"},
            "INVALID",
            "转入党支部与当前党支部相同。",
            {"to_branch_id": ["请选择其他党支部。"]},
        ),
        (
            {"to_branch_id": "sibling", "valid_days": 91},
            "REL-LETTER",
            "介绍信有效期应为1至90天（REL-LETTER）。",
            {"valid_days": ["有效期超出范围。"]},
        ),
    ],
)
def test_transfer_send_refused_is_422_and_sends_nothing(
    client, tree, wang, viewers, payload, code, message, fields
):
    as_viewer(client, viewers["own_org"])
    payload = {**payload, "to_branch_id": getattr(tree, payload["to_branch_id"]).pk}

    response = post_json(client, f"{API}/members/{wang.pk}/transfers", payload)

    assert response.status_code == 422
    assert response.json() == {"code": code, "message": message, "fields": fields}
    assert not Transfer.objects.exists()


@pytest.fixture
def transfers(tree, wang, admin_user):
    """王小明 sent to the sibling branch; 陈出 sent out of the system."""
    inside = services.transfer_send(
        actor=admin_user, person=wang, to_branch=tree.sibling, issued_on=dt.date(2026, 11, 2)
    )
    chen = factories.person(tree.branch, name="陈出")
    outside = services.transfer_out(
        actor=admin_user,
        person=chen,
        destination="中共某市委组织部",
        issued_on=dt.date(2026, 11, 1),
    )
    return inside, outside


@pytest.mark.parametrize(
    ("who", "params", "expected"),
    [
        ("no_role", {}, []),
        ("sibling", {}, ["王小明"]),
        ("own_org", {}, ["王小明", "陈出"]),
        ("ancestor", {}, ["王小明", "陈出"]),
        ("sibling", {"direction": "incoming"}, ["王小明"]),
        ("sibling", {"direction": "outgoing"}, []),
        ("own_org", {"direction": "incoming"}, []),
        ("own_org", {"status": "received"}, []),
        ("own_org", {"status": "sent", "direction": "outgoing"}, ["王小明", "陈出"]),
    ],
)
def test_transfer_list_by_viewer(client, transfers, viewers, who, params, expected):
    as_viewer(client, viewers[who])

    response = client.get(f"{API}/transfers", params)

    assert response.status_code == 200
    assert [t["person_name"] for t in response.json()["items"]] == expected


def test_transfer_list_anonymous_is_401(client, transfers):
    assert_refused(client.get(f"{API}/transfers"), 401)


def test_transfer_list_query_count_is_bounded(
    client, tree, viewers, admin_user, django_assert_max_num_queries
):
    for i in range(30):
        person = factories.person(tree.branch, name=f"丙{i}")
        services.transfer_send(actor=admin_user, person=person, to_branch=tree.sibling)
    as_viewer(client, viewers["ancestor"])

    with django_assert_max_num_queries(5):
        response = client.get(f"{API}/transfers", {"limit": 200})

    assert response.json()["count"] == 30


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 401),
        ("no_role", 404),
        pytest.param("own_org", 404),  # the sending side cannot receive
        pytest.param("sibling", 200),  # the receiving branch
        pytest.param("ancestor", 200),
    ],
)
def test_transfer_receive_permission_matrix(client, tree, wang, transfers, viewers, who, status):
    inside, _ = transfers
    as_viewer(client, viewers[who])

    response = post_json(
        client, f"{API}/transfers/{inside.pk}/receive", {"received_on": "2026-11-10"}
    )

    wang.refresh_from_db()
    inside.refresh_from_db()
    if status == 200:
        assert (response.status_code, response.json()["status"]) == (200, "received")
        assert (wang.branch, inside.received_on) == (tree.sibling, dt.date(2026, 11, 10))
    else:
        assert_refused(response, status)
        assert (wang.branch, inside.status) == (tree.branch, "sent")


def test_transfer_receive_by_a_committee_member_of_the_receiving_branch(
    client, tree, wang, transfers
):
    # given approval is enough to receive
    member = factories.user_with_role("cm2", tree.sibling, kind="committee_member")
    as_viewer(client, member)

    response = post_json(client, f"{API}/transfers/{transfers[0].pk}/receive", {})

    wang.refresh_from_db()
    assert (response.status_code, wang.branch) == (200, tree.sibling)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 401),
        ("no_role", 404),
        pytest.param("sibling", 404),  # the receiving side cannot cancel
        pytest.param("own_org", 200),
        pytest.param("ancestor", 200),
    ],
)
def test_transfer_cancel_permission_matrix(client, transfers, viewers, who, status):
    inside, _ = transfers
    as_viewer(client, viewers[who])

    response = post_json(client, f"{API}/transfers/{inside.pk}/cancel")

    inside.refresh_from_db()
    if status == 200:
        assert (response.status_code, response.json()["status"]) == (200, "cancelled")
        assert inside.status == "cancelled"
    else:
        assert_refused(response, status)
        assert inside.status == "sent"
