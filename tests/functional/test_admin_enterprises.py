"""Enterprises, managers, permissions, catalogue, fees, methods and customers through the admin
API, as their managers use them."""
from datetime import timedelta
from decimal import Decimal

import pytest

from admin_fixtures import ADD, armed, cast, people  # noqa: F401
from hubcycle.repository.catalogue import CatalogueRepository
from hubcycle.repository.order_cycles import OrderCycleRepository

ANN, BOB = "ann@example.org", "bob@example.org"


@pytest.fixture
def ann(people):
    return people(ANN)


def test_create_list_read_and_edit_an_enterprise(ann):
    created = ann.post("/enterprises", {
        "name": "Marché de la Croix-Rousse", "kind": "hub", "email": "Marche@Example.org",
        "timezone": "Europe/Paris", "language": "fr",
    }).ok(201)
    assert created | {"id": created["id"]} == {
        "id": created["id"], "name": "Marché de la Croix-Rousse", "kind": "hub", "is_producer": False,
        "email": "marche@example.org", "timezone": "Europe/Paris", "language": "fr", "owner_email": ANN,
        "manager_emails": [], "customer_names_to_suppliers": False, "cycle_sort": "closes_at", "hide_sold_out": False,
        "description": "", "address": "", "phone": "", "logo_url": "",
        "reminders": {"shop_open": False, "closing_soon_hours": None},
    }
    other = ann.enterprise("Another Hub", timezone="UTC")
    assert [e["name"] for e in ann.get("/enterprises").ok()] == ["Another Hub", "Marché de la Croix-Rousse"]
    changed = ann.patch(f"/enterprises/{created['id']}", {"customer_names_to_suppliers": True, "name": "Marché CR"}).ok()
    assert (changed["name"], changed["customer_names_to_suppliers"], changed["timezone"]) == ("Marché CR", True, "Europe/Paris")
    assert ann.get(f"/enterprises/{created['id']}").ok() == changed
    assert ann.get(f"/enterprises/{other}").ok()["timezone"] == "UTC"
    # the list reads stored items without the models (a sign-in's cold start): the same answers
    assert ann.get("/enterprises").ok() == [ann.get(f"/enterprises/{i}").ok() for i in (other, created["id"])]


def test_the_timezone_defaults_to_utc_and_must_be_iana(ann):
    assert ann.post("/enterprises", {"name": "A", "kind": "shop", "email": "a@example.org"}).ok(201)["timezone"] == "UTC"
    error = ann.post("/enterprises", {"name": "A", "kind": "shop", "email": "a@example.org", "timezone": "Paris"}).error(422)
    assert error["field"] == "timezone"


def test_added_managers_manage_the_enterprise(people):
    ann, bob = people(ANN), people(BOB)
    hub = ann.enterprise("Green Hub")
    assert bob.get("/enterprises").ok() == []
    added = ann.post(f"/enterprises/{hub}/managers", {"email": "Bob@example.org"}).ok(201)
    assert added["manager_emails"] == [BOB]
    assert [e["id"] for e in bob.get("/enterprises").ok()] == [hub]
    assert bob.patch(f"/enterprises/{hub}", {"kind": "shop"}).ok()["kind"] == "shop"
    assert ann.post(f"/enterprises/{hub}/managers", {"email": BOB}).ok(201)["manager_emails"] == [BOB]


def test_kind_changes_between_profile_shop_and_hub(ann):
    farm = ann.enterprise("Farm", "profile", is_producer=True)
    for kind in ("shop", "hub", "profile"):
        assert ann.patch(f"/enterprises/{farm}", {"kind": kind}).ok()["kind"] == kind
    assert ann.patch(f"/enterprises/{farm}", {"kind": "market"}).error(422)["field"] == "kind"


def test_a_coordinator_of_an_open_cycle_cannot_become_a_profile(cast, clock):
    error = cast.hub.patch(f"/enterprises/{cast['hub']}", {"kind": "profile"}).error(409)
    assert error["code"] == "enterprise_in_order_cycle"
    assert "Week 48" in error["message"]
    assert cast.hub.patch(f"/enterprises/{cast['hub']}", {"kind": "shop"}).error(409)["field"] == "kind"
    assert cast.market.patch(f"/enterprises/{cast['market']}", {"kind": "shop"}).status == 409
    assert cast.farm.patch(f"/enterprises/{cast['farm']}", {"is_producer": False}).status == 409
    assert cast.hub.get(f"/enterprises/{cast['hub']}").ok()["kind"] == "hub"

    clock.advance(timedelta(days=7))  # the cycle is closed now
    assert cast.hub.patch(f"/enterprises/{cast['hub']}", {"kind": "profile"}).ok()["kind"] == "profile"


def test_edit_profile_lets_the_grantee_edit_the_profile_but_not_what_the_enterprise_is(people):
    ann, bob = people(ANN), people(BOB)
    farm = ann.enterprise("Farm", "profile", is_producer=True)
    agency = bob.enterprise("Web Agency", "profile")
    assert bob.get(f"/enterprises/{farm}").status == 403
    ann.grant(farm, agency, "edit_profile")
    assert bob.get(f"/enterprises/{farm}").ok()["name"] == "Farm"
    assert bob.patch(f"/enterprises/{farm}", {"name": "Farm of the Hills", "timezone": "Europe/Paris"}).ok()["name"] == "Farm of the Hills"
    assert bob.patch(f"/enterprises/{farm}", {"kind": "hub"}).error(403)["field"] == "enterprise_id"
    assert bob.patch(f"/enterprises/{farm}", {"customer_names_to_suppliers": True}).status == 403
    assert bob.post(f"/enterprises/{farm}/managers", {"email": BOB}).status == 403
    ann.grant(farm, agency)
    assert bob.get(f"/enterprises/{farm}").status == 403


def test_permissions_are_granted_listed_and_revoked(people):
    ann, bob = people(ANN), people(BOB)
    farm = ann.enterprise("Farm", "profile", is_producer=True)
    hub = bob.enterprise("Hub")
    granted = ann.put(f"/enterprises/{farm}/permissions/{hub}", {"abilities": ["manage_products", ADD, ADD]}).ok()
    assert granted == {"grantor_id": farm, "grantee_id": hub, "abilities": [ADD, "manage_products"]}
    assert ann.get(f"/enterprises/{farm}/permissions").ok() == {"granted": [{**granted, "grantee_name": "Hub"}], "received": []}
    assert bob.get(f"/enterprises/{hub}/permissions").ok() == {"granted": [], "received": [{**granted, "grantor_name": "Farm"}]}
    assert bob.put(f"/enterprises/{farm}/permissions/{hub}", {"abilities": []}).status == 403
    ann.put(f"/enterprises/{farm}/permissions/{hub}", {"abilities": []}).ok()
    assert ann.get(f"/enterprises/{farm}/permissions").ok() == {"granted": [], "received": []}
    assert ann.put(f"/enterprises/{farm}/permissions/{farm}", {"abilities": [ADD]}).error(422)["field"] == "grantee_id"
    assert ann.put(f"/enterprises/{farm}/permissions/nope", {"abilities": [ADD]}).status == 404
    assert ann.put(f"/enterprises/{farm}/permissions/{hub}", {"abilities": ["own_everything"]}).error(422)["field"] == "abilities.0"


def test_products_with_counted_and_on_demand_variants(ann):
    farm = ann.enterprise("Farm", "profile", is_producer=True)
    product = ann.post(f"/enterprises/{farm}/products", {
        "name": "Carrots", "unit": "kg",
        "variants": [{"name": "1 kg bag", "unit_value": "1", "price": "2.40", "on_hand": 10},
                     {"name": "Box", "unit_value": 5, "price": "10", "on_demand": True}],
    }).ok(201)
    assert product["supplier_id"] == farm
    assert [(v["name"], v["price"], v["on_hand"], v["on_demand"], v["unit_value"]) for v in product["variants"]] == [
        ("1 kg bag", "2.40", 10, False, "1"), ("Box", "10.00", None, True, "5")]
    assert all(v["id"] for v in product["variants"])
    assert ann.get(f"/enterprises/{farm}/products").ok() == [product]


@pytest.mark.parametrize("variant, field", [
    ({"name": "Bag", "unit_value": "1", "price": "2.40"}, None),
    ({"name": "Bag", "unit_value": "1", "price": "2.405", "on_hand": 1}, "variants.0.price"),
    ({"name": "Bag", "unit_value": "1", "price": "-1", "on_hand": 1}, "variants.0.price"),
    ({"name": "Bag", "unit_value": "1", "price": "2.40", "on_hand": -1}, "variants.0.on_hand"),
    ({"name": "Bag", "unit_value": "1", "price": "2.40", "on_hand": "5"}, "variants.0.on_hand"),
    ({"name": "Bag", "unit_value": "1", "price": "2.40", "on_hand": 1, "colour": "red"}, "variants.0.colour"),
])
def test_an_invalid_variant_is_422_and_nothing_is_written(ann, variant, field):
    farm = ann.enterprise("Farm", "profile", is_producer=True)
    error = ann.post(f"/enterprises/{farm}/products", {"name": "Carrots", "unit": "kg", "variants": [variant]}).error(422)
    assert error["field"] == field
    assert ann.get(f"/enterprises/{farm}/products").ok() == []


def test_only_producers_have_products(ann):
    hub = ann.enterprise("Hub", "hub", is_producer=False)
    body = {"name": "Carrots", "unit": "kg", "variants": [{"name": "Bag", "unit_value": "1", "price": "1", "on_hand": 1}]}
    assert "not a producer" in ann.post(f"/enterprises/{hub}/products", body).error(422)["message"]


def test_manage_products_lets_the_grantee_manage_the_catalogue(people):
    ann, bob = people(ANN), people(BOB)
    farm = ann.enterprise("Farm", "profile", is_producer=True)
    hub = bob.enterprise("Hub")
    (carrots,) = ann.product(farm, "Carrots", "Bag")
    assert bob.get(f"/enterprises/{farm}/products").status == 403
    assert bob.patch(f"/variants/{carrots}", {"price": "3.00"}).status == 403
    ann.grant(farm, hub, "manage_products")
    assert bob.patch(f"/variants/{carrots}", {"price": "3.00"}).ok()["price"] == "3.00"
    assert len(bob.product(farm, "Leeks", "Bunch")) == 1
    assert [p["name"] for p in bob.get(f"/enterprises/{farm}/products").ok()] == ["Carrots", "Leeks"]


def test_add_to_order_cycle_lets_the_grantee_read_the_catalogue_only(people):
    ann, bob = people(ANN), people(BOB)
    farm = ann.enterprise("Farm", "profile", is_producer=True)
    hub = bob.enterprise("Hub")
    (carrots,) = ann.product(farm, "Carrots", "Bag")
    ann.grant(farm, hub, ADD)
    assert [p["name"] for p in bob.get(f"/enterprises/{farm}/products").ok()] == ["Carrots"]
    assert bob.patch(f"/variants/{carrots}", {"price": "0.01"}).status == 403


def test_variant_price_and_stock_change_everywhere_the_variant_is_offered(cast):
    apples = cast["apples"]
    changed = cast.farm.patch(f"/variants/{apples}", {"price": "3.10", "on_hand": 4}).ok()
    assert (changed["price"], changed["on_hand"], changed["on_demand"]) == ("3.10", 4, False)
    offers = OrderCycleRepository().shop_partition(cast.cycle).offers
    assert (offers[apples].price, offers[apples].on_hand) == (Decimal("3.10"), 4)
    on_demand = cast.farm.patch(f"/variants/{apples}", {"on_demand": True}).ok()
    assert (on_demand["on_hand"], on_demand["on_demand"]) == (4, True)
    counted = cast.farm.patch(f"/variants/{apples}", {"on_hand": 7}).ok()
    assert (counted["on_hand"], counted["on_demand"]) == (7, False)
    assert cast.farm.patch(f"/variants/{apples}", {"on_hand": None}).error(422)["field"] is None
    assert cast.farm.patch("/variants/nope", {"price": "1.00"}).error(404)["code"] == "variant_not_found"
    assert cast.hub.patch(f"/variants/{apples}", {"price": "0.10"}).status == 403


def test_fees_with_every_calculator_of_the_contract(ann):
    hub = ann.enterprise("Hub")
    calculators = [
        {"type": "flat_rate_per_item", "amount": "0.50"},
        {"type": "flat_percent_per_item", "percent": "10"},
        {"type": "flat_percent_item_total", "percent": "7.5"},
        {"type": "weight", "per_kg": "0.30"},
        {"type": "flat_rate", "amount": "2.00"},
        {"type": "flexi_rate", "first_item": "1.00", "additional_item": "0.50", "max_items": 5},
        {"type": "price_sack", "minimal_amount": "50.00", "normal_amount": "5.00", "discount_amount": "1.00"},
    ]
    created = [
        ann.post(f"/enterprises/{hub}/fees", {"name": c["type"], "fee_type": "packing", "calculator": c}).ok(201)
        for c in calculators
    ]
    assert [f["calculator"] for f in created] == [
        {**c, **({"percent": c["percent"]} if "percent" in c else {})} for c in calculators
    ]
    assert sorted(f["id"] for f in ann.get(f"/enterprises/{hub}/fees").ok()) == sorted(f["id"] for f in created)


@pytest.mark.parametrize("calculator, field", [
    ({"type": "flat_rate"}, "calculator.flat_rate.amount"),
    ({"type": "per_mile", "amount": "1.00"}, "calculator"),
    ({"type": "flat_rate", "amount": "1.005"}, "calculator.flat_rate.amount"),
    ({"amount": "1.00"}, "calculator"),
])
def test_an_invalid_calculator_is_422(ann, calculator, field):
    hub = ann.enterprise("Hub")
    error = ann.post(f"/enterprises/{hub}/fees", {"name": "Fee", "fee_type": "admin", "calculator": calculator}).error(422)
    assert error["field"] == field
    assert ann.get(f"/enterprises/{hub}/fees").ok() == []


def test_shipping_and_payment_methods(ann):
    hub = ann.enterprise("Hub")
    pickup = ann.post(f"/enterprises/{hub}/shipping-methods", {"name": "Pickup at the market", "pickup": True}).ok(201)
    delivery = ann.post(f"/enterprises/{hub}/shipping-methods", {"name": "Delivery", "pickup": False, "fee": "4.50"}).ok(201)
    card = ann.post(f"/enterprises/{hub}/payment-methods", {"name": "Card", "fee": "0.30"}).ok(201)
    assert (pickup["fee"], delivery["fee"], card["fee"]) == ("0.00", "4.50", "0.30")
    assert sorted(m["name"] for m in ann.get(f"/enterprises/{hub}/shipping-methods").ok()) == ["Delivery", "Pickup at the market"]
    assert ann.get(f"/enterprises/{hub}/payment-methods").ok() == [card]


def test_customers_are_added_listed_and_tagged(ann):
    hub = ann.enterprise("Hub")
    added = ann.post(f"/enterprises/{hub}/customers", {"email": "Chloe@example.org", "name": "Chloé", "tags": ["pro"]}).ok(201)
    assert added == {"email": "chloe@example.org", "name": "Chloé", "tags": ["pro"], "language": None}  # none until they order
    assert ann.post(f"/enterprises/{hub}/customers", {"email": "chloe@example.org", "name": "C"}).error(409)["code"] == "customer_exists"
    tagged = ann.put(f"/enterprises/{hub}/customers/chloe@example.org/tags", {"tags": ["pro", "vip", "pro"]}).ok()
    assert tagged["tags"] == ["pro", "vip"]
    assert ann.put(f"/enterprises/{hub}/customers/Chloe%40example.org/tags", {"tags": ["vip"]}).ok()["tags"] == ["vip"]
    tagged = ann.put(f"/enterprises/{hub}/customers/chloe@example.org/tags", {"tags": ["pro", "vip"]}).ok()
    assert ann.get(f"/enterprises/{hub}/customers").ok() == [tagged]
    assert ann.put(f"/enterprises/{hub}/customers/nobody@example.org/tags", {"tags": []}).error(404)["code"] == "customer_not_found"


def test_a_price_change_never_undoes_a_sale_made_meanwhile(cast, monkeypatch):
    """The PATCH reads the variant, a shopper buys 5 apples, then the PATCH writes: the stock
    stays at what the sale left. Changing the stock itself over a sale is a 409, not a lost sale."""
    apples, catalogue = cast["apples"], CatalogueRepository()
    real = CatalogueRepository.get_variant

    def read_then_a_sale(self, variant_id):
        read = real(self, variant_id)
        variant, offered_in = real(self, variant_id)
        catalogue.save_variant(variant.model_copy(update={"on_hand": variant.on_hand - 5}), variant, offered_in)
        return read

    before = real(catalogue, apples)[0].on_hand
    monkeypatch.setattr(CatalogueRepository, "get_variant", read_then_a_sale)
    assert cast.farm.patch(f"/variants/{apples}", {"price": "3.00"}).ok()["price"] == "3.00"
    assert real(catalogue, apples)[0].on_hand == before - 5
    assert cast.farm.patch(f"/variants/{apples}", {"on_hand": 50}).error(409)["code"] == "variant_changed"
    assert real(catalogue, apples)[0].on_hand == before - 10
    offers = OrderCycleRepository().shop_partition(cast.cycle).offers
    assert (offers[apples].price, offers[apples].on_hand) == (Decimal("3.00"), before - 10)
