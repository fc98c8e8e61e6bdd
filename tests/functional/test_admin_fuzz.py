"""Every admin route with a body, fed malformed bodies: wrong types, missing and null fields,
huge strings, unknown fields, unknown ids, non-JSON. Each answer is a 4xx in the contract's error
shape, and the table is exactly as it was: nothing is half-written."""
import json

import pytest

from admin_fixtures import armed, cast, people, table_snapshot  # noqa: F401

HUGE = "x" * 100_000
NULLABLE = {"opens_at", "closes_at", "on_hand"}
"""Fields where null means something (no date yet; no count, for on-demand stock)."""


def valid_requests(c) -> list[tuple[object, str, str, dict]]:
    """(who, method, path, a body that would succeed) for every route that takes a body."""
    hub, farm = c["hub"], c["farm"]
    return [
        (c.hub, "POST", "/enterprises", {"name": "New Hub", "kind": "hub", "is_producer": False,
                                         "email": "new@example.org", "timezone": "Europe/Paris"}),
        (c.hub, "PATCH", f"/enterprises/{hub}", {"name": "Renamed", "customer_names_to_suppliers": True}),
        (c.hub, "POST", f"/enterprises/{hub}/managers", {"email": "helper@example.org"}),
        (c.farm, "PUT", f"/enterprises/{farm}/permissions/{c['market']}", {"abilities": ["manage_products"]}),
        (c.farm, "POST", f"/enterprises/{farm}/products", {
            "name": "Leeks", "unit": "kg",
            "variants": [{"name": "Bunch", "unit_value": "0.5", "price": "1.20", "on_hand": 5, "on_demand": False}]}),
        (c.farm, "PATCH", f"/variants/{c['apples']}", {"price": "2.60", "on_hand": 8, "on_demand": False}),
        (c.hub, "POST", f"/enterprises/{hub}/fees", {
            "name": "Packing", "fee_type": "packing",
            "calculator": {"type": "flexi_rate", "first_item": "1.00", "additional_item": "0.50", "max_items": 3}}),
        (c.hub, "POST", f"/enterprises/{hub}/shipping-methods", {"name": "Delivery", "pickup": False, "fee": "4.00"}),
        (c.hub, "POST", f"/enterprises/{hub}/payment-methods", {"name": "Card", "fee": "0.30"}),
        (c.hub, "POST", f"/enterprises/{hub}/customers", {"email": "new@example.org", "name": "New", "tags": ["pro"]}),
        (c.hub, "PUT", f"/enterprises/{hub}/customers/chloe@example.org/tags", {"tags": ["vip"]}),
        (c.hub, "POST", "/order-cycles", {
            "coordinator_id": hub, "name": "Week 49", "opens_at": "2026-11-30T08:00:00+01:00",
            "closes_at": "2026-12-06T18:00:00+01:00", "coordinator_fee_ids": [c["hub-admin"]],
            "automatic_notifications": True}),
        (c.hub, "PATCH", c.path, {"name": "Week 48b", "opens_at": "2026-11-21T08:00:00+00:00",
                                  "closes_at": "2026-11-30T18:00:00+00:00", "coordinator_fee_ids": [],
                                  "automatic_notifications": False}),
        (c.hub, "PUT", f"{c.path}/incoming/{farm}", {"variant_ids": [c["apples"]], "receival_instructions": "Gate B",
                                                    "fee_ids": [c["hub-levy"]]}),
        (c.hub, "PUT", f"{c.path}/outgoing/{c['market']}", {
            "variant_ids": [c["bread"]], "ready_for": "Sunday", "pickup_instructions": "Stall 2", "tags": ["pro"],
            "fee_ids": [c["market-margin"]]}),
        *corrections(c),
    ]


def corrections(c) -> list[tuple[object, str, str, dict]]:
    """The routes of api-v1 1.1's corrections that take a body."""
    hub, farm = c["hub"], c["farm"]
    (ship,), (pay,) = ([m["id"] for m in c.hub.get(f"/enterprises/{hub}/{kind}-methods").ok()] for kind in ("shipping", "payment"))
    product = c.farm.get(f"/enterprises/{farm}/products").ok()[0]["id"]
    return [
        (c.hub, "PATCH", f"/enterprises/{hub}", {"description": "Ours", "address": "1 Main St", "phone": "0400",
                                                 "logo_url": "https://img.example.org/logo.png"}),
        (c.hub, "PATCH", f"/enterprises/{hub}/shipping-methods/{ship}", {"name": "Van", "pickup": False, "fee": "3.00",
                                                                         "description": "Tuesdays"}),
        (c.hub, "PATCH", f"/enterprises/{hub}/payment-methods/{pay}", {"name": "Transfer", "fee": "0.00", "description": "IBAN"}),
        (c.farm, "PATCH", f"/enterprises/{farm}/fees/{c['farm-extra']}", {
            "name": "Extra", "fee_type": "transport", "calculator": {"type": "flat_rate", "amount": "1.00"}}),
        (c.farm, "PATCH", f"/products/{product}", {"name": "Fruit", "description": "Crisp", "category": "Fruit",
                                                   "image_url": "https://img.example.org/a.png", "hidden": False}),
        (c.farm, "POST", f"/products/{product}/variants", {"name": "Crate", "unit_value": "10", "price": "20.00",
                                                           "on_hand": 3, "on_demand": False}),
        (c.farm, "PATCH", f"/variants/{c['plums']}", {"name": "Plums 1 kg", "unit_value": "1"}),
        (c.farm, "POST", f"/enterprises/{farm}/uploads", {"content_type": "image/jpeg", "size": 1000}),
    ]


def mutations(body: dict, prefix: str = ""):
    """(what, mutated body) pairs, each invalid whatever the route: every field of the wrong
    type, huge, or null (where null means nothing), nested ones too, plus an unknown field."""
    yield f"{prefix}unknown field", {**body, "colour": "red"}
    for name, value in body.items():
        wrong = "a string" if isinstance(value, dict) else {"nested": True}
        yield f"{prefix}{name}: wrong type", {**body, name: wrong}
        yield f"{prefix}{name}: huge", {**body, name: HUGE if not isinstance(value, list) else [HUGE]}
        if name not in NULLABLE:
            yield f"{prefix}{name}: null", {**body, name: None}
        if isinstance(value, dict):
            for what, nested in mutations(value, f"{prefix}{name}."):
                yield what, {**body, name: nested}
        if isinstance(value, list) and value and isinstance(value[0], dict):
            for what, nested in mutations(value[0], f"{prefix}{name}[0]."):
                yield what, {**body, name: [nested]}


def unknown_ids(c):
    """Bodies naming things that do not exist, or exist elsewhere."""
    return [
        (c.hub, "POST", "/order-cycles", {"coordinator_id": "nope", "name": "W"}),
        (c.hub, "POST", "/order-cycles", {"coordinator_id": c["hub"], "name": "W", "coordinator_fee_ids": ["nope"]}),
        (c.hub, "POST", "/order-cycles", {"coordinator_id": c["hub"], "name": "W", "coordinator_fee_ids": [c["farm-extra"]]}),
        (c.hub, "PUT", f"{c.path}/incoming/{c['farm']}", {"variant_ids": ["nope"]}),
        (c.hub, "PUT", f"{c.path}/incoming/{c['farm']}", {"fee_ids": ["nope"]}),
        (c.hub, "PUT", f"{c.path}/incoming/nope", {"variant_ids": []}),
        (c.hub, "PUT", f"{c.path}/outgoing/{c['market']}", {"variant_ids": ["nope"]}),
        (c.hub, "PUT", f"{c.path}/outgoing/{c['market']}", {"fee_ids": [c["farm-extra"]]}),
        (c.hub, "PUT", f"{c.path}/outgoing/nope", {"ready_for": "Friday"}),
        (c.hub, "PATCH", "/order-cycles/nope", {"name": "W"}),
        (c.hub, "PATCH", c.path, {"coordinator_fee_ids": [c["market-margin"]]}),
        (c.farm, "PATCH", "/variants/nope", {"price": "1.00"}),
        (c.farm, "PUT", f"/enterprises/{c['farm']}/permissions/nope", {"abilities": []}),
        (c.hub, "POST", "/enterprises/nope/products", {"name": "P", "unit": "kg", "variants": []}),
        (c.hub, "PUT", f"/enterprises/{c['hub']}/customers/nobody@example.org/tags", {"tags": []}),
        (c.hub, "GET", "/order-cycles/" + "x" * 5000, None),
        (c.hub, "PATCH", f"/enterprises/{'y' * 3000}", {"name": "Long"}),
        (c.farm, "PATCH", "/products/nope", {"name": "P"}),
        (c.farm, "POST", "/products/nope/variants", {"name": "V", "unit_value": "1", "price": "1.00", "on_hand": 1}),
        (c.hub, "PATCH", f"/enterprises/{c['hub']}/fees/nope", {"name": "F"}),
        (c.hub, "PATCH", f"/enterprises/{c['hub']}/fees/{c['farm-extra']}", {"name": "F"}),
        (c.hub, "PATCH", f"/enterprises/{c['hub']}/shipping-methods/nope", {"name": "S"}),
        (c.hub, "PUT", f"{c.path}/outgoing/{c['hub']}", {"shipping_method_ids": ["nope"]}),
        (c.hub, "DELETE", f"/enterprises/{c['hub']}/managers/nobody@example.org", None),
    ]


@pytest.fixture
def fuzzed(cast):
    cast.hub.post(f"/enterprises/{cast['hub']}/customers", {"email": "chloe@example.org", "name": "Chloé"}).ok(201)
    return cast


def assert_refused(answer, what):
    assert 400 <= answer.status < 500, (what, answer.status, answer.json)
    assert set(answer.json["error"]) == {"code", "message", "field"}, (what, answer.json)


def test_the_valid_bodies_are_valid(fuzzed):
    """The control: each body the fuzzing starts from succeeds, so each refusal below is the
    mutation's doing."""
    for who, method, path, body in valid_requests(fuzzed):
        assert who.call(method, path, body).status in (200, 201), (method, path)


def test_malformed_bodies_are_refused_and_nothing_is_written(fuzzed):
    before = table_snapshot()
    tried = 0
    for who, method, path, body in valid_requests(fuzzed):
        for what, mutated in mutations(body):
            assert_refused(who.call(method, path, mutated), f"{method} {path} {what}")
            tried += 1
        for raw in ("{", "[1, 2]", '"text"', "null", json.dumps({"pad": "x" * 300_000}), b"\xff\xfe"):
            assert_refused(who.call(method, path, raw), f"{method} {path} {raw[:10]!r}")
            tried += 1
        assert table_snapshot() == before, f"{method} {path} wrote something"
    assert tried > 250
    assert table_snapshot() == before


def test_unknown_ids_are_refused_and_nothing_is_written(fuzzed):
    before = table_snapshot()
    for who, method, path, body in unknown_ids(fuzzed):
        assert_refused(who.call(method, path, body), f"{method} {path[:60]} {body}")
    assert table_snapshot() == before


def test_missing_required_fields_are_422_naming_the_field(fuzzed):
    c = fuzzed
    for who, path, body, field in [
        (c.hub, "/enterprises", {"kind": "hub", "email": "a@example.org"}, "name"),
        (c.hub, "/order-cycles", {"coordinator_id": c["hub"]}, "name"),
        (c.farm, f"/enterprises/{c['farm']}/products", {"name": "P", "unit": "kg"}, "variants"),
        (c.hub, f"/enterprises/{c['hub']}/fees", {"name": "F", "fee_type": "admin"}, "calculator"),
        (c.hub, f"/enterprises/{c['hub']}/managers", {}, "email"),
    ]:
        error = who.post(path, body).error(422)
        assert (error["field"], error["code"]) == (field, "invalid_field")
        assert field in error["message"]
