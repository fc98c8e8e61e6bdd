"""Screenshots of the orders and reports screens (issue 13) at 360 px and 1280 px, on the demo's
week after closing (hubcycle.local.demo_week), signed in as the demo hub's manager.

    make console && .venv/bin/python console/screenshots_orders.py [--out docs/console] [--lang en]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from screenshots import CHROMIUM_ARGS, ROOT, WIDTHS, shoot  # noqa: E402

from hubcycle.dev import LOCAL_PASSWORD  # noqa: E402
from hubcycle.local.demo import HUB_MANAGER, load_demo  # noqa: E402
from hubcycle.local.demo_week import close_the_week  # noqa: E402
from hubcycle.local.system import LocalSystem, Ports  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "console")
    parser.add_argument("--lang", default="en")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
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
            page.goto(system.console_url + "#/orders")
            expect(page.get_by_test_id("order-cycle-list")).to_be_visible()
            shoot(page, args.out, "order-cycles-orders", width)
            page.goto(system.console_url + f"#/order-cycles/{cycle}/orders")
            expect(page.get_by_test_id("order-row").first).to_be_visible()
            page.get_by_test_id("choose-order").first.check()
            shoot(page, args.out, "orders", width)
            page.goto(system.console_url + f"#/orders/{order}")
            expect(page.get_by_test_id("order-lines")).to_be_visible()
            shoot(page, args.out, "order", width)
            page.goto(system.console_url + f"#/order-cycles/{cycle}/orders/new")
            expect(page.get_by_test_id("phone-order-form")).to_be_visible()
            shoot(page, args.out, "phone-order", width)
            for report in ("pack-by-customer", "customer-totals"):
                page.goto(system.console_url + f"#/order-cycles/{cycle}/reports/{report}")
                expect(page.get_by_test_id("report-row").first).to_be_visible()
                shoot(page, args.out, f"report-{report}", width)
            page.emulate_media(media="print")
            page.goto(system.console_url + f"#/order-cycles/{cycle}/reports/pack-by-customer")
            expect(page.get_by_test_id("report-row").first).to_be_visible()
            shoot(page, args.out, "report-print", width)
            context.close()
        browser.close()
    print(args.out)


if __name__ == "__main__":
    main()
