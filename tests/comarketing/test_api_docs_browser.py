"""A real browser loads the API docs with no network beyond this server, under the CSP, and lists operations."""

from urllib.parse import urlsplit

import pytest
from playwright import sync_api as playwright_api

from tests.browser import launch


@pytest.fixture
def served(live_server, settings, monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    # Static files straight from the packages (no collectstatic in tests), as whitenoise serves them in production.
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    return live_server


@pytest.mark.parametrize(("path", "operation"), [("/api/docs/", ".opblock"), ("/api/redoc/", "[data-section-id]")])
def test_the_docs_load_offline_and_list_the_operations(served, path, operation):
    own_host = urlsplit(served.url).netloc
    elsewhere, refused_by_csp = [], []
    with playwright_api.sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page()

        def only_this_server(route):
            if urlsplit(route.request.url).netloc == own_host or route.request.url.startswith(("data:", "blob:")):
                route.continue_()
            else:
                elsewhere.append(route.request.url)
                route.abort()

        page.route("**/*", only_this_server)
        page.on(
            "console", lambda message: "Content Security Policy" in message.text and refused_by_csp.append(message.text)
        )
        page.goto(served.url + path)
        page.wait_for_selector(operation, timeout=30_000)
        listed = page.locator(operation).count()
        browser.close()

    assert listed > 0
    assert elsewhere == []
    # ReDoc's bundle shows a "powered by" logo from its CDN; the policy blocks it and nothing else.
    assert [text for text in refused_by_csp if "cdn.redoc.ly/redoc/logo-mini.svg" not in text] == []
