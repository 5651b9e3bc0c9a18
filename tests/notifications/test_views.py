"""The inbox: one's own notifications only, mark read / all read by POST, the unread badge."""

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from dangwu.notifications.context import unread
from dangwu.notifications.models import Notification
from tests import factories

pytestmark = pytest.mark.django_db


def notify(user, key, *, read=False, url="/meetings/", title=None):
    return Notification.objects.create(
        user=user,
        kind="minutes_missing",
        key=key,
        title=title or f"提醒{key}",
        body="请填写会议记录。",
        url=url,
        read_at=timezone.now() if read else None,
    )


@pytest.fixture
def alice(db):
    return factories.user_with_role("alice", None)


@pytest.fixture
def bob(db):
    return factories.user_with_role("bob", None)


def test_anonymous_is_sent_to_login(client):
    for url in (reverse("notifications:inbox"), reverse("notifications:read_all")):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_inbox_lists_only_ones_own_newest_first(client, alice, bob):
    notify(alice, "a1", title="第一条")
    notify(alice, "a2", title="第二条", read=True)
    notify(bob, "b1", title="别人的提醒")
    client.force_login(alice)
    response = client.get(reverse("notifications:inbox"))
    assert response.status_code == 200
    page = response.content.decode()
    assert [n.title for n in response.context["page_obj"]] == ["第二条", "第一条"]
    assert "别人的提醒" not in page
    assert response.context["unread_total"] == 1
    assert "1 条未读" in page


def test_inbox_unread_filter(client, alice):
    notify(alice, "a1", title="未读的")
    notify(alice, "a2", title="读过的", read=True)
    client.force_login(alice)
    response = client.get(reverse("notifications:inbox"), {"show": "unread"})
    assert [n.title for n in response.context["page_obj"]] == ["未读的"]


def test_empty_inbox_says_what_will_appear(client, alice):
    client.force_login(alice)
    page = client.get(reverse("notifications:inbox")).content.decode()
    assert (
        "暂无提醒。会议通知、会议待召开、会议记录未填写、请假待审批和即将召开的会议会在这里提醒。"
        in page
    )


def test_inbox_queries_do_not_grow_with_the_list(client, alice, django_assert_max_num_queries):
    for i in range(25):
        notify(alice, f"k{i}")
    client.force_login(alice)
    with django_assert_max_num_queries(7):  # session, user, roles, count, page, unread, badge
        response = client.get(reverse("notifications:inbox"))
    assert len(response.context["page_obj"]) == 25


def test_mark_read(client, alice):
    n = notify(alice, "a1")
    client.force_login(alice)
    response = client.post(reverse("notifications:read", args=[n.pk]))
    assert response.status_code == 302
    assert response.url == reverse("notifications:inbox")
    n.refresh_from_db()
    assert n.read_at is not None


def test_open_marks_read_and_goes_to_the_thing(client, alice):
    n = notify(alice, "a1", url="/meetings/12/minutes/")
    client.force_login(alice)
    response = client.post(reverse("notifications:read", args=[n.pk]), {"open": "1"})
    assert response.status_code == 302
    assert response.url == "/meetings/12/minutes/"
    n.refresh_from_db()
    assert n.is_read


def test_open_never_leaves_the_site(client, alice):
    n = notify(alice, "a1", url="https://evil.example.com/")
    client.force_login(alice)
    response = client.post(reverse("notifications:read", args=[n.pk]), {"open": "1"})
    assert response.url == reverse("notifications:inbox")


def test_anothers_notification_is_404_and_unchanged(client, alice, bob):
    n = notify(bob, "b1")
    client.force_login(alice)
    assert client.post(reverse("notifications:read", args=[n.pk])).status_code == 404
    assert client.post(reverse("notifications:read", args=[99999])).status_code == 404
    n.refresh_from_db()
    assert n.read_at is None


def test_mark_read_needs_post(client, alice):
    n = notify(alice, "a1")
    client.force_login(alice)
    assert client.get(reverse("notifications:read", args=[n.pk])).status_code == 405
    n.refresh_from_db()
    assert n.read_at is None


def test_mark_all_read_only_touches_ones_own(client, alice, bob):
    notify(alice, "a1")
    notify(alice, "a2")
    theirs = notify(bob, "b1")
    client.force_login(alice)
    response = client.post(reverse("notifications:read_all"), follow=True)
    assert "已将2条提醒标为已读。" in response.content.decode()
    assert Notification.objects.filter(user=alice, read_at__isnull=True).count() == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_unread_badge_context(alice, django_assert_num_queries):
    notify(alice, "a1")
    notify(alice, "a2")
    notify(alice, "a3", read=True)
    request = RequestFactory().get("/")
    request.user = alice
    context = unread(request)
    with django_assert_num_queries(1):
        assert str(context["unread_notifications"]) == "2"


def test_unread_badge_is_zero_and_free_for_anonymous(django_assert_num_queries):
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    with django_assert_num_queries(0):
        assert unread(request) == {"unread_notifications": 0}


def test_badge_in_the_menu_when_the_context_processor_is_installed(client, alice, settings):
    processors = settings.TEMPLATES[0]["OPTIONS"]["context_processors"]
    if "dangwu.notifications.context.unread" not in processors:
        settings.TEMPLATES = [
            {
                **settings.TEMPLATES[0],
                "OPTIONS": {
                    **settings.TEMPLATES[0]["OPTIONS"],
                    "context_processors": [*processors, "dangwu.notifications.context.unread"],
                },
            }
        ]
    notify(alice, "a1")
    client.force_login(alice)
    page = client.get(reverse("notifications:inbox")).content.decode()
    assert '提醒 <span class="badge">1</span>' in page
