"""Screenshots of the orders and reports screens (issue 13) at 360 px and 1280 px, on the demo's
week after closing (hubcycle.local.demo_week), signed in as the demo hub's manager.

    make console && .venv/bin/python console/screenshots_orders.py --out DIR [--lang en]
"""
from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from screenshots import CHROMIUM_ARGS, WIDTHS, options, shoot  # noqa: E402

from hubcycle.dev import LOCAL_PASSWORD  # noqa: E402
from hubcycle.local.demo import HUB_MANAGER, load_demo  # noqa: E402
from hubcycle.local.demo_week import close_the_week  # noqa: E402
from hubcycle.local.system import LocalSystem, Ports  # noqa: E402


def main() -> None:
    args = options()
    with LocalSystem(Ports.free(), run_scheduler=False) as system, sync_playwright() as playwright:
        load_demo(system)
        week = close_the_week(system)
        cycle, order = week["cycle"], week["orders"][0]["id"]
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for width in WIDTHS:
            context = browser.new_context(viewport={"width": width, "height": 800}, locale=args.lang)
            page = context.new_page()
            page.goto(system.console_url + "#/sign-in")
            page.get_by_test_id("email").fill(HUB_MANAGER)
            page.get_by_test_id("password").fill(LOCAL_PASSWORD)
            page.get_by_test_id("sign-in").click()
            expect(page.get_by_test_id("whoami")).to_be_visible()
            def picture(route: str, testid: str, name: str) -> None:
                page.goto(f"{system.console_url}#/{route}")
                expect(page.get_by_test_id(testid).first).to_be_visible()
                shoot(page, args.out, name, width)

            picture("orders", "order-cycle-list", "order-cycles-orders")
            page.goto(f"{system.console_url}#/order-cycles/{cycle}/orders")
            page.get_by_test_id("choose-order").first.check()
            shoot(page, args.out, "orders", width)
            picture(f"orders/{order}", "order-lines", "order")
            picture(f"order-cycles/{cycle}/orders/new", "phone-order-form", "phone-order")
            for report in ("pack-by-customer", "customer-totals"):
                picture(f"order-cycles/{cycle}/reports/{report}", "report-row", f"report-{report}")
            page.emulate_media(media="print")
            picture(f"order-cycles/{cycle}/reports/pack-by-customer", "report-row", "report-print")
            context.close()
        browser.close()
    print(args.out)


if __name__ == "__main__":
    main()
