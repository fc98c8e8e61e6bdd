"""Screenshots of every console screen at 360 px and 1280 px, for docs/console.md and for looking
at them: starts a local system with the demo hub, signs in as its manager in Chromium.

    make console && .venv/bin/python console/screenshots.py [--out docs/console] [--lang en]
"""
from __future__ import annotations

import argparse
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

from hubcycle.dev import LOCAL_PASSWORD
from hubcycle.local.demo import HUB_MANAGER, load_demo
from hubcycle.local.system import LocalSystem, Ports

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
WIDTHS = (360, 1280)


def enterprise_id(page) -> str:
    return page.get_by_test_id("enterprise-link").first.get_attribute("data-enterprise-id")


def shoot(page, out: Path, name: str, width: int) -> None:
    page.mouse.move(0, 0)  # no hover effect in the pictures
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(150)
    page.screenshot(path=str(out / f"{name}-{width}.png"), full_page=True)


def options() -> argparse.Namespace:
    """--out (the folder of the pictures, made if missing) and --lang."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "console")
    parser.add_argument("--lang", default="en")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    return args


def main() -> None:
    args = options()
    with LocalSystem(Ports.free(), run_scheduler=False) as system, sync_playwright() as playwright:
        load_demo(system)
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for width in WIDTHS:
            context = browser.new_context(viewport={"width": width, "height": 800}, locale=args.lang)
            page = context.new_page()
            page.goto(system.console_url)
            shoot(page, args.out, "sign-in", width)
            page.goto(system.console_url + "#/sign-up")
            shoot(page, args.out, "sign-up", width)
            page.goto(system.console_url + "#/sign-in")
            page.get_by_test_id("email").fill(HUB_MANAGER)
            page.get_by_test_id("password").fill(LOCAL_PASSWORD)
            page.get_by_test_id("sign-in").click()
            expect(page.get_by_test_id("enterprise-list")).to_be_visible()
            shoot(page, args.out, "enterprises", width)
            hub = enterprise_id(page)
            for section in ("", "managers", "permissions", "methods", "fees", "customers"):
                page.goto(system.console_url + f"#/enterprises/{hub}" + (f"/{section}" if section else ""))
                if section == "customers" and width == WIDTHS[0]:
                    page.get_by_test_id("customer-name").fill("Amélie Durand")
                    page.get_by_test_id("customer-email").fill("amelie@example.org")
                    page.get_by_test_id("new-customer-tags").fill("adhérente, hebdo")
                    page.get_by_test_id("add-customer").click()
                    expect(page.get_by_test_id("customer")).to_have_count(1)
                    page.mouse.move(0, 0)
                shoot(page, args.out, section or "profile", width)
            page.goto(system.console_url + "#/enterprises/new")
            shoot(page, args.out, "new-enterprise", width)
            page.goto(system.console_url + "#/account")
            shoot(page, args.out, "account", width)
            page.get_by_test_id("sign-out").click()
            page.get_by_test_id("email").fill("paul@example.org")
            page.get_by_test_id("password").fill(LOCAL_PASSWORD)
            page.get_by_test_id("sign-in").click()
            expect(page.get_by_test_id("enterprise-list")).to_be_visible()
            farm = enterprise_id(page)
            page.goto(system.console_url + f"#/enterprises/{farm}/products")
            expect(page.get_by_test_id("bulk-form")).to_be_visible()
            shoot(page, args.out, "products", width)
            page.get_by_test_id("bulk-row").first.get_by_role("link").click()
            expect(page.get_by_test_id("product-form")).to_be_visible()
            shoot(page, args.out, "product", width)
            context.close()
        browser.close()
    print(args.out)


if __name__ == "__main__":
    main()
