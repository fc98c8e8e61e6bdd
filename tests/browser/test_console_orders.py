"""Issue 13's console in Chromium, the week after closing, on the demo (`make run`'s): two shoppers
ordered, the cycle closed. The hub's manager corrects a shortage, cancels an order, takes one by
phone, marks orders paid from the list, prints and downloads the packing lists; a producer
lowers its own line and sees no totals, no payment state and no customer names."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from hubcycle.dev import LOCAL_PASSWORD
from hubcycle.local.demo import HUB_MANAGER, load_demo
from hubcycle.local.demo_week import call, close_the_week

FARMER = "paul@example.org"


@pytest.fixture
def closed_week(aws, local_system):
    load_demo(local_system)
    return close_the_week(local_system)


def signed_in(page, url: str, email: str, hash_route: str = ""):
    page.goto(url)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(LOCAL_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("whoami")).to_be_visible()
    if hash_route:
        page.goto(f"{url}#/{hash_route}")
    return page


def test_the_hub_manager_runs_the_week_after_closing(page, local_system, closed_week, monkeypatch):
    url = local_system.console_url
    zoe, yann = closed_week["orders"]
    signed_in(page, url, HUB_MANAGER)
    page.get_by_test_id("nav-orders").click()
    page.get_by_role("link", name="Orders of Semaine en cours").click()
    expect(page.get_by_test_id("order-row")).to_have_count(2)

    # A shortage: Zoé gets 1 bunch of carrots instead of 3; the order is repriced, its history says so.
    page.get_by_role("link", name=f"Order {zoe['number']}").click()
    expect(page.get_by_test_id("order-customer")).to_have_text("Zoé Martin · zoe@example.org")
    expect(page.get_by_test_id("order-shipping")).to_have_text("Retrait au marché")
    before = page.get_by_test_id("order-total").inner_text()
    page.get_by_label("Quantity of Carottes (Botte 1 kg)").fill("1")
    page.get_by_role("button", name="Save quantities").click()
    expect(page.get_by_test_id("order-total")).not_to_have_text(before)
    expect(page.get_by_test_id("order-history")).to_contain_text("3 → 1")
    expect(page.get_by_test_id("order-history")).to_contain_text(HUB_MANAGER)

    # Yann's order is cancelled (asked twice).
    page.get_by_test_id("back-to-orders").click()
    page.get_by_role("link", name=f"Order {yann['number']}").click()
    page.get_by_role("button", name="Cancel the order").click()
    page.get_by_role("button", name="Yes, cancel the order").click()
    expect(page.get_by_test_id("order-state")).to_have_text("Cancelled")
    expect(page.get_by_label("Quantity of Carottes (Botte 1 kg)")).to_have_count(0)

    # An order by phone, after closing.
    page.get_by_test_id("back-to-orders").click()
    page.get_by_role("link", name="Take an order by phone").click()
    page.get_by_label("Customer's name").fill("Xavier Roux")
    page.get_by_label("Email address").fill("xavier@example.org")
    page.get_by_label("Tomme du Pilat (Portion de 250 g)").fill("2")
    with page.expect_request(lambda r: r.method == "POST" and r.url.endswith("/orders")) as sent:
        page.get_by_role("button", name="Take an order by phone").click()
    assert len(sent.value.headers.get("idempotency-key", "")) == 36, "a resent form takes the order once"
    expect(page.get_by_test_id("order-customer")).to_have_text("Xavier Roux · xavier@example.org")
    expect(page.get_by_test_id("order-line")).to_have_count(1)
    expect(page.get_by_test_id("order-history")).to_contain_text(HUB_MANAGER)

    # Two orders marked paid at once from the list.
    page.get_by_test_id("back-to-orders").click()
    expect(page.get_by_test_id("order-row")).to_have_count(3)
    page.get_by_label(f"Choose order {zoe['number']}").check()
    page.get_by_role("row", name="Xavier Roux").get_by_role("checkbox").check()
    page.get_by_role("button", name="Mark paid").click()
    expect(page.get_by_test_id("announce")).to_have_text("2 orders marked paid.")
    expect(page.get_by_role("row", name="Zoé Martin").get_by_test_id("order-paid")).to_have_text("Yes")
    expect(page.get_by_role("row", name="Yann Petit").get_by_test_id("order-paid")).to_have_text("No")
    page.get_by_label("Show").select_option("unpaid")  # the cancelled order is not waiting for money
    expect(page.get_by_test_id("no-orders")).to_be_visible()
    page.get_by_label("Show").select_option("paid")
    expect(page.get_by_test_id("order-row")).to_have_count(2)

    # The packing list by customer: a group per customer (the cancelled order left out), printable, as CSV.
    page.get_by_test_id("tab-report-pack-by-customer").click()
    groups = page.get_by_test_id("report-group")
    expect(groups).to_have_count(2)
    expect(groups.get_by_role("heading")).to_have_text(["Xavier Roux · xavier@example.org", "Zoé Martin · zoe@example.org"])
    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name="Console")).to_be_hidden()
    expect(page.get_by_role("button", name="Print")).to_be_hidden()
    assert groups.nth(1).evaluate("(g) => getComputedStyle(g).breakBefore") == "page"
    page.emulate_media(media="screen")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV").click()
    csv = open(download.value.path(), encoding="utf-8").read()
    assert download.value.suggested_filename == "pack-by-customer.csv"
    assert csv.splitlines()[0].startswith("distributor_id,customer_name,customer_email,order_number")
    assert "Xavier Roux" in csv and "Yann Petit" not in csv

    # An answer too big for Lambda: the console offers the API's short-lived link instead.
    monkeypatch.setenv("HUBCYCLE_RESPONSE_LIMIT_BYTES", "100")
    page.reload()
    link = page.get_by_test_id("report-download").get_by_role("link", name="download it")
    expect(link).to_have_attribute("href", re.compile("Expires="))


def test_a_producer_lowers_its_own_line_and_the_email_link_opens_its_packing_list(page, local_system, closed_week):
    url = local_system.console_url
    cycle, zoe = closed_week["cycle"], closed_week["orders"][0]
    signed_in(page, url, FARMER, f"order-cycles/{cycle}/orders")
    row = page.get_by_test_id("order-row").filter(has_text=zoe["number"])
    expect(row).to_be_visible()
    expect(page.get_by_test_id("order-list")).not_to_contain_text("Zoé")
    expect(page.get_by_role("button", name="Mark paid")).to_have_count(0)
    expect(page.get_by_role("link", name="Take an order by phone")).to_have_count(0)

    row.get_by_role("link").click()
    expect(page.get_by_test_id("order-line")).to_have_count(1)  # its carrots only, not the brioche
    expect(page.get_by_test_id("order-totals")).to_have_count(0)
    expect(page.get_by_role("button", name="Cancel the order")).to_have_count(0)
    quantity = page.get_by_label("Quantity of Carottes (Botte 1 kg)")
    current = int(quantity.input_value())
    quantity.fill(str(current + 1))
    page.get_by_role("button", name="Save quantities").click()
    expect(page.locator("[data-testid=field-error], [data-testid=form-error]")).to_be_visible()  # only lower it
    quantity.fill("0")
    page.get_by_role("button", name="Save quantities").click()
    expect(page.get_by_test_id("no-lines")).to_be_visible()

    # The producer email's link: its own packing list, by supplier.
    farm_id = call(local_system.admin_url, "GET", "/enterprises", email=FARMER)[0]["id"]
    page.goto(f"{url}#/order-cycles/{cycle}/reports/pack-by-supplier?supplier_id={farm_id}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Pack by supplier")
    expect(page.get_by_test_id("report-filter")).to_contain_text("Ferme des Monts d'Or")
    expect(page.get_by_test_id("report-row").first).to_contain_text("Carottes")
    expect(page.get_by_role("main")).not_to_contain_text("Brioche")  # another producer's line
    page.get_by_test_id("language-switch").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Préparation par producteur")
    expect(page.get_by_role("button", name="Télécharger le CSV")).to_be_visible()
