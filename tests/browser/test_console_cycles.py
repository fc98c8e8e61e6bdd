"""Issue 12's acceptance in Chromium against the local system (scheduler running): the order-cycle
screens of the console as the coordinator, as a supplier and as a distributor, each seeing and
changing only what seed 004 allows; and a cycle made from nothing that opens, takes an order in
the storefront and closes on time. Enterprises, grants and products are set up through the admin
API (issue 11's screens are tested in test_console_flow.py); every cycle step goes through the
screens. Screenshots of each step, at 360 and 1280 px, go to docs/console/ when
HUBCYCLE_SCREENSHOTS is set."""
from __future__ import annotations

import os
import re
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from hubcycle.dev import LOCAL_PASSWORD
from hubcycle.local.demo import _Manager
from hubcycle.local.system import LocalSystem, Ports
from hubcycle.repository import keys
from hubcycle.repository.notifications import OutboxRepository
from hubcycle.repository.order_cycles import OrderCycleRepository
from hubcycle.services.notifications import record_delivery_failure

pytestmark = pytest.mark.browser
PARIS = ZoneInfo("Europe/Paris")
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "console"


@pytest.fixture(scope="module")
def local_system(embedded_aws):
    """As conftest's, with the scheduler: the cycle made from nothing must close on time."""
    with LocalSystem(Ports.free(), embedded_aws=embedded_aws, scheduler_poll_seconds=0.5) as system:
        yield system


@pytest.fixture
def person(browser, local_system, aws):
    contexts = []

    def open_page(email: str, width: int = 1280):
        context = browser.new_context(locale="en-GB", timezone_id="Asia/Tokyo", viewport={"width": width, "height": 900})
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.goto(local_system.console_url)
        page.get_by_label("Email address").fill(email)
        page.get_by_label("Password").fill(LOCAL_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_test_id("whoami")).to_contain_text(email)
        return page

    yield open_page
    for context in contexts:
        context.close()


def shoot(page, name: str, full_page: bool = True) -> None:
    """The page at 360 and 1280 px wide, for docs/console.md (and for a person to look at); a
    modal dialog is shot in the window it covers (`full_page=False`)."""
    if not os.environ.get("HUBCYCLE_SCREENSHOTS"):
        return
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (360, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"cycles-{name}-{width}.png"), full_page=full_page)
    page.set_viewport_size({"width": 1280, "height": 900})


def paris(moment: datetime) -> str:
    """What a person types in a datetime-local field, in Paris time."""
    return moment.astimezone(PARIS).strftime("%Y-%m-%dT%H:%M:%S")


class Cast:
    """Seed 004's cast: the Halle coordinates and sells; the Marché sells; the Verger (which also
    lets the Marché sell) and the Fromagerie supply; the Épicerie granted the Halle but has no
    methods, so it shows as a distributor that cannot be chosen."""

    def __init__(self, admin_url: str):
        self.hub, self.market, self.farm, self.dairy, self.grocer = (
            _Manager(admin_url, f"{who}@example.org") for who in ("halle", "marche", "verger", "fromagerie", "epicerie"))
        paris_hub = {"kind": "hub", "email": "hub@example.org", "timezone": "Europe/Paris"}
        producer = {"kind": "profile", "is_producer": True, "email": "farm@example.org"}
        self.hub_id = self.hub("POST", "/enterprises", {"name": "Halle de Gerland", **paris_hub})["id"]
        self.market_id = self.market("POST", "/enterprises", {"name": "Marché du Bourg", **paris_hub})["id"]
        self.grocer_id = self.grocer("POST", "/enterprises", {"name": "Épicerie Vide", **paris_hub})["id"]
        self.farm_id = self.farm("POST", "/enterprises", {"name": "Verger de Bruno", **producer})["id"]
        self.dairy_id = self.dairy("POST", "/enterprises", {"name": "Fromagerie du Pilat", **producer})["id"]
        for manager, hub in ((self.hub, self.hub_id), (self.market, self.market_id)):
            manager("POST", f"/enterprises/{hub}/shipping-methods", {"name": f"Retrait {hub[:4]}", "pickup": True})
            manager("POST", f"/enterprises/{hub}/shipping-methods", {"name": "Livraison", "pickup": False, "fee": "4.00"})
            manager("POST", f"/enterprises/{hub}/payment-methods", {"name": "Sur place"})
        add = {"abilities": ["add_to_order_cycle"]}
        for manager, grantor, grantee in ((self.market, self.market_id, self.hub_id), (self.farm, self.farm_id, self.hub_id),
                                          (self.dairy, self.dairy_id, self.hub_id), (self.grocer, self.grocer_id, self.hub_id),
                                          (self.farm, self.farm_id, self.market_id), (self.market, self.market_id, self.farm_id)):
            manager("PUT", f"/enterprises/{grantor}/permissions/{grantee}", add)
        self.apples, self.apples_small = self.product(self.farm, self.farm_id, "Pommes", "kg", [
            {"name": "Cagette 3 kg", "unit_value": "3", "price": "7.50", "on_hand": 20},
            {"name": "Sac 1 kg", "unit_value": "1", "price": "2.80", "on_hand": 0}])
        (self.juice,) = self.product(self.farm, self.farm_id, "Jus de pomme", "l", [
            {"name": "Bouteille 1 l", "unit_value": "1", "price": "3.20", "on_demand": True}])
        (self.tomme,) = self.product(self.dairy, self.dairy_id, "Tomme", "g", [
            {"name": "Pièce 300 g", "unit_value": "300", "price": "6.50", "on_hand": 12}])
        self.farm_fee = self.fee(self.farm, self.farm_id, "Transport verger", "transport", {"type": "flat_rate_per_item", "amount": "0.20"})
        self.market_fee = self.fee(self.market, self.market_id, "Marge marché", "sales", {"type": "flat_percent_per_item", "percent": "5"})
        self.hub_fee = self.fee(self.hub, self.hub_id, "Fonctionnement", "admin", {"type": "flat_percent_per_item", "percent": "8"})

    @staticmethod
    def product(manager, supplier: str, name: str, unit: str, variants: list[dict]) -> list[str]:
        answer = manager("POST", f"/enterprises/{supplier}/products", {"name": name, "unit": unit, "variants": variants})
        return [v["id"] for v in answer["variants"]]

    @staticmethod
    def fee(manager, enterprise: str, name: str, fee_type: str, calculator: dict) -> str:
        return manager("POST", f"/enterprises/{enterprise}/fees", {"name": name, "fee_type": fee_type, "calculator": calculator})["id"]

    def cycle(self, opens: datetime, closes: datetime) -> str:
        """A cycle as the coordinator would have built it in the editor (for the other roles' tests)."""
        cycle = self.hub("POST", "/order-cycles", {"coordinator_id": self.hub_id, "name": "Semaine 49",
                                                  "opens_at": opens.isoformat(), "closes_at": closes.isoformat()})["id"]
        path = f"/order-cycles/{cycle}"
        self.hub("PUT", f"{path}/incoming/{self.farm_id}", {"variant_ids": [self.apples, self.juice], "receival_instructions": "Quai B"})
        self.hub("PUT", f"{path}/incoming/{self.dairy_id}", {"variant_ids": [self.tomme]})
        self.hub("PUT", f"{path}/outgoing/{self.hub_id}", {"variant_ids": [self.apples, self.tomme], "ready_for": "Samedi matin"})
        self.hub("PUT", f"{path}/outgoing/{self.market_id}", {"variant_ids": [self.apples], "ready_for": "Dimanche",
                                                              "pickup_instructions": "Place du Bourg"})
        if opens < datetime.now(PARIS):  # the scheduler opens it at once: let it, before people edit
            deadline = time.monotonic() + 10
            while OrderCycleRepository().get(cycle).opened_at is None and time.monotonic() < deadline:
                time.sleep(0.2)
        return cycle


def bounce(cycle_id: str) -> None:
    """SES reports that the cycle's producer emails bounced, as the scheduler hears it."""
    for sent in OutboxRepository().partition(keys.order_cycle(cycle_id), keys.NOTIFICATION_PREFIX):
        record_delivery_failure({"eventType": "Bounce", "mail": {"messageId": sent["ses_message_id"]},
                                 "bounce": {"bounceType": "Permanent"}})


def exchange(page, kind: str, enterprise_id: str):
    return page.locator(f'[data-testid="{kind}-exchange"][data-enterprise-id="{enterprise_id}"]')


def offer_pickup_only(page, distributor_id: str, shot: str) -> None:
    """Step 4: of the distributor's shipping methods, this cycle offers only the pickup."""
    page.get_by_test_id("step-methods").click()
    methods = exchange(page, "methods", distributor_id)
    methods.get_by_test_id("shipping-choice").get_by_label(re.compile("All methods")).uncheck()
    methods.get_by_label("Livraison").uncheck()
    shoot(page, shot)
    save(page)


def save(page) -> None:
    page.get_by_test_id("save-cycle").click()
    expect(page.get_by_test_id("announce")).to_have_text("Saved.")
    expect(page.get_by_test_id("unsaved")).to_have_count(0)


def test_the_coordinator_makes_a_cycle_from_nothing_that_opens_sells_and_closes_on_time(person, local_system):
    cast = Cast(local_system.admin_url)
    page = person("halle@example.org")
    page.get_by_test_id("nav-cycles").click()
    expect(page.get_by_test_id("no-cycles")).to_be_visible()
    page.get_by_test_id("new-cycle-button").click()
    form = page.get_by_test_id("new-cycle")
    form.get_by_label("Coordinator").select_option(cast.hub_id)
    form.get_by_label("Name").fill("Semaine 48")
    expect(form.get_by_text("Date and time in Europe/Paris.").first).to_be_visible()
    opens = datetime.now(PARIS).replace(microsecond=0) + timedelta(seconds=25)
    closes = opens + timedelta(seconds=30)
    form.get_by_label("Orders open").fill(paris(opens))
    form.get_by_label("Orders close").fill(paris(closes))
    shoot(page, "1-new")
    form.get_by_role("button", name="Create order cycle").click()

    # Step 2: the supplier among the producers that granted the hub; all of its products.
    expect(page.get_by_role("heading", name="Order cycle: Semaine 48")).to_be_visible()
    candidates = page.get_by_test_id("supplier-candidates")
    candidates.get_by_role("button", name="Add Verger de Bruno").click()
    farm = exchange(page, "incoming", cast.farm_id)
    expect(farm.get_by_test_id("product-choice")).to_have_count(3)
    expect(farm.get_by_test_id("out-of-stock")).to_have_count(1)
    farm.get_by_label("Search the products of Verger de Bruno").fill("pomme")
    farm.get_by_test_id("select-all").click()
    expect(farm.get_by_test_id("selected-count")).to_have_text("3 of 3 selected")
    farm.get_by_label("Pommes – Sac 1 kg").uncheck()
    farm.get_by_label("Receival instructions").fill("Quai B, avant 9 h")
    farm.get_by_label("Transport verger").check()
    shoot(page, "2-incoming")
    save(page)

    # Step 3: the Épicerie is listed but cannot be chosen, with the reason; the hub sells.
    page.get_by_test_id("step-outgoing").click()
    grocer = page.get_by_test_id("distributor-candidates").locator(f'[data-enterprise-id="{cast.grocer_id}"]')
    expect(grocer.get_by_role("button")).to_be_disabled()
    expect(grocer.get_by_test_id("candidate-reason")).to_contain_text("has no shipping method")
    page.get_by_test_id("distributor-candidates").get_by_role("button", name="Add Halle de Gerland").click()
    hub = exchange(page, "outgoing", cast.hub_id)
    hub.get_by_label("Ready for").fill("Samedi 10 h – 12 h")
    hub.get_by_label("Pickup instructions").fill("Halle, porte 2")
    hub.get_by_test_id("select-all").click()
    shoot(page, "3-outgoing")
    save(page)

    # Step 4: only the pickup is offered in this cycle.
    offer_pickup_only(page, cast.hub_id, "4-methods")

    # Step 1: the coordinator fee and automatic notifications, under the advanced settings.
    page.get_by_test_id("step-general").click()
    page.get_by_label("Fonctionnement").check()
    page.get_by_text("Advanced settings").click()
    page.get_by_label("Notify producers automatically when the cycle closes").check()
    shoot(page, "5-general")
    save(page)

    page.get_by_test_id("back-to-cycles").click()
    row = page.get_by_test_id("cycle")
    expect(row.get_by_test_id("cycle-status")).to_have_text("Upcoming")
    expect(row.get_by_test_id("cycle-dates")).to_contain_text(f"{opens:%H:%M}")  # Paris time, in a Tokyo browser
    shoot(page, "0-list")

    # The cycle opens on time: the shop sells it, at the fees' prices, with the pickup only.
    shop = page.context.new_page()
    time.sleep(max(0.0, (opens - datetime.now(PARIS)).total_seconds()) + 1)
    shop.goto(f"{local_system.storefront_url}/")
    shop.get_by_test_id("shop-link").filter(has_text="Halle de Gerland").click()
    expect(shop.get_by_test_id("ready-for")).to_have_text("Samedi 10 h – 12 h")
    expect(shop.get_by_test_id("product")).to_have_count(2)
    expect(shop.get_by_test_id("shipping-method").locator("option", has_text="Livraison")).to_have_count(0)
    shop.get_by_test_id("product").filter(has_text="Cagette").get_by_test_id("add-to-cart").click()
    shop.locator("#customer-name").fill("Zoé Martin")
    shop.locator("#customer-email").fill("zoe@example.org")
    shop.get_by_test_id("payment-method").select_option(index=0)
    shop.get_by_test_id("place-order").click()
    expect(shop.get_by_test_id("confirmation")).to_be_visible()

    # ... and closes on time: refused by the shop, notified to the producer.
    time.sleep(max(0.0, (closes - datetime.now(PARIS)).total_seconds()) + 1)
    page.reload()
    expect(page.get_by_test_id("cycle").get_by_test_id("cycle-status")).to_have_text("Closed")
    page.get_by_test_id("open-cycle").click()
    expect(page.get_by_test_id("notification")).to_contain_text("Verger de Bruno: sent", timeout=15_000)
    page.get_by_test_id("back-to-cycles").click()
    row = page.get_by_test_id("cycle")
    expect(row.get_by_test_id("producers-notified")).to_contain_text("Producers notified: last on")
    expect(row.get_by_test_id("notification-failed")).to_have_count(0)
    bounce(row.get_attribute("data-cycle-id"))
    page.reload()
    expect(row.get_by_test_id("notification-failed")).to_have_text(
        "⚠ 1 email not delivered (bounced or failed): see the notifications.")
    shoot(page, "list-notified")
    row.get_by_text("Producer notifications").click()
    expect(row.get_by_test_id("notification")).to_contain_text(re.compile("Verger de Bruno: failed .* – Bounce: Permanent"))
    row.get_by_test_id("delete-cycle").click()
    row.get_by_test_id("confirm-delete-yes").click()
    expect(row.get_by_test_id("form-error")).to_have_text("This order cycle has orders: it cannot be deleted.")


def test_a_supplier_changes_only_its_own_parts(person, local_system):
    cast = Cast(local_system.admin_url)
    now = datetime.now(PARIS)
    cycle = cast.cycle(now - timedelta(hours=1), now + timedelta(days=6))
    page = person("verger@example.org", width=360)
    page.get_by_test_id("nav-cycles").click()
    row = page.get_by_test_id("cycle")
    expect(row.get_by_test_id("cycle-roles")).to_have_text("Your role: supplier (Verger de Bruno)")
    expect(row.get_by_test_id("cycle-status")).to_have_text("Open")
    for never in ("delete-cycle", "duplicate-cycle", "notify-producers", "cycle-in-place"):
        expect(row.get_by_test_id(never)).to_have_count(0)
    row.get_by_test_id("open-cycle").click()
    expect(page.get_by_test_id("general-readonly")).to_contain_text("Semaine 49")
    expect(page.get_by_role("textbox", name="Name")).to_have_count(0)
    shoot(page, "supplier-general")

    page.get_by_test_id("step-incoming").click()
    expect(page.get_by_test_id("incoming-exchange")).to_have_count(1)
    expect(page.get_by_test_id("supplier-candidates")).to_have_count(0)
    farm = exchange(page, "incoming", cast.farm_id)
    expect(farm.get_by_test_id("out-of-stock")).to_have_count(1)
    farm.get_by_label("Receival instructions").fill("Quai C, le vendredi")
    farm.get_by_label("Transport verger").check()
    shoot(page, "supplier-incoming")
    save(page)
    expect(farm.get_by_label("Transport verger")).to_be_checked()  # one checkbox per fee, saved

    # Its products in the shops that let it: the Marché granted it back, the Halle did not.
    page.get_by_test_id("step-outgoing").click()
    market = exchange(page, "outgoing", cast.market_id)
    hub = exchange(page, "outgoing", cast.hub_id)
    expect(market.get_by_test_id("outgoing-ready_for-readonly")).to_contain_text("Dimanche")
    expect(market.get_by_role("textbox")).to_have_count(0)  # nothing but its products to change there
    expect(market.get_by_role("searchbox")).to_have_count(1)
    expect(hub.get_by_test_id("outgoing-products-readonly")).to_contain_text("Pommes – Cagette 3 kg")
    expect(hub.get_by_role("checkbox")).to_have_count(0)
    market.get_by_label("Jus de pomme – Bouteille 1 l").check()
    shoot(page, "supplier-outgoing")
    save(page)
    expect(page.locator("main")).not_to_contain_text("Fromagerie")
    expect(page.locator("main")).not_to_contain_text("Tomme")

    seen = cast.hub("GET", f"/order-cycles/{cycle}")
    incoming = next(e for e in seen["incoming"] if e["supplier_id"] == cast.farm_id)
    assert incoming["receival_instructions"] == "Quai C, le vendredi" and incoming["fee_ids"] == [cast.farm_fee]
    assert next(e for e in seen["outgoing"] if e["distributor_id"] == cast.market_id)["variant_ids"] == [cast.apples, cast.juice]


def test_a_distributor_changes_only_its_own_exchange(person, local_system):
    cast = Cast(local_system.admin_url)
    now = datetime.now(PARIS)
    cycle = cast.cycle(now + timedelta(days=1), now + timedelta(days=6))
    page = person("marche@example.org")
    page.get_by_test_id("nav-cycles").click()
    expect(page.get_by_test_id("cycle").get_by_test_id("cycle-status")).to_have_text("Upcoming")
    page.get_by_test_id("open-cycle").click()
    page.get_by_test_id("step-incoming").click()
    expect(page.get_by_test_id("incoming-exchange")).to_have_count(1)  # only the Verger granted it
    expect(page.get_by_test_id("incoming-products-readonly")).to_contain_text("Pommes – Cagette 3 kg")
    expect(page.get_by_test_id("step-incoming-panel").get_by_role("checkbox")).to_have_count(0)
    shoot(page, "distributor-incoming")

    page.get_by_test_id("step-outgoing").click()
    expect(page.get_by_test_id("outgoing-exchange")).to_have_count(1)
    expect(page.get_by_test_id("distributor-candidates")).to_have_count(0)
    market = exchange(page, "outgoing", cast.market_id)
    market.get_by_label("Ready for").fill("Dimanche 9 h – 11 h")
    market.get_by_label("Pickup instructions").fill("Place du Bourg, sous la halle")
    market.get_by_label("Tags").fill("membres")
    market.get_by_label("Jus de pomme – Bouteille 1 l").check()
    market.get_by_label("Marge marché").check()
    expect(market.get_by_label("Fonctionnement")).to_have_count(0)
    shoot(page, "distributor-outgoing")

    offer_pickup_only(page, cast.market_id, "distributor-methods")

    seen = cast.hub("GET", f"/order-cycles/{cycle}")
    market_exchange = next(e for e in seen["outgoing"] if e["distributor_id"] == cast.market_id)
    assert market_exchange["ready_for"] == "Dimanche 9 h – 11 h" and market_exchange["tags"] == ["membres"]
    assert market_exchange["variant_ids"] == [cast.apples, cast.juice] and market_exchange["fee_ids"] == [cast.market_fee]
    assert market_exchange["payment_method_ids"] is None and len(market_exchange["shipping_method_ids"]) == 1
    assert seen["name"] == "Semaine 49"


def test_the_coordinator_sets_the_ready_reminder_in_the_hubs_time(person, local_system):
    cast = Cast(local_system.admin_url)
    now = datetime.now(PARIS)
    cycle = cast.cycle(now + timedelta(days=1), now + timedelta(days=6))
    page = person("halle@example.org")  # a browser in Tokyo: the time typed is the hub's (Paris)
    page.get_by_test_id("nav-cycles").click()
    page.get_by_test_id("open-cycle").click()
    page.get_by_test_id("step-outgoing").click()
    ready = (now + timedelta(days=7)).replace(hour=17, minute=30, second=0, microsecond=0)
    hub = exchange(page, "outgoing", cast.hub_id)
    hub.get_by_label("Order-ready email").fill(paris(ready))
    hub.get_by_label("Message in the “shop open” email").fill("Nouveau : le pain du fournil")
    shoot(page, "outgoing-reminder")
    save(page)

    seen = next(e for e in cast.hub("GET", f"/order-cycles/{cycle}")["outgoing"] if e["distributor_id"] == cast.hub_id)
    assert datetime.fromisoformat(seen["ready_reminder_at"]) == ready
    assert datetime.fromisoformat(seen["ready_reminder_at"]).utcoffset() == timedelta(0), "stored in UTC"
    assert seen["reminder_message"] == "Nouveau : le pain du fournil"
    page.reload()
    page.get_by_test_id("step-outgoing").click()
    expect(exchange(page, "outgoing", cast.hub_id).get_by_label("Order-ready email")).to_have_value(ready.strftime("%Y-%m-%dT%H:%M"))


def test_the_coordinator_renames_duplicates_notifies_and_keeps_what_it_typed_on_a_conflict(person, local_system):
    cast = Cast(local_system.admin_url)
    now = datetime.now(PARIS).replace(second=0, microsecond=0)
    cycle = cast.cycle(now - timedelta(hours=1), now + timedelta(days=6))
    page = person("halle@example.org")
    page.get_by_test_id("nav-cycles").click()
    row = page.get_by_test_id("cycle")
    expect(row.get_by_test_id("cycle-status")).to_have_text("Open")
    row.get_by_text("Change name and dates here").click()
    row.get_by_label("Name").fill("Semaine 49 bis")
    row.get_by_label("Orders close").fill(paris(now + timedelta(days=5)))
    row.get_by_role("button", name="Save name and dates").click()
    expect(page.get_by_role("link", name="Edit Semaine 49 bis").first).to_be_visible()
    assert cast.hub("GET", f"/order-cycles/{cycle}")["closes_at"] == (now + timedelta(days=5)).astimezone(ZoneInfo("UTC")).isoformat()

    row = page.get_by_test_id("cycle").first
    row.get_by_test_id("notify-producers").click()
    row.get_by_test_id("confirm-notify-yes").click()
    expect(row.get_by_test_id("notified")).to_have_text("0 emails sent to the producers.")
    row.get_by_test_id("duplicate-cycle").click()
    expect(page.get_by_test_id("cycle")).to_have_count(2)
    copy = page.get_by_test_id("cycle").first  # undated first
    expect(copy.get_by_test_id("cycle-status")).to_have_text("Undated")
    expect(copy).to_contain_text("COPY OF Semaine 49 bis")
    expect(copy.get_by_test_id("producers-notified")).to_have_text("Producers not notified yet.")
    shoot(page, "list-roles")

    # Someone else moves the closing while this manager renames: told what changed, the name kept.
    page.get_by_role("link", name="Edit Semaine 49 bis").first.click()
    expect(page.get_by_test_id("step-general")).to_be_visible()  # the list's name fields are gone
    page.get_by_label("Name").fill("Semaine 49 ter")

    def someone_else_saves_first(route):
        cast.hub("PATCH", f"/order-cycles/{cycle}", {"closes_at": (now + timedelta(days=4)).isoformat()})
        route.fulfill(status=409, content_type="application/json", body='{"error": {"code": "order_cycle_changed", '
                      '"message": "Someone saved this order cycle meanwhile.", "field": null}}')

    page.route(re.compile(rf".*/order-cycles/{cycle}$"), lambda route: someone_else_saves_first(route)
               if route.request.method == "PATCH" else route.continue_(), times=1)
    page.get_by_test_id("save-cycle").click()
    expect(page.get_by_test_id("conflict")).to_contain_text("They changed: the closing.")
    expect(page.get_by_label("Name")).to_have_value("Semaine 49 ter")
    expect(page.get_by_label("Orders close")).to_have_value(paris(now + timedelta(days=4))[:16])
    shoot(page, "conflict")
    save(page)
    seen = cast.hub("GET", f"/order-cycles/{cycle}")
    assert seen["name"] == "Semaine 49 ter" and seen["closes_at"].startswith((now + timedelta(days=4)).astimezone(ZoneInfo("UTC")).isoformat()[:16])

    # Leaving with unsaved changes asks first; staying keeps what was typed; discarding lets go.
    page.get_by_label("Name").fill("Semaine 50")
    page.get_by_test_id("nav-cycles").click()
    expect(page.get_by_test_id("leave-dialog")).to_be_visible()
    expect(page.get_by_test_id("leave-stay")).to_be_focused()
    shoot(page, "leave", full_page=False)
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("leave-dialog")).to_have_count(0)
    expect(page.get_by_label("Name")).to_have_value("Semaine 50")
    assert page.evaluate("() => { const e = new Event('beforeunload', {cancelable: true});"
                         " window.dispatchEvent(e); return e.defaultPrevented; }"), "a reload or closed tab asks too"

    # In French, a distributor that cannot be chosen says why in French.
    page.get_by_test_id("language-switch").click()
    expect(page.get_by_test_id("step-general")).to_have_text("1. Informations générales")
    page.get_by_test_id("discard-changes").click()
    expect(page.get_by_label("Nom")).to_have_value("Semaine 49 ter")
    page.get_by_test_id("step-outgoing").click()
    grocer = page.get_by_test_id("distributor-candidates").locator(f'[data-enterprise-id="{cast.grocer_id}"]')
    expect(grocer.get_by_test_id("candidate-reason")).to_have_text(
        "Ne peut pas être ajouté\u202f: Épicerie Vide n'a aucune méthode de livraison et n'a aucune méthode de paiement")
    shoot(page, "outgoing-fr")
    page.get_by_test_id("nav-cycles").click()  # nothing unsaved: no question
    expect(page.get_by_test_id("cycle-list")).to_be_visible()
