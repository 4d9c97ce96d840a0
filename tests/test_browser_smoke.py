"""The browser path works: Chromium opens a page served by gunicorn, offline."""

import pytest

pytestmark = pytest.mark.browser


def test_home_page_opens_in_chromium(page, live_server):
    page.goto(live_server + "/")
    assert "Hauts-de-France" in page.title()
    assert page.watch.console_errors == []
    assert page.watch.foreign_requests == []
