"""A manager's pages fit a 1366 px screen in both languages (no sideways scrolling), and
the browser refuses nothing on them under the portal's Content-Security-Policy."""

import pytest

from tests.windows.factories import TEST_PASSWORD, HallFactory, make_manager

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PAGES = [
    "/",
    "/complaints/dashboard/",
    "/results/hall/",
    "/reports/dashboard/",
    "/bulletins/",
    "/rectification/",
    "/admin/",
    "/api/docs/",
]


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_a_managers_pages_fit_1366_pixels(live_server, chromium_browser, locale):
    hall = HallFactory(code="LH", name="六合区社会保障综合服务大厅")
    manager = make_manager(hall, "manager")
    manager.set_password(TEST_PASSWORD)
    manager.save()
    context = chromium_browser.new_context(locale=locale, viewport={"width": 1366, "height": 800})
    page = context.new_page()
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    try:
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", "manager")
        page.fill("#id_password", TEST_PASSWORD)
        page.click("#login-submit")
        page.wait_for_url(f"{live_server.url}/")
        widths = {}
        for path in PAGES:
            response = page.goto(f"{live_server.url}{path}")
            assert response.status == 200, path
            page.wait_for_load_state("networkidle")
            widths[path] = page.evaluate("document.documentElement.scrollWidth")
        assert widths == dict.fromkeys(PAGES, 1366)
        assert refused == []
    finally:
        context.close()
