"""Holding a meeting on phones, in a real browser (Debian's chromium via Playwright): the
host opens sign-in and shows the QR code, a member signs in with the link on their phone,
the recorder completes the attendance with one radio button per person."""

import pytest
from django.utils import timezone

from dangwu.meetings.models import Attendance
from dangwu.meetings.services import meetings as meeting_services
from dangwu.meetings.services.meetings import MeetingFields
from tests import factories
from tests.test_browser import browser  # noqa: F401 - the fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 375, "height": 800}


def login(browser, url, username):  # noqa: F811 - browser is the fixture's value
    page = browser.new_context(viewport=PHONE).new_page()
    page.goto(f"{url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pw")
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/")
    return page


def test_a_meeting_is_signed_in_by_qr_link_and_recorded_on_phones(live_server, browser):  # noqa: F811
    committee = factories.org(None, "basic_committee", "某大学党委")
    branch = factories.org(committee, "branch", "本科生第一党支部")
    zhang = factories.person(branch, name="张三")
    li = factories.person(branch, name="李明")
    worker = factories.user_with_role("worker", branch)
    factories.user_with_role("zhangsan", None, person=zhang)
    today = timezone.localdate()
    m = meeting_services.meeting_create(
        actor=worker,
        organization=branch,
        fields=MeetingFields(kind="theme_day", topic="志愿服务进社区", date=today),
        today=today,
    )

    # The host opens sign-in on their phone: a QR code and the link to copy.
    host = login(browser, live_server.url, "worker")
    host.goto(f"{live_server.url}/meetings/{m.pk}/")
    host.get_by_role("link", name="签到二维码").click()
    host.get_by_role("button", name="开启签到").click()
    host.wait_for_selector(".qr svg")
    link = host.input_value("#signin-link")
    assert "/meetings/signin/" in link

    # 张三 opens the link on his phone and confirms.
    member = login(browser, live_server.url, "zhangsan")
    member.goto(link)
    member.get_by_role("button", name="确认签到").click()
    assert "签到成功" in member.inner_text("main")

    # The recorder marks 李明 absent and saves; 张三 stays present with his sign-in time.
    host.goto(f"{live_server.url}/meetings/{m.pk}/attendance/")
    host.locator("fieldset", has_text="李明").get_by_label("缺席").check()
    host.get_by_role("button", name="保存").click()
    host.wait_for_url(f"**/meetings/{m.pk}/")
    rows = dict(Attendance.objects.filter(meeting=m).values_list("person__name", "status"))
    assert rows == {"张三": "present", "李明": "absent"}
    signed = Attendance.objects.get(meeting=m, person=zhang).signed_in_at
    assert timezone.localtime(signed).date() == today
    assert li.pk in set(Attendance.objects.filter(meeting=m).values_list("person_id", flat=True))
