"""The shop's public reads through Chalice's test client on moto: open shops, a shop with its open
cycles and methods, a cycle's products with fees in the price and their availability, each in a
fixed number of DynamoDB requests."""
from __future__ import annotations

from datetime import timedelta

import pytest
from shop_fixtures import CARROTS_1KG, CARROTS_5KG, CHEESE, EGGS, HONEY, READY_FOR, json_of, load_hub

from hubcycle.enterprises import Enterprise
from hubcycle.order_cycles import OrderCycle, OutgoingExchange
from hubcycle.products import Offer
from hubcycle.repository import keys
from hubcycle.repository.base import to_item
from hubcycle.repository.enterprises import EnterpriseRepository
from hubcycle.repository.order_cycles import OrderCycleRepository


def test_only_shops_with_an_open_cycle_are_listed(shop_app, clock):
    load_hub(clock.now())
    enterprises, cycles = EnterpriseRepository(), OrderCycleRepository()
    enterprises.create(Enterprise(id="later", name="Opens next week", kind="shop", email="l@example.org",
                                  owner_email="l@example.org"))
    cycles.create(OrderCycle(id="upcoming", coordinator_id="later", name="Soon", opens_at=clock.now() + timedelta(days=3),
                             closes_at=clock.now() + timedelta(days=5),
                             outgoing=[OutgoingExchange(distributor_id="later", ready_for="Next month")]))
    enterprises.create(Enterprise(id="past", name="Closed shop", kind="shop", email="p@example.org",
                                  owner_email="p@example.org"))
    cycles.create(OrderCycle(id="closed", coordinator_id="past", name="Gone", opens_at=clock.now() - timedelta(days=9),
                             closes_at=clock.now() - timedelta(days=1),
                             outgoing=[OutgoingExchange(distributor_id="past", ready_for="Last week")]))
    enterprises.create(Enterprise(id="listing", name="A profile", kind="profile", email="f@example.org",
                                  owner_email="f@example.org"))  # seed 000: a profile sells nothing
    cycles.create(OrderCycle(id="profile-cycle", coordinator_id="hub", name="Odd", opens_at=clock.now() - timedelta(days=1),
                             closes_at=clock.now() + timedelta(days=1),
                             outgoing=[OutgoingExchange(distributor_id="listing", ready_for="Never")]))

    response = shop_app.http.get("/shops")

    assert response.status_code == 200
    assert json_of(response) == [{"id": "hub", "name": "Croix-Rousse Food Hub", "kind": "hub"}]
    clock.advance(timedelta(days=3))
    assert [s["id"] for s in json_of(shop_app.http.get("/shops"))] == ["hub", "later"]


def test_a_shop_lists_its_open_cycles_as_it_prefers_and_its_methods(shop_app, clock, aws_requests):
    ids = load_hub(clock.now())
    aws_requests.clear()

    shop = json_of(shop_app.http.get("/shops/hub"))

    assert dict(aws_requests) == {"dynamodb.Query": 1}
    assert shop["id"] == "hub" and shop["name"] == "Croix-Rousse Food Hub"
    assert [(c["id"], c["ready_for"]) for c in shop["cycles"]] == [(ids.cycle, READY_FOR), (ids.later_cycle, "Saturday 5 Dec")]
    first = shop["cycles"][0]
    assert (first["opens_at"], first["closes_at"]) == ("2026-11-21T09:00:00+00:00", "2026-11-25T09:00:00+00:00")
    assert shop["shipping_methods"] == [
        {"id": "delivery", "name": "Home delivery", "fee": "4.50", "pickup": False, "description": ""},
        {"id": "pickup", "name": "Pickup at the barn", "fee": "0.00", "pickup": True, "description": ""},
    ]
    assert shop["payment_methods"] == [{"id": "card", "name": "Card", "fee": "0.30", "description": ""},
                                       {"id": "cash", "name": "Cash at pickup", "fee": "0.00", "description": ""}]
    assert (first["shipping_method_ids"], first["payment_method_ids"]) == (["delivery", "pickup"], ["card", "cash"])

    enterprises = EnterpriseRepository()
    enterprises.save(enterprises.get("hub").model_copy(update={"cycle_sort": "opens_at"}))
    assert [c["id"] for c in json_of(shop_app.http.get("/shops/hub"))["cycles"]] == [ids.later_cycle, ids.cycle]

    clock.advance(timedelta(days=3))  # week 48 has closed
    assert [c["id"] for c in json_of(shop_app.http.get("/shops/hub"))["cycles"]] == [ids.later_cycle]


def test_a_shop_that_does_not_exist_is_a_404(shop_app, clock):
    response = shop_app.http.get("/shops/nowhere")
    assert response.status_code == 404
    assert json_of(response)["error"]["code"] == "shop_not_found"


def test_products_carry_fees_in_their_price_and_say_what_is_available(shop_app, clock, aws_requests):
    ids = load_hub(clock.now())
    aws_requests.clear()

    response = shop_app.http.get(f"/shops/hub/cycles/{ids.cycle}/products")

    assert response.status_code == 200
    assert dict(aws_requests) == {"dynamodb.Query": 1}
    products = {p["variant_id"]: p for p in json_of(response)}
    assert list(products) == [CARROTS_1KG, CARROTS_5KG, HONEY, EGGS, CHEESE]  # by producer, product, variant
    assert products[CARROTS_1KG] == {
        "variant_id": CARROTS_1KG, "product_id": "carrots", "product_name": "Carrots", "variant_name": "1 kg",
        "description": "", "category": "", "image_url": "", "image_copies": [],
        "supplier": {"id": "farm", "name": "Blue Field Farm"}, "unit": "kg", "unit_value": "1",
        "price": "3.14", "unit_price": {"amount": "3.14", "per": "kg"}, "available": True, "stock": 10, "low_stock": False,
    }
    assert {v: p["price"] for v, p in products.items()} == {
        CARROTS_1KG: "3.14", CARROTS_5KG: "11.50", HONEY: "8.20", EGGS: "3.70", CHEESE: "6.50"}
    assert {v: p["available"] for v, p in products.items()} == {
        CARROTS_1KG: True, CARROTS_5KG: True, HONEY: False, EGGS: True, CHEESE: True}


def test_a_shop_sees_only_what_its_outgoing_exchange_carries(shop_app, clock):
    ids = load_hub(clock.now())
    products = json_of(shop_app.http.get(f"/shops/hub/cycles/{ids.later_cycle}/products"))
    assert [(p["variant_id"], p["price"]) for p in products] == [(CARROTS_1KG, "2.90"), (CHEESE, "6.50")]


def test_products_read_one_query_whatever_the_catalogue_size(shop_app, clock, aws_requests):
    ids = load_hub(clock.now())
    cycles = OrderCycleRepository()
    jams = [Offer(id=f"jam-{n}", product_id="jam", supplier_id="farm", product_name="Jam", name=f"Jar {n:03}",
                  unit="g", unit_value="250", price="4.00", on_hand=n, supplier_name="Blue Field Farm",
                  offered_in=[ids.later_cycle]) for n in range(300)]
    # The offers are written directly: sync_offers copies them one transaction per 50 on moto,
    # which snapshots the table for each, and the read path is what this test is about.
    cycles.batch_write(puts=[to_item(o, PK=keys.order_cycle(ids.later_cycle), SK=keys.offer(o.id)) for o in jams])
    cycle = cycles.get(ids.later_cycle)
    outgoing = cycle.outgoing[0].model_copy(update={"variant_ids": [CARROTS_1KG, CHEESE, *(o.id for o in jams)]})
    cycles.save(cycle.model_copy(update={"outgoing": [outgoing]}), cycle)
    aws_requests.clear()

    products = json_of(shop_app.http.get(f"/shops/hub/cycles/{ids.later_cycle}/products"))

    assert len(products) == 302
    assert dict(aws_requests) == {"dynamodb.Query": 1}
    assert [p["available"] for p in products if p["variant_id"] == "jam-0"] == [False]


@pytest.mark.parametrize("path, status, code", [
    ("/shops/hub/cycles/nope/products", 404, "order_cycle_not_found"),
    ("/shops/farm/cycles/week-48/products", 404, "order_cycle_not_found"),
])
def test_unknown_cycles_and_shops_not_selling_through_them_are_404(shop_app, clock, path, status, code):
    load_hub(clock.now())
    response = shop_app.http.get(path)
    assert (response.status_code, json_of(response)["error"]["code"]) == (status, code)


def test_the_products_of_a_closed_cycle_are_a_409(shop_app, clock):
    ids = load_hub(clock.now())
    clock.advance(timedelta(days=2))
    response = shop_app.http.get(f"/shops/hub/cycles/{ids.cycle}/products")
    assert response.status_code == 409
    assert json_of(response)["error"] == {"code": "order_cycle_closed", "message": "this order cycle has closed",
                                          "field": None}


def test_every_shop_answer_allows_the_storefront_origin(shop_app, clock):
    ids = load_hub(clock.now())
    for path in ("/shops", "/shops/hub", f"/shops/hub/cycles/{ids.cycle}/products", "/shops/nowhere"):
        headers = shop_app.http.get(path).headers
        assert headers["Access-Control-Allow-Origin"] and "Idempotency-Key" in headers["Access-Control-Allow-Headers"]
