"""The hubs' closing summary, rendered from domain objects alone: who gets one, what each sees
(the coordinator every shop's orders, a distributor its own), the currency, and the console links."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

from hubcycle.enterprises import Enterprise
from hubcycle.notifications.hub_summary import hub_summary_email, hubs_to_tell
from hubcycle.order_cycles import OrderCycle, OutgoingExchange
from hubcycle.orders import LineItem, Order, OrderCustomer, OrderState

NOW = datetime(2026, 11, 23, 18, 0, tzinfo=timezone.utc)


def enterprise(enterprise_id: str, name: str, **fields) -> Enterprise:
    return Enterprise(id=enterprise_id, name=name, kind=fields.pop("kind", "hub"), email=f"{enterprise_id}@example.org",
                      owner_email="owner@example.org", **fields)


HUB = enterprise("hub", "Green Hub", timezone="Europe/Paris")
MARKET = enterprise("market", "Marché", language="fr")
FARM = enterprise("farm", "Oak Farm", kind="profile")
CYCLE = OrderCycle(id="week-48", coordinator_id="hub", name="Week 48", opens_at=NOW - timedelta(days=3), closes_at=NOW,
                   outgoing=[OutgoingExchange(distributor_id=d, ready_for="Saturday") for d in ("hub", "market", "idle")])


def order(number: int, distributor_id: str, quantity: int, state: OrderState = OrderState.placed) -> Order:
    line = LineItem(variant_id="carrots", supplier_id="farm", product_name="Carrots", variant_name="1 kg",
                    quantity=quantity, base_price="2.00", price="2.50", total=Decimal("2.50") * quantity)
    return Order(id=f"o{number}", number=f"HC-{number}", order_cycle_id="week-48", distributor_id=distributor_id,
                 customer=OrderCustomer(email=f"c{number}@example.org", name=f"C{number}"), items=[line],
                 item_total=Decimal(2) * quantity, fee_total=Decimal("0.50") * quantity, total=Decimal("2.50") * quantity,
                 shipping_method_id="pickup", payment_method_id="cash", state=state, created_at=NOW - timedelta(hours=1))


ORDERS = [order(1, "hub", 2), order(2, "market", 4), order(3, "hub", 10, OrderState.cancelled)]
ENTERPRISES = {e.id: e for e in (HUB, MARKET, FARM)}


def test_the_coordinator_and_each_shop_with_orders_get_a_summary():
    assert hubs_to_tell(CYCLE, ORDERS) == ["hub", "market"], "not the shop that sold nothing"
    assert hubs_to_tell(CYCLE, []) == ["hub"]


def test_the_coordinator_sees_every_shops_orders_with_links_to_the_packing_reports(monkeypatch):
    monkeypatch.setenv("HUBCYCLE_CONSOLE_URL", "https://shop.example.org/console")
    email = hub_summary_email(CYCLE, HUB, ENTERPRISES, ORDERS, NOW)
    assert email.to == ["hub@example.org"] and email.subject == "Week 48 has closed: 2 orders"
    assert "closed on 2026-11-23 19:00 CET. Every shop's orders:" in email.text
    assert "Orders: 2\nProducts: 12.00 EUR\nFees: 3.00 EUR\nTotal: 15.00 EUR" in email.text
    assert "Asked of each producer\n\nOak Farm\nCarrots | 1 kg | 6" in email.text, "the cancelled order left out"
    assert "pack-by-supplier: https://shop.example.org/console/#/order-cycles/week-48/reports/pack-by-supplier\n" \
        in email.text
    assert '<a href="https://shop.example.org/console/#/order-cycles/week-48/reports/pack-by-customer">' in email.html


def test_a_distributor_sees_its_own_orders_in_its_language():
    email = hub_summary_email(CYCLE, MARKET, ENTERPRISES, ORDERS, NOW)
    assert email.subject == "Week 48 est clos : 1 commandes"
    assert "Commandes : 1\nProduits : 8,00 EUR" in email.text and "Carrots | 1 kg | 4" in email.text
    assert "#/order-cycles/week-48/reports/pack-by-customer?distributor_id=market" in email.text
