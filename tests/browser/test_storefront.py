"""A shopper's storefront, in headless Chromium against the local system: a whole purchase from an
empty browser, choosing between a shop's open cycles, being told what is out of stock, and being
told that a cycle closed."""
from __future__ import annotations

import json
import re
import urllib.request
from datetime import datetime, timedelta, timezone

import pytest
from playwright.sync_api import expect
from shop_fixtures import CARROTS_1KG, CHEESE, DELIVERY, HONEY, PICKUP, PICKUP_INSTRUCTIONS, READY_FOR, load_hub, order_body

from hubcycle.repository.catalogue import CatalogueRepository
from hubcycle.repository.order_cycles import OrderCycleRepository
from hubcycle.repository.orders import OrderRepository

pytestmark = pytest.mark.browser


def product(page, variant_id: str):
    """The card of the variant's product (one card per product, its variants chosen inside)."""
    return page.locator(f'[data-testid="product"][data-variant-ids~="{variant_id}"]')


def add(page, variant_id: str, times: int = 1) -> None:
    card = product(page, variant_id)
    if card.get_by_test_id("variant-select").count():
        card.get_by_test_id("variant-select").select_option(variant_id)
    for _ in range(times):
        card.get_by_test_id("add-to-cart").click()


def check_out(page, name: str = "Zoé Martin", email: str = "zoe@example.org") -> None:
    page.locator("#customer-name").fill(name)
    page.locator("#customer-email").fill(email)
    page.get_by_test_id("shipping-method").select_option("pickup")
    page.get_by_test_id("payment-method").select_option("cash")
    page.get_by_test_id("place-order").click()


def mailbox(local_system) -> list[dict]:
    with urllib.request.urlopen(local_system.mailbox_url, timeout=10) as answer:
        return json.load(answer)


def test_a_first_visit_ends_with_a_confirmed_order_and_its_email(page, local_system):
    ids = load_hub(datetime.now(timezone.utc))
    page.goto(f"{local_system.storefront_url}/")

    page.get_by_test_id("shop-link").filter(has_text="Croix-Rousse Food Hub").click()
    expect(page.get_by_test_id("ready-for")).to_have_text(READY_FOR)
    expect(page.get_by_test_id("producer-link").filter(has_text="Hill Dairy")).to_have_count(2)
    add(page, CARROTS_1KG, 2)
    add(page, CHEESE)
    expect(page.get_by_test_id("cart-line")).to_have_count(2)
    expect(page.get_by_test_id("cart-total")).to_contain_text("12.78")  # 2 x 3.14 + 6.50, fees per item included
    check_out(page)

    expect(page.get_by_test_id("confirmation")).to_be_visible()
    number = page.get_by_test_id("order-number").inner_text()
    assert re.fullmatch(r"HC-[0-9A-Z]{10}", number)
    expect(page.get_by_test_id("pickup-instructions")).to_contain_text("Barn door at 3 Mill Lane.")
    expect(page.get_by_test_id("order-total")).to_contain_text("14.78")  # + 2.00 order preparation
    [order] = OrderRepository().orders_of_cycle(ids.cycle)
    assert order.number == number and order.customer.name == "Zoé Martin"
    assert CatalogueRepository().get_variant(CARROTS_1KG)[0].on_hand == 8
    [mail] = mailbox(local_system)
    assert mail["to"] == ["zoe@example.org"] and number in mail["subject"]
    assert PICKUP_INSTRUCTIONS in mail["text"]


def test_the_shopper_chooses_between_the_shops_open_cycles(page, local_system):
    ids = load_hub(datetime.now(timezone.utc))
    page.goto(f"{local_system.storefront_url}/#/shops/hub")

    select = page.get_by_test_id("cycle-select")
    expect(select.locator("option")).to_have_count(2)
    assert select.locator("option").evaluate_all("options => options.map(o => o.value)") == [ids.cycle, ids.later_cycle]
    expect(page.get_by_test_id("product")).to_have_count(4)  # carrots: one card, two sizes
    info = page.get_by_test_id("shop-info")
    # a hub with no description or contact: its pickup places take the whole width, no empty column
    assert abs(info.locator(".shop-info__methods").bounding_box()["width"] - info.bounding_box()["width"]) < 2

    select.select_option(ids.later_cycle)

    expect(page.get_by_test_id("ready-for")).to_have_text("Saturday 5 Dec")
    expect(page.get_by_test_id("product")).to_have_count(2)
    expect(page).to_have_url(re.compile(f"/cycles/{ids.later_cycle}$"))
    add(page, CHEESE)
    check_out(page)
    expect(page.get_by_test_id("confirmation-ready-for")).to_have_text("Saturday 5 Dec")
    expect(page.get_by_test_id("pickup-instructions")).to_have_text("Market hall, stall 4")
    assert [o.order_cycle_id for o in OrderRepository().orders_of_cycle(ids.later_cycle)] == [ids.later_cycle]


def test_each_cycle_offers_its_own_shipping_methods(page, local_system):
    """This week only the pickup, next week only the delivery: switching cycles offers the other."""
    ids = load_hub(datetime.now(timezone.utc))
    cycles = OrderCycleRepository()
    for cycle_id, method in ((ids.cycle, PICKUP), (ids.later_cycle, DELIVERY)):
        cycle = cycles.get(cycle_id)
        cycles.save(cycle.model_copy(update={"outgoing": [
            cycle.outgoing[0].model_copy(update={"shipping_method_ids": [method]})]}), cycle)
    page.goto(f"{local_system.storefront_url}/#/shops/hub/cycles/{ids.cycle}")
    shipping = page.get_by_test_id("shipping-method").locator("option")
    methods = page.get_by_test_id("shop-method")
    expect(shipping).to_have_count(1)
    expect(shipping).to_contain_text("Pickup at the barn")
    expect(methods).to_have_text([re.compile("Pickup at the barn")])

    page.get_by_test_id("cycle-select").select_option(ids.later_cycle)
    expect(shipping).to_have_count(1)
    expect(shipping).to_contain_text("Home delivery")
    expect(methods).to_have_text([re.compile("Home delivery")])


def test_the_shopper_is_told_what_is_out_of_stock(page, local_system):
    ids = load_hub(datetime.now(timezone.utc))
    page.goto(f"{local_system.storefront_url}/#/shops/hub/cycles/{ids.cycle}")

    honey = product(page, HONEY)
    expect(honey.get_by_test_id("sold-out")).to_be_visible()
    expect(honey.get_by_test_id("add-to-cart")).to_be_disabled()

    add(page, CHEESE)
    someone_else = urllib.request.Request(
        f"{local_system.shop_url}/shops/hub/cycles/{ids.cycle}/orders", method="POST",
        data=json.dumps(order_body({CHEESE: 3}, email="quick@example.org")).encode(),
        headers={"Content-Type": "application/json", "Idempotency-Key": "quicker"})
    urllib.request.urlopen(someone_else, timeout=20).close()
    check_out(page)

    expect(page.get_by_test_id("message")).to_contain_text("Not enough stock left for Tomme, Wedge")
    line = page.locator(f'[data-testid="cart-line"][data-variant-id="{CHEESE}"]')
    expect(line.get_by_test_id("line-problem")).to_be_visible()
    expect(page.get_by_test_id("confirmation")).to_have_count(0)
    assert [o.customer.email for o in OrderRepository().orders_of_cycle(ids.cycle)] == ["quick@example.org"]


def test_the_shopper_is_told_the_cycle_closed_and_keeps_the_cart(page, local_system):
    ids = load_hub(datetime.now(timezone.utc))
    page.goto(f"{local_system.storefront_url}/#/shops/hub/cycles/{ids.cycle}")
    add(page, CARROTS_1KG, 2)
    add(page, CHEESE)

    cycles = OrderCycleRepository()
    week = cycles.get(ids.cycle)
    now = datetime.now(timezone.utc)
    cycles.save(week.with_dates(now - timedelta(days=2), now - timedelta(seconds=1)), previous=week)
    check_out(page)

    expect(page.get_by_test_id("message")).to_contain_text("This order cycle has closed")
    expect(page.get_by_test_id("cart-line")).to_have_count(2)
    expect(page.get_by_test_id("confirmation")).to_have_count(0)
    page.reload()
    expect(page.get_by_test_id("ready-for")).to_have_text("Saturday 5 Dec")  # the cycle still open
    assert OrderRepository().orders_of_cycle(ids.cycle) == []
