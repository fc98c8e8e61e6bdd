"""A new shopper's visit in headless Chromium against the local system (issue 14): the hub's page
says how orders are collected and delivered, a product is found by search, the producer's page is
read, an order is delivered, then changed and cancelled from its private link, and the link
refuses changes once the cycle has closed. Screenshots at 360 and 1280 px go to
HUBCYCLE_SCREENSHOTS when it is set (to look at them)."""
from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from playwright.sync_api import expect
from shop_fixtures import CARROTS_1KG, CARROTS_5KG, CHEESE, DELIVERY, FARM, HUB, load_hub
from test_storefront import add, mailbox, product

from hubcycle.enterprises import PaymentMethod
from hubcycle.repository.catalogue import CatalogueRepository
from hubcycle.repository.enterprises import EnterpriseRepository
from hubcycle.repository.order_cycles import OrderCycleRepository
from hubcycle.repository.orders import OrderRepository

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("HUBCYCLE_SCREENSHOTS")


def shoot(page, name: str) -> None:
    if not SHOTS:
        return
    for width in (360, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(Path(SHOTS) / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def describe_hub_and_farm() -> None:
    enterprises = EnterpriseRepository()
    hub, farm = enterprises.get(HUB), enterprises.get(FARM)
    enterprises.save(hub.model_copy(update={"description": "Fresh food from farms around Lyon, every week.",
                                            "address": "3 Mill Lane, 69004 Lyon", "phone": "+33 4 78 00 00 00"}))
    enterprises.save(farm.model_copy(update={"description": "Organic vegetables grown on 4 hectares since 1998.",
                                             "address": "Blue Field, 69490 Pontcharra"}))
    enterprises.save_method("payment", PaymentMethod(id="cash", enterprise_id=HUB, name="Cash at pickup",
                                                     description="Bring the exact amount, please."))


def test_a_shopper_finds_orders_delivered_then_changes_and_cancels_by_the_link(page, local_system):
    ids = load_hub(datetime.now(timezone.utc))
    describe_hub_and_farm()
    page.goto(f"{local_system.storefront_url}/#/shops/hub")

    expect(page.get_by_test_id("shop-description")).to_have_text("Fresh food from farms around Lyon, every week.")
    expect(page.get_by_test_id("shop-method").filter(has_text="Home delivery")).to_contain_text("4.50")
    page.get_by_test_id("product-search").fill("carot")
    expect(page.get_by_test_id("products-no-match")).to_be_visible()
    page.get_by_test_id("product-search").fill("carrot")
    expect(page.locator('[data-testid="product"]:visible')).to_have_count(1)
    carrots = product(page, CARROTS_1KG)
    expect(carrots.get_by_test_id("unit-price")).to_have_text("€3.14 per kg")
    carrots.get_by_test_id("variant-select").select_option(CARROTS_5KG)
    expect(carrots.get_by_test_id("unit-price")).to_have_text("€2.30 per kg")
    shoot(page, "shop")

    carrots.get_by_test_id("producer-link").click()
    expect(page.get_by_test_id("producer-description")).to_have_text("Organic vegetables grown on 4 hectares since 1998.")
    expect(page.get_by_test_id("producer-place")).to_have_text("Blue Field, 69490 Pontcharra")
    shoot(page, "producer")
    page.go_back()

    add(page, CARROTS_1KG, 2)
    add(page, CHEESE, 3)
    add(page, CHEESE)  # only 3 in stock
    expect(page.get_by_test_id("message")).to_contain_text("Only 3 left of Tomme, Wedge")
    page.locator("#customer-name").fill("Zoé Martin")
    page.locator("#customer-email").fill("zoe@example.org")
    page.get_by_test_id("shipping-method").select_option(DELIVERY)
    page.get_by_test_id("place-order").click()
    expect(page.get_by_test_id("message")).to_contain_text("Enter the delivery address")
    page.get_by_test_id("address-line1").fill("12 rue Burdeau")
    page.get_by_test_id("address-postcode").fill("69001")
    page.get_by_test_id("address-city").fill("Lyon")
    page.get_by_test_id("payment-method").select_option("cash")
    expect(page.get_by_test_id("payment-info")).to_contain_text("Bring the exact amount, please.")
    shoot(page, "checkout")
    page.get_by_test_id("place-order").click()

    expect(page.get_by_test_id("confirmation")).to_be_visible()
    shoot(page, "confirmation")
    link = page.get_by_test_id("manage-link").get_attribute("href")
    assert "#/my-orders/" in link and link in mailbox(local_system)[-1]["text"]

    page.get_by_test_id("manage-link").click()
    expect(page.get_by_test_id("my-order-address")).to_contain_text("12 rue Burdeau")
    page.locator(f'[data-testid="order-item"][data-variant-id="{CARROTS_1KG}"]').get_by_test_id("my-order-quantity").fill("4")
    page.get_by_test_id("save-order").click()
    expect(page.get_by_test_id("message")).to_contain_text("Your order is changed")
    expect(page.get_by_test_id("order-total")).to_contain_text("38.56")  # 4 × 3.14 + 3 × 6.50 + 2.00 + 4.50
    assert CatalogueRepository().get_variant(CARROTS_1KG)[0].on_hand == 6
    shoot(page, "my-order")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("cancel-order").click()
    expect(page.get_by_test_id("my-order-status")).to_have_text("This order is cancelled.")
    assert CatalogueRepository().get_variant(CARROTS_1KG)[0].on_hand == 10
    assert [o.state.value for o in OrderRepository().orders_of_cycle(ids.cycle)] == ["cancelled"]
    assert "cancelled as you asked" in mailbox(local_system)[-1]["text"]


def test_the_link_refuses_changes_once_the_cycle_has_closed(page, local_system):
    ids = load_hub(datetime.now(timezone.utc))
    page.goto(f"{local_system.storefront_url}/#/shops/hub/cycles/{ids.cycle}")
    page.get_by_test_id("language").select_option("es")
    add(page, CHEESE)
    page.locator("#customer-name").fill("Zoé Martin")
    page.locator("#customer-email").fill("zoe@example.org")
    page.get_by_test_id("shipping-method").select_option("pickup")
    page.get_by_test_id("payment-method").select_option("cash")
    page.get_by_test_id("place-order").click()
    expect(page.get_by_test_id("confirmation")).to_contain_text("¡Gracias!")
    assert mailbox(local_system)[-1]["subject"].startswith("Pedido HC-")
    page.get_by_test_id("manage-link").click()
    expect(page.get_by_test_id("save-order")).to_be_visible()

    cycles = OrderCycleRepository()
    week = cycles.get(ids.cycle)
    now = datetime.now(timezone.utc)
    cycles.save(week.with_dates(now - timedelta(days=2), now - timedelta(seconds=1)), previous=week)
    page.get_by_test_id("my-order-quantity").fill("2")
    page.get_by_test_id("save-order").click()

    expect(page.get_by_test_id("my-order-status")).to_contain_text("El ciclo de pedidos se ha cerrado")
    expect(page.get_by_test_id("save-order")).to_have_count(0)
    shoot(page, "my-order-closed")
    [order] = OrderRepository().orders_of_cycle(ids.cycle)
    assert [line.quantity for line in order.items] == [1]
