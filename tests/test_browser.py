"""A person's path through the system in a real browser: Debian's chromium driven by Playwright.

Skipped when /usr/bin/chromium is missing, unless DANGWU_REQUIRE_BROWSER=1 (CI sets it), in
which case a missing browser fails the run instead of hiding it.
"""

import os
import shutil

import pytest

from tests import factories

expect = pytest.importorskip("playwright.sync_api").expect

CHROMIUM = os.environ.get("DANGWU_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser():
    if not shutil.which(CHROMIUM):
        if os.environ.get("DANGWU_REQUIRE_BROWSER") == "1":
            pytest.fail(f"未找到浏览器 {CHROMIUM}（CI 需要安装 Debian 的 chromium 软件包）")
        pytest.skip(f"未找到浏览器 {CHROMIUM}")
    # Playwright's sync API runs an event loop in this thread; the ORM calls in the test
    # body happen before and after, never concurrently.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.mark.parametrize("width", [375, 1280], ids=["手机", "电脑"])
def test_worker_logs_in_opens_tree_finds_member_by_initials(live_server, browser, width):
    committee = factories.org(None, "basic_committee", "某大学党委")
    college = factories.org(committee, "general_branch", "计算机学院党总支")
    branch = factories.org(college, "branch", "本科生第一党支部")
    factories.superuser("root")
    zeng = factories.person(branch, name="曾国藩", sex="female")
    factories.person(branch, name="张三")
    user = factories.user_with_role("worker", committee)
    user.set_password("s3cret-pass")
    user.save()

    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(f"{live_server.url}/")
    page.fill("input[name=username]", "worker")
    page.fill("input[name=password]", "s3cret-pass")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/orgs/")
    assert page.get_by_text("计算机学院党总支").first.is_visible()
    page.get_by_text("本科生第一党支部").first.click()
    page.wait_for_url("**/orgs/*/")
    assert "本科生第一党支部" in page.inner_text("h1")

    page.goto(f"{live_server.url}/members/")
    page.fill("input[name=q]", "zgf")
    page.keyboard.press("Enter")
    page.wait_for_url("**q=zgf**")
    expect(page.get_by_role("link", name="张三")).to_have_count(0)
    expect(page.get_by_role("link", name="曾国藩").first).to_be_visible()
    page.get_by_role("link", name="曾国藩").first.click()
    page.wait_for_url("**/members/*/")
    assert "曾国藩" in page.inner_text("h1")
    assert zeng.id_number not in page.content()  # masked unless revealed
