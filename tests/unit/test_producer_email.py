"""The producer email of seed 003, rendered from domain objects alone: who gets it, what its
table adds up to (with the currency), the producer's own fees, the link to its packing list, the
producer's language, the hub's timezone, and user text kept as text."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

from hubcycle.enterprises import Enterprise
from hubcycle.notifications.producer_orders import producer_orders_email, rows_for, suppliers_with_orders
from hubcycle.order_cycles import IncomingExchange, OrderCycle, OutgoingExchange
from hubcycle.orders import Adjustment, LineItem, Order, OrderCustomer, OrderState

NOW = datetime(2026, 11, 23, 18, 0, tzinfo=timezone.utc)


def enterprise(enterprise_id: str, name: str, **fields) -> Enterprise:
    return Enterprise(id=enterprise_id, name=name, kind=fields.pop("kind", "profile"), email=f"{enterprise_id}@example.org",
                      owner_email="owner@example.org", **fields)


HUB = enterprise("hub", "Green Hub", kind="hub", timezone="Europe/Paris")
MARKET = enterprise("market", "Market Hall", kind="hub")
FARM = enterprise("farm", "Oak Farm")
DAIRY = enterprise("dairy", "Laiterie du Val", language="fr")
CYCLE = OrderCycle(
    id="week-48", coordinator_id="hub", name="Week 48", opens_at=NOW - timedelta(days=3), closes_at=NOW,
    incoming=[IncomingExchange(supplier_id="farm", receival_instructions="Crates to the barn, <before> 8am & smile"),
              IncomingExchange(supplier_id="dairy", receival_instructions="")],
    outgoing=[OutgoingExchange(distributor_id="hub", ready_for="Saturday 28 Nov"),
              OutgoingExchange(distributor_id="market", ready_for="Sunday 29 Nov")],
)


def line(variant_id: str, supplier_id: str, quantity: int, base_price: str, product: str = "Carrots",
         variant: str = "1 kg") -> LineItem:
    """Each line pays the hub 0.50 per item, and the farm's lines the farm 0.20 per item."""
    fees = [Adjustment(label="Admin: Hub", amount=Decimal("0.50") * quantity, enterprise_id="hub")]
    if supplier_id == "farm":
        fees.append(Adjustment(label="Transport: Farm van", amount=Decimal("0.20") * quantity, enterprise_id="farm"))
    return LineItem(variant_id=variant_id, supplier_id=supplier_id, product_name=product, variant_name=variant,
                    quantity=quantity, base_price=base_price, price=Decimal(base_price) + Decimal("0.50"),
                    fees=fees, total=Decimal(base_price) * quantity + sum(f.amount for f in fees))


def order(number: int, items: list[LineItem], distributor_id: str = "hub", customer: str = "Ada Lovelace",
          state: OrderState = OrderState.placed) -> Order:
    return Order(id=f"o{number}", number=str(number), order_cycle_id="week-48", distributor_id=distributor_id,
                 customer=OrderCustomer(email=f"c{number}@example.org", name=customer), items=items,
                 shipping_method_id="pickup", payment_method_id="cash", state=state, created_at=NOW - timedelta(hours=number))


ORDERS = [
    order(1, [line("carrots-1kg", "farm", 2, "2.40"), line("tomme", "dairy", 1, "6.05", "Tomme", "piece")]),
    order(2, [line("carrots-1kg", "farm", 1, "2.40"), line("carrots-5kg", "farm", 1, "10.00", variant="5 kg")],
          distributor_id="market", customer="Grace Hopper"),
    order(3, [line("carrots-1kg", "farm", 2, "2.60")], customer="Alan <b>Turing</b>"),
    order(4, [line("carrots-1kg", "farm", 50, "2.40"), line("honey", "bakery", 1, "7.00")],
          customer="Cancelled", state=OrderState.cancelled),
]
DISTRIBUTORS = {"hub": HUB, "market": MARKET}


def email_for(producer: Enterprise, coordinator: Enterprise = HUB, orders: list[Order] = ORDERS):
    return producer_orders_email(CYCLE, producer, coordinator, DISTRIBUTORS, orders, NOW)


def test_only_suppliers_with_completed_orders_are_notified():
    assert suppliers_with_orders(ORDERS) == ["dairy", "farm"]
    assert email_for(enterprise("bakery", "Bakery")) is None


def test_rows_group_by_variant_and_price_across_orders_without_cancelled_ones():
    rows = [(r.product_name, r.variant_name, r.quantity, r.unit_price, r.subtotal) for r in rows_for("farm", ORDERS)]
    assert rows == [
        ("Carrots", "1 kg", 3, Decimal("2.40"), Decimal("7.20")),
        ("Carrots", "1 kg", 2, Decimal("2.60"), Decimal("5.20")),
        ("Carrots", "5 kg", 1, Decimal("10.00"), Decimal("10.00")),
    ]


def test_the_english_email_names_cycle_and_producer_and_carries_what_seed_003_lists(monkeypatch):
    monkeypatch.setenv("HUBCYCLE_CONSOLE_URL", "https://shop.example.org/console/")
    email = email_for(FARM)
    assert email.to == ["farm@example.org"]
    assert email.cc == ["hub@example.org"] and email.reply_to == ["hub@example.org"]
    assert email.sender_name == "Green Hub"
    assert email.subject == "Orders for Oak Farm – Week 48"
    assert email.text == (
        "Hello Oak Farm,\n\n"
        "Here is what Green Hub has ordered from you in the order cycle “Week 48” (as of 2026-11-23 19:00 CET).\n\n"
        "Green Hub: ready for Saturday 28 Nov\n"
        "Market Hall: ready for Sunday 29 Nov\n\n"
        "Delivery instructions:\n"
        "Crates to the barn, <before> 8am & smile\n\n"
        "Product | Variant | Quantity | Unit price | Subtotal\n"
        "Carrots | 1 kg | 3 | 2.40 EUR | 7.20 EUR\n"
        "Carrots | 1 kg | 2 | 2.60 EUR | 5.20 EUR\n"
        "Carrots | 5 kg | 1 | 10.00 EUR | 10.00 EUR\n"
        "Total: 22.40 EUR\n\n"
        "Your fees, charged to the shoppers:\n"
        "Transport: Farm van | 1.20 EUR\n\n"
        "Your packing list: https://shop.example.org/console/#/order-cycles/week-48/reports/pack-by-supplier"
        "?supplier_id=farm\n\n"
        "Questions? Contact Green Hub: hub@example.org (or reply to this email).\n"
    )
    assert "Ada Lovelace" not in email.text + email.html, "customer names only when the coordinator allows it"


def test_the_french_email_for_a_french_producer_with_only_its_distributors():
    email = email_for(DAIRY)
    assert email.subject == "Commandes pour Laiterie du Val – Week 48"
    assert "Bonjour Laiterie du Val," in email.text
    assert "Green Hub : prêt pour Saturday 28 Nov" in email.text
    assert "Market Hall" not in email.text, "the market sold nothing of this producer's"
    assert "Détails de livraison produits" not in email.text, "no instructions given"
    assert "Tomme | piece | 1 | 6,05 EUR | 6,05 EUR\nTotal : 6,05 EUR" in email.text
    assert "Vos frais" not in email.text, "the dairy charges no fee of its own"
    assert "Contactez Green Hub : hub@example.org" in email.text


def test_customer_names_when_the_coordinator_shares_them():
    sharing = HUB.model_copy(update={"customer_names_to_suppliers": True})
    email = email_for(FARM, coordinator=sharing)
    assert "Orders by customer:\nCustomer | Product | Variant | Quantity\n" in email.text
    assert "Ada Lovelace | Carrots | 1 kg | 2" in email.text
    assert "Grace Hopper | Carrots | 5 kg | 1" in email.text
    assert "Cancelled" not in email.text
    assert "Alan &lt;b&gt;Turing&lt;/b&gt;" in email.html and "<b>Turing" not in email.html


def test_the_html_escapes_what_people_typed(monkeypatch):
    monkeypatch.setenv("HUBCYCLE_CONSOLE_URL", "http://127.0.0.1:8000/console/")
    email = email_for(FARM)
    assert "Crates to the barn, &lt;before&gt; 8am &amp; smile" in email.html
    assert "<before>" not in email.html
    assert "<td>Carrots</td><td>1 kg</td><td>3</td><td>2.40 EUR</td><td>7.20 EUR</td>" in email.html
    assert "22.40 EUR" in email.html
    assert '<a href="http://127.0.0.1:8000/console/#/order-cycles/week-48/reports/pack-by-supplier?supplier_id=farm">' in email.html


def test_no_cc_when_the_producer_is_its_own_coordinator():
    shop = FARM.model_copy(update={"kind": "shop"})
    email = producer_orders_email(CYCLE.model_copy(update={"coordinator_id": "farm"}), FARM, shop, {}, ORDERS, NOW)
    assert email.cc == [] and email.reply_to == ["farm@example.org"]
