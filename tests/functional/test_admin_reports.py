"""Reports per order cycle (seed 004): supplier totals and orders, as each role may see them."""
from datetime import timedelta

import pytest

from admin_fixtures import armed, cast, people, place_order  # noqa: F401

CHLOE = ("chloe@example.org", "Chloé Martin")
DAVID = ("david@example.org", "David Roux")


@pytest.fixture
def orders(cast, clock):
    """Chloé buys apples and bread at Green Hub, David apples and cheese at Green Hub, Emma
    pears at the Market; an order of David's was cancelled."""
    now = clock.now()
    c = cast
    place_order(c.cycle, c["hub"], "1001", CHLOE, [(c["apples"], c["farm"], 2, "2.50"), (c["bread"], c["bakery"], 1, "3.00")], now)
    place_order(c.cycle, c["hub"], "1002", DAVID, [(c["apples"], c["farm"], 1, "2.50"), (c["cheese"], c["dairy"], 1, "6.00")],
                now + timedelta(minutes=5))
    place_order(c.cycle, c["market"], "1003", ("emma@example.org", "Emma"), [(c["pears"], c["farm"], 3, "2.00")],
                now + timedelta(minutes=10))
    place_order(c.cycle, c["hub"], "1004", DAVID, [(c["apples"], c["farm"], 5, "2.50")], now + timedelta(minutes=15),
                state="cancelled")
    return cast


def rows(report):
    return [(r["supplier_id"], r["variant_id"], r["quantity"], r["total"]) for r in report]


def test_the_coordinator_sees_every_supplier_total(orders):
    c = orders
    report = c.hub.get(f"{c.path}/reports/supplier-totals").ok()
    assert sorted(rows(report)) == sorted([
        (c["farm"], c["apples"], 3, "7.80"), (c["farm"], c["pears"], 3, "6.30"),
        (c["bakery"], c["bread"], 1, "3.10"), (c["dairy"], c["cheese"], 1, "6.10"),
    ])
    assert set(report[0]) == {"supplier_id", "variant_id", "product_name", "variant_name", "quantity", "total"}


def test_a_supplier_sees_only_its_own_rows(orders):
    c = orders
    assert sorted(rows(c.farm.get(f"{c.path}/reports/supplier-totals").ok())) == sorted([
        (c["farm"], c["apples"], 3, "7.80"), (c["farm"], c["pears"], 3, "6.30")])
    assert rows(c.dairy.get(f"{c.path}/reports/supplier-totals").ok()) == [(c["dairy"], c["cheese"], 1, "6.10")]


def test_a_distributor_sees_the_totals_of_its_own_orders(orders):
    c = orders
    assert rows(c.market.get(f"{c.path}/reports/supplier-totals").ok()) == [(c["farm"], c["pears"], 3, "6.30")]


def test_the_coordinator_sees_every_order_with_customers(orders):
    c = orders
    report = c.hub.get(f"{c.path}/reports/orders").ok()
    assert [o["number"] for o in report] == ["1001", "1002", "1003", "1004"]
    first = report[0]
    assert first["customer"] == {"email": "chloe@example.org", "name": "Chloé Martin"}
    assert (first["item_total"], first["fee_total"], first["total"], first["state"]) == ("8.00", "1.30", "9.30", "placed")
    assert first["items"][0] == {"variant_id": c["apples"], "supplier_id": c["farm"], "product_name": f"Product {c['apples']}",
                                 "variant_name": c["apples"], "quantity": 2, "price": "2.60", "total": "5.20"}
    assert report[3]["state"] == "cancelled"


def test_a_distributor_sees_its_own_orders_with_customer_names(orders):
    c = orders
    report = c.market.get(f"{c.path}/reports/orders").ok()
    assert [(o["number"], o["customer"]["name"], o["total"]) for o in report] == [("1003", "Emma", "7.30")]


def test_a_supplier_sees_its_own_lines_without_customers_unless_the_coordinator_allows_names(orders):
    c = orders
    report = c.farm.get(f"{c.path}/reports/orders").ok()
    assert [o["number"] for o in report] == ["1001", "1002", "1003", "1004"]
    assert all(line["supplier_id"] == c["farm"] for o in report for line in o["items"])
    assert all("customer" not in o and "total" not in o and "adjustments" not in o for o in report)
    assert "chloe" not in str(report).lower()
    assert [o["number"] for o in c.bakery.get(f"{c.path}/reports/orders").ok()] == ["1001"]

    c.hub.patch(f"/enterprises/{c['hub']}", {"customer_names_to_suppliers": True}).ok()
    report = c.farm.get(f"{c.path}/reports/orders").ok()
    assert [o["customer"] for o in report[:2]] == [{"name": "Chloé Martin"}, {"name": "David Roux"}]
    assert "chloe@example.org" not in str(report)


def test_the_market_allowing_names_is_not_the_coordinator_allowing_them(orders):
    c = orders
    c.market.patch(f"/enterprises/{c['market']}", {"customer_names_to_suppliers": True}).ok()
    assert all("customer" not in o for o in c.farm.get(f"{c.path}/reports/orders").ok())


def test_reports_of_a_cycle_without_orders_are_empty(cast):
    assert cast.hub.get(f"{cast.path}/reports/supplier-totals").ok() == []
    assert cast.farm.get(f"{cast.path}/reports/orders").ok() == []
    assert cast.hub.get("/order-cycles/nope/reports/orders").error(404)["code"] == "order_cycle_not_found"
