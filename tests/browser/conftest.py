"""The storefront in Debian's headless Chromium (Playwright, no downloaded browser) against the
whole local system, which runs in this process on the session's moto server. `make test` installs
Chromium where it can (the Makefile's browser-deps); elsewhere these tests skip and say how."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from hubcycle.local.system import LocalSystem, Ports

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "functional"))  # shop_fixtures, shared with the API tests

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def local_system(embedded_aws):
    """The storefront, the shop and admin APIs and the mailbox on free ports, for one module;
    each test gets a clean account through the `aws` fixture."""
    with LocalSystem(Ports.free(), embedded_aws=embedded_aws, run_scheduler=False) as system:
        yield system


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("the browser tests need Debian's chromium at /usr/bin/chromium: "
                    "`make browser-deps` as root, or `sudo apt-get install chromium`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, local_system, aws):
    """A fresh browser profile (no cart, no storage) reading the storefront in English."""
    context = browser.new_context(locale="en-GB", timezone_id="Europe/Paris")
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()
