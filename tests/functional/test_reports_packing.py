"""Packing reports per order cycle (issue 13), in JSON and CSV, as each role of seed 004 may see
them; an answer too large for Lambda comes as a short-lived link to S3."""
from __future__ import annotations

import csv
import io
import urllib.request

import pytest
from admin_fixtures import armed, cast, people  # noqa: F401
from orders_fixtures import ADDRESS, bought, hub  # noqa: F401

MAX = {"email": "max@example.org", "name": "Max Petit"}
IDA = {"email": "ida@example.org", "name": "Ida Blanc"}


@pytest.fixture
def week(hub):
    """Zoé (paid) and Ida (a delivery) at Green Hub, Max at the Market; Ida's second order cancelled."""
    c = hub
    c.ids["zoe"] = bought(c, {"apples": 2, "bread": 1, "cheese": 1})["id"]
    c.ids["ida"] = bought(c, {"apples": 1}, customer=IDA, shipping_method_id=c["delivery"],
                          delivery_address=ADDRESS)["id"]
    c.ids["max"] = bought(c, {"apples": 3, "bread": 2}, shop="market", customer=MAX)["id"]
    cancelled = bought(c, {"cheese": 5}, customer=IDA)["id"]
    c.hub.post(f"/orders/{cancelled}/cancel").ok()
    c.hub.patch(f"/orders/{c['zoe']}", {"paid": True}).ok()
    return c


def report(person, c, name: str, query: str = "") -> list[dict]:
    return person.get(f"{c.path}/reports/{name}{query}").ok()


def csv_report(person, c, name: str, query: str = "") -> tuple[str, list[dict]]:
    response = person.client.http.get(f"{c.path}/reports/{name}?format=csv{query}",
                                      headers={"Authorization": f"Bearer {person.token}"})
    assert response.status_code == 200, response.body
    text = response.body.decode()
    return response.headers["Content-Type"], list(csv.DictReader(io.StringIO(text)))


def test_the_coordinator_packs_every_customers_bag_in_json_and_csv(week):
    c = week
    rows = report(c.hub, c, "pack-by-customer")
    assert [(r["customer_name"], r["product_name"], r["variant_name"], r["quantity"]) for r in rows] == [
        ("Ida Blanc", "Fruit", "Apples", 1),
        ("Zoé Martin", "Fruit", "Apples", 2), ("Zoé Martin", "Bakes", "Bread", 1), ("Zoé Martin", "Cheese", "Tomme", 1),
        ("Max Petit", "Fruit", "Apples", 3), ("Max Petit", "Bakes", "Bread", 2),
    ], "by shop (Green Hub first), customer, then supplier (the farm first)"
    assert {r["customer_email"] for r in rows} == {"zoe@example.org", "ida@example.org", "max@example.org"}
    assert sum(r["quantity"] for r in rows) == 10, "the cancelled order is not packed"

    content_type, table = csv_report(c.hub, c, "pack-by-customer")
    assert content_type == "text/csv; charset=utf-8"
    assert list(table[0]) == ["distributor_id", "customer_name", "customer_email", "order_number", "supplier_id",
                              "product_name", "variant_name", "quantity"]
    assert [(r["customer_name"], r["quantity"]) for r in table] == [(r["customer_name"], str(r["quantity"])) for r in rows]


def test_a_supplier_packs_only_its_own_products_and_sees_names_only_if_allowed(week):
    c = week
    rows = report(c.farm, c, "pack-by-supplier")
    assert {(r["supplier_id"], r["variant_name"], r["quantity"]) for r in rows} == {
        (c["farm"], "Apples", 2), (c["farm"], "Apples", 1), (c["farm"], "Apples", 3)}
    assert {(r["customer_name"], r["customer_email"]) for r in rows} == {("", "")}
    assert report(c.farm, c, "pack-by-supplier", f"?supplier_id={c['bakery']}") == []

    c.hub.patch(f"/enterprises/{c['hub']}", {"customer_names_to_suppliers": True}).ok()
    _, table = csv_report(c.farm, c, "pack-by-supplier")
    assert sorted((r["customer_name"], r["customer_email"]) for r in table) == [
        ("Ida Blanc", ""), ("Max Petit", ""), ("Zoé Martin", "")]

    hub_rows = report(c.hub, c, "pack-by-supplier", f"?supplier_id={c['bakery']}")
    assert [(r["variant_name"], r["quantity"], r["customer_name"]) for r in hub_rows] == [
        ("Bread", 1, "Zoé Martin"), ("Bread", 2, "Max Petit")], "by shop: Green Hub first"


def test_customer_totals_say_what_is_paid_and_a_shop_sees_its_own_customers(week):
    c = week
    totals = {r["customer_email"]: r for r in report(c.hub, c, "customer-totals")}
    zoe = c.hub.get(f"/orders/{c['zoe']}").ok()
    assert (totals["zoe@example.org"]["total"], totals["zoe@example.org"]["paid"], totals["zoe@example.org"]["unpaid"]) \
        == (zoe["total"], zoe["total"], "0.00")
    assert totals["ida@example.org"]["orders"] == 1 and totals["ida@example.org"]["paid"] == "0.00", "cancelled left out"

    [market] = report(c.market, c, "customer-totals")
    assert (market["customer_name"], market["orders"], market["unpaid"]) == ("Max Petit", 1, market["total"])

    [farm_row] = [r for r in report(c.farm, c, "customer-totals") if r["distributor_id"] == c["market"]]
    assert farm_row["customer_email"] == "" and farm_row["total"] == "13.50", "its line only: 3 apples at 2.50 + 4 fees of 0.50"


def test_totals_by_shipping_method_and_pickup_point(week):
    c = week
    rows = report(c.hub, c, "totals-by-shipping-method")
    assert [(r["distributor_id"] == c["hub"], r["shipping_method"], r["pickup"], r["orders"]) for r in rows] == [
        (True, "Bike delivery", False, 1), (True, "Pickup", True, 1), (False, "Pickup", True, 1)]
    by_method = {(r["distributor_id"], r["shipping_method"]): r for r in rows}
    assert by_method[c["hub"], "Bike delivery"]["orders"] == 1 and by_method[c["hub"], "Bike delivery"]["pickup"] is False
    assert by_method[c["hub"], "Pickup"]["orders"] == 1 and by_method[c["market"], "Pickup"]["orders"] == 1
    assert [r["distributor_id"] for r in report(c.market, c, "totals-by-shipping-method")] == [c["market"]]
    _, table = csv_report(c.hub, c, "totals-by-shipping-method")
    assert {r["pickup"] for r in table} == {"true", "false"}


def test_an_answer_too_large_for_lambda_is_a_short_lived_link(week, monkeypatch):
    c = week
    _, whole = csv_report(c.hub, c, "orders")
    monkeypatch.setenv("HUBCYCLE_RESPONSE_LIMIT_BYTES", "300")

    link = c.hub.get(f"{c.path}/reports/orders?format=csv").ok()
    assert set(link) == {"download_url", "expires_at", "bytes"} and link["expires_at"] == "2026-11-23T09:15:00+00:00"
    assert "Expires=" in link["download_url"]
    with urllib.request.urlopen(link["download_url"], timeout=10) as response:
        fetched = response.read().decode()
    assert list(csv.DictReader(io.StringIO(fetched))) == whole and len(fetched.encode()) == link["bytes"] > 300
    assert len(whole) == 7, "one row per line of every order, the cancelled one included"


def test_reports_refuse_what_they_do_not_know_and_strangers(week, people):
    c = week
    assert c.hub.get(f"{c.path}/reports/pack-by-colour").error(404)["code"] == "report_not_found"
    assert c.hub.get(f"{c.path}/reports/pack-by-customer?format=xml").error(422)["field"] == "format"
    assert people("stranger@example.org").get(f"{c.path}/reports/pack-by-customer").error(403)
