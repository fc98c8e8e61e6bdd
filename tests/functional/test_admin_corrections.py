"""api-v1 1.1 corrections on the catalogue and fees, through HTTP as each role: products read,
edited, hidden and deleted; variants added, renamed and deleted; fees edited and deleted. What
shops show follows at once; a placed order keeps what it was sold with."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

import pytest

from admin_fixtures import ADD, Person, armed, people  # noqa: F401


@dataclass
class Scene:
    """Ann's hub sells Paul's farm products in an open cycle; the farm granted the hub
    add_to_order_cycle and edit_profile, and Mia's enterprise manage_products; Eve is a stranger."""

    ann: Person
    paul: Person
    mia: Person
    eve: Person
    shop: object
    ids: dict

    def __getitem__(self, name: str) -> str:
        return self.ids[name]

    def products(self) -> dict[str, dict]:
        response = self.shop.http.get(f"/shops/{self['hub']}/cycles/{self['cycle']}/products")
        return {p["variant_id"]: p for p in json.loads(response.body)}

    def order(self, variant_id: str, quantity: int = 1):
        body = {"customer": {"email": "sam@example.org", "name": "Sam"}, "items": [{"variant_id": variant_id, "quantity": quantity}],
                "shipping_method_id": self["pickup"], "payment_method_id": self["cash"]}
        response = self.shop.http.post(f"/shops/{self['hub']}/cycles/{self['cycle']}/orders",
                                       headers={"Content-Type": "application/json"}, body=json.dumps(body))
        return response.status_code, json.loads(response.body)


@pytest.fixture
def scene(people, shop_app, clock) -> Scene:
    ann, paul, mia, eve = (people(f"{who}@example.org") for who in ("ann", "paul", "mia", "eve"))
    ids = {"hub": ann.enterprise("Green Hub"), "farm": paul.enterprise("Farm", "profile", is_producer=True),
           "helper": mia.enterprise("Helper", "profile")}
    ids["pickup"] = ann.post(f"/enterprises/{ids['hub']}/shipping-methods", {"name": "Pickup"}).ok(201)["id"]
    ids["cash"] = ann.post(f"/enterprises/{ids['hub']}/payment-methods", {"name": "Cash"}).ok(201)["id"]
    paul.grant(ids["farm"], ids["hub"], ADD, "edit_profile")
    paul.grant(ids["farm"], ids["helper"], "manage_products")
    product = paul.post(f"/enterprises/{ids['farm']}/products", {"name": "Apples", "unit": "kg", "variants": [
        {"name": "1 kg", "unit_value": "1", "price": "2.00", "on_hand": 10},
        {"name": "5 kg", "unit_value": "5", "price": "9.00", "on_hand": 10}]}).ok(201)
    ids["apples"], ids["small"], ids["big"] = product["id"], product["variants"][0]["id"], product["variants"][1]["id"]
    now = clock.now()
    ids["cycle"] = ann.post("/order-cycles", {"coordinator_id": ids["hub"], "name": "Week 48",
                                              "opens_at": (now - timedelta(days=1)).isoformat(),
                                              "closes_at": (now + timedelta(days=6)).isoformat()}).ok(201)["id"]
    ann.put(f"/order-cycles/{ids['cycle']}/incoming/{ids['farm']}", {"variant_ids": [ids["small"], ids["big"]]}).ok()
    ann.put(f"/order-cycles/{ids['cycle']}/outgoing/{ids['hub']}",
            {"variant_ids": [ids["small"], ids["big"]], "ready_for": "Saturday"}).ok()
    return Scene(ann, paul, mia, eve, shop_app, ids)


def test_a_product_is_read_by_whoever_reads_the_catalogue_and_edited_by_its_managers(scene):
    path = f"/products/{scene['apples']}"
    read = scene.ann.get(path).ok()
    assert [v["id"] for v in read["variants"]] == [scene["small"], scene["big"]]
    assert scene.eve.get(path).status == 403 and scene.eve.patch(path, {"name": "Mine"}).status == 403
    # add_to_order_cycle reads the catalogue, edit_profile the profile: neither edits products
    assert scene.ann.patch(path, {"name": "Mine"}).status == 403
    assert scene.ann.delete(path).status == 403 and scene.ann.delete(f"/variants/{scene['small']}").status == 403
    assert scene.ann.post(f"{path}/variants", {"name": "x", "unit_value": "1", "price": "1.00", "on_hand": 1}).status == 403
    assert scene.paul.get("/products/unknown").error(404)["code"] == "product_not_found"
    changes = {"name": "Reinettes", "description": "Crisp", "category": "Fruit", "image_url": "https://img.example.org/a.jpg"}
    changed = scene.mia.patch(path, changes).ok()  # manage_products
    assert {k: changed[k] for k in changes} == changes and changed["variants"][0]["product_name"] == "Reinettes"
    assert scene.paul.get(path).ok() == changed
    assert scene.products()[scene["small"]]["product_name"] == "Reinettes"
    assert scene.paul.patch(path, {"unit": "stone"}).error(422)["field"] == "unit"
    assert scene.paul.patch(path, {"hidden": None}).error(422)["field"] == "hidden"


def test_a_hidden_product_leaves_the_shops_and_cannot_join_a_cycle(scene):
    status, placed = scene.order(scene["small"])
    assert status == 201
    scene.paul.patch(f"/products/{scene['apples']}", {"hidden": True}).ok()
    assert scene.products() == {}
    assert scene.order(scene["small"])[0] == 422
    incoming = f"/order-cycles/{scene['cycle']}/incoming/{scene['farm']}"
    assert scene.ann.put(incoming, {"variant_ids": [scene["small"]]}).ok()  # removing is fine
    assert scene.ann.put(incoming, {"variant_ids": [scene["small"], scene["big"]]}).error(422)["field"] == "variant_ids"
    scene.paul.patch(f"/products/{scene['apples']}", {"hidden": False}).ok()
    assert list(scene.products()) == [scene["small"]]


def test_variants_are_added_renamed_and_deleted_but_a_product_keeps_one(scene):
    path = f"/products/{scene['apples']}/variants"
    added = scene.mia.post(path, {"name": "10 kg", "unit_value": "10", "price": "17.00", "on_demand": True}).ok(201)
    assert (added["product_name"], added["unit"], added["on_demand"]) == ("Apples", "kg", True)
    assert scene.eve.post(path, {"name": "x", "unit_value": "1", "price": "1.00", "on_hand": 1}).status == 403
    assert scene.paul.post("/products/unknown/variants", {"name": "x", "unit_value": "1", "price": "1.00",
                                                          "on_hand": 1}).status == 404
    renamed = scene.paul.patch(f"/variants/{scene['small']}", {"name": "Small bag", "unit_value": "1.5"}).ok()
    assert (renamed["name"], renamed["unit_value"], renamed["price"]) == ("Small bag", "1.5", "2.00")
    offered = scene.products()[scene["small"]]
    assert (offered["variant_name"], offered["unit_value"]) == ("Small bag", "1.5")
    assert scene.eve.delete(f"/variants/{scene['big']}").status == 403
    assert scene.mia.delete(f"/variants/{scene['big']}").status == 204
    assert scene.paul.delete(f"/variants/{added['id']}").status == 204
    assert scene.paul.delete(f"/variants/{scene['small']}").error(409)["code"] == "last_variant"
    assert scene.paul.delete(f"/variants/{scene['big']}").status == 404
    assert [v["id"] for v in scene.paul.get(f"/products/{scene['apples']}").ok()["variants"]] == [scene["small"]]


def test_deleting_takes_the_products_out_of_cycles_not_closed_and_orders_keep_what_was_sold(scene, clock):
    status, placed = scene.order(scene["big"], 2)
    assert status == 201
    assert scene.paul.delete(f"/variants/{scene['big']}").status == 204
    cycle = scene.ann.get(f"/order-cycles/{scene['cycle']}").ok()
    assert [e["variant_ids"] for e in cycle["incoming"] + cycle["outgoing"]] == [[scene["small"]], [scene["small"]]]
    assert list(scene.products()) == [scene["small"]]
    assert scene.eve.delete(f"/products/{scene['apples']}").status == 403
    clock.advance(timedelta(days=7))  # the cycle has closed: it keeps what it sold
    assert scene.paul.delete(f"/products/{scene['apples']}").status == 204
    assert scene.ann.get(f"/order-cycles/{scene['cycle']}").ok()["incoming"][0]["variant_ids"] == [scene["small"]]
    assert scene.paul.get(f"/products/{scene['apples']}").status == 404
    assert scene.paul.get(f"/enterprises/{scene['farm']}/products").ok() == []
    (order,) = scene.ann.get(f"/order-cycles/{scene['cycle']}/reports/orders").ok()
    assert [(i["product_name"], i["variant_name"], i["price"], i["total"]) for i in order["items"]] == [
        ("Apples", "5 kg", "9.00", "18.00")]
    assert order["total"] == placed["total"]


def test_fees_change_and_go_only_while_no_upcoming_or_open_cycle_applies_them(scene, clock):
    hub = scene["hub"]
    fee = scene.ann.fee(hub, "Admin")
    undated = scene.ann.post("/order-cycles", {"coordinator_id": hub, "name": "Later", "coordinator_fee_ids": [fee]}).ok(201)["id"]
    path = f"/enterprises/{hub}/fees/{fee}"
    changed = scene.ann.patch(path, {"name": "Running costs", "calculator": {"type": "flat_rate_per_item", "amount": "0.80"}}).ok()
    assert (changed["name"], changed["fee_type"], changed["calculator"]["amount"]) == ("Running costs", "admin", "0.80")
    assert scene.ann.patch(path, {"calculator": {"type": "flat_rate", "amout": "1.00"}}).error(422)["field"].startswith("calculator")
    assert scene.eve.patch(path, {"name": "Mine"}).status == 403
    assert scene.paul.patch(f"/enterprises/{scene['farm']}/fees/{fee}", {"name": "x"}).status == 404
    scene.ann.patch(f"/order-cycles/{scene['cycle']}", {"coordinator_fee_ids": [fee]}).ok()
    assert scene.products()[scene["small"]]["price"] == "2.80"
    assert scene.ann.patch(path, {"name": "Other"}).error(409)["code"] == "fee_in_use"
    assert scene.ann.delete(path).error(409)["code"] == "fee_in_use"
    clock.advance(timedelta(days=7))  # the open cycle has closed: only the undated one applies the fee
    assert scene.ann.delete(path).status == 204
    assert scene.ann.get(f"/order-cycles/{undated}").ok()["coordinator_fee_ids"] == []
    assert scene.ann.get(f"/enterprises/{hub}/fees").ok() == []
    assert scene.ann.delete(path).status == 404


def test_a_cycle_offers_the_shops_methods_it_chooses(scene):
    hub, path = scene["hub"], f"/order-cycles/{scene['cycle']}/outgoing/{scene['hub']}"
    card = scene.ann.post(f"/enterprises/{hub}/payment-methods", {"name": "Card", "fee": "0.30"}).ok(201)["id"]
    delivery = scene.ann.post(f"/enterprises/{hub}/shipping-methods", {"name": "Delivery", "pickup": False}).ok(201)["id"]
    assert scene.ann.put(path, {"payment_method_ids": ["elsewhere"]}).error(422)["field"] == "payment_method_ids"
    assert scene.ann.put(path, {"payment_method_ids": []}).error(422)["field"] == "payment_method_ids"
    outgoing = scene.ann.put(path, {"payment_method_ids": [card]}).ok()["outgoing"][0]
    assert (outgoing["shipping_method_ids"], outgoing["payment_method_ids"]) == (None, [card])
    (cycle,) = json.loads(scene.shop.http.get(f"/shops/{hub}").body)["cycles"]
    assert (sorted(cycle["shipping_method_ids"]), cycle["payment_method_ids"]) == (sorted([scene["pickup"], delivery]), [card])
    status, refused = scene.order(scene["small"])  # pays cash, which this cycle no longer offers
    assert (status, refused["error"]["field"]) == (422, "payment_method_id")
    assert scene.ann.delete(f"/enterprises/{hub}/payment-methods/{card}").error(409)["code"] == "method_in_use"
    assert scene.ann.delete(f"/enterprises/{hub}/shipping-methods/{delivery}").status == 204
    assert scene.ann.delete(f"/enterprises/{hub}/shipping-methods/{scene['pickup']}").error(409)["code"] == "method_in_use"
    scene.ann.put(path, {"payment_method_ids": None}).ok()
    assert scene.order(scene["small"])[0] == 201
    assert scene.ann.delete(f"/enterprises/{hub}/payment-methods/{card}").status == 204
