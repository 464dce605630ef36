"""The one headless Chromium every browser test shares, and the guard that keeps pages on this machine.

Playwright's sync API runs an event loop for as long as ``sync_playwright()`` is open, so a second one in
the same process fails ("Playwright Sync API inside the asyncio loop"). The book and Voilà tests
therefore share one session-wide browser (``tests/conftest.py``), launched from Debian's Chromium
(Playwright's own browser download does not work here).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from urllib.parse import urlsplit

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOCAL_HOSTS = {"127.0.0.1"}
# These are tests of behaviour, not speed (speed is in bench/): on a loaded 2-core machine a page with
# plotly.js, MathJax and saved widgets can take longer than Playwright's 30 s default to go idle.
PAGE_TIMEOUT_MS = 120_000


def is_local(url: str) -> bool:
    """True for requests that stay on this machine (127.0.0.1, data: and blob: URLs)."""
    return url.startswith(("data:", "blob:")) or urlsplit(url).hostname in LOCAL_HOSTS


@dataclass
class Guard:
    """What tried to leave the machine (aborted), what failed locally, and uncaught page errors."""

    blocked: list[str] = field(default_factory=list)
    failed_local: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)


def guard_context(context) -> Guard:  # type: ignore[no-untyped-def]
    """Abort (and count) every request of ``context`` that is not local; record local HTTP errors."""
    guard = Guard()

    def route(route_obj):  # type: ignore[no-untyped-def]
        url = route_obj.request.url
        if is_local(url):
            route_obj.continue_()
        else:
            guard.blocked.append(url)
            route_obj.abort()

    context.route("**/*", route)
    context.on("response", lambda r: r.status >= 400 and guard.failed_local.append(f"{r.status} {r.url}"))
    context.on("weberror", lambda e: guard.page_errors.append(str(e.error)))
    return guard


class PatientBrowser:
    """The Playwright browser, whose new contexts and pages wait up to PAGE_TIMEOUT_MS before giving up."""

    def __init__(self, browser) -> None:  # type: ignore[no-untyped-def]
        self._browser = browser

    def new_context(self, **kwargs):  # type: ignore[no-untyped-def]
        context = self._browser.new_context(**kwargs)
        context.set_default_timeout(PAGE_TIMEOUT_MS)
        return context

    def new_page(self, **kwargs):  # type: ignore[no-untyped-def]
        page = self._browser.new_page(**kwargs)
        page.set_default_timeout(PAGE_TIMEOUT_MS)
        return page

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        return getattr(self._browser, name)
