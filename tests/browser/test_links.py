"""Links inside running text are told apart from it by more than colour (WCAG 1.4.1; axe rule
``link-in-text-block``, issue 18 item 18: the portal's /portal/track/ page failed it)."""

import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("reseeded")]

PAGES = ["/portal/", "/portal/track/", "/portal/submit/", "/portal/account/",
         "/portal/tickets/SR-20000101-000000/", "/workspace/login/"]
ONLY_THIS_RULE = {"runOnly": {"type": "rule", "values": ["link-in-text-block"]},
                  "resultTypes": ["violations"]}


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_links_in_text_are_not_told_by_colour_alone(new_page, live_server, locale):
    page = new_page(locale=locale, phone=True)
    axe = Axe()
    found = {}
    for path in PAGES:
        page.goto(f"{live_server.url}{path}")
        results = axe.run(page, options=ONLY_THIS_RULE)
        if results.violations_count:
            found[path] = [node["html"] for violation in results.response["violations"]
                           for node in violation["nodes"]]
    assert not found, found
