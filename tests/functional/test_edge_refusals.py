"""Issue 15, points 3 and 4: what the apps refuse before any rule runs. Every route that takes a
body refuses one nested too deeply (400) or too large (413) before parsing it, and Chalice's own
refusals (415 for a body that is not JSON, 405 for a method a path does not take) come in the
contract's error shape. The routes with a body are found as /openapi.json finds them, so a new
route is covered as soon as it exists."""
import json

import pytest

from hubcycle.local.apps import load_function
from hubcycle.openapi import read_view
from hubcycle.web import MAX_BODY_BYTES, MAX_BODY_DEPTH

from admin_fixtures import Person

NOT_JSON = [("text/plain", b"hello"), ("application/x-www-form-urlencoded", b"name=Leeks&unit=kg"),
            ("application/xml", b"<enterprise><name>Hub</name></enterprise>")]


def body_routes(app_name: str) -> list[tuple[str, str]]:
    """(method, path with every parameter filled) of each route of the app that reads a body."""
    routes = load_function(app_name).app.routes
    return [(method, path.replace("{", "").replace("}", ""))
            for path, methods in routes.items() for method, entry in methods.items()
            if read_view(entry.view_function).body is not None]


@pytest.fixture
def callers(shop_app, admin_app):
    """A request to either app: the admin's signed in, as the body is read after the token."""
    token = Person(admin_app, "ann@example.org").token

    def call(app_name: str, method: str, path: str, body: bytes, content_type: str = "application/json"):
        client, headers = (shop_app, {}) if app_name == "shop" else (admin_app, {"Authorization": f"Bearer {token}"})
        response = client.http.request(method, path, headers={**headers, "Content-Type": content_type}, body=body)
        return response.status_code, json.loads(response.body), response.headers

    return call


def test_there_are_sixteen_routes_with_a_body_checkout_included():
    routes = [("shop", *route) for route in body_routes("shop")] + [("admin", *route) for route in body_routes("admin")]
    assert ("shop", "POST", "/shops/shop_id/cycles/cycle_id/orders") in routes
    assert len(routes) >= 16


@pytest.mark.parametrize("depth", [MAX_BODY_DEPTH + 1, 1_000, 100_000])
def test_a_body_nested_too_deeply_is_400_on_every_route_with_a_body(callers, depth):
    arrays = b"[" * depth + b"]" * depth
    objects = b'{"a":' * depth + b"1" + b"}" * depth
    for app_name in ("shop", "admin"):
        for method, path in body_routes(app_name):
            for body in (arrays, objects, b'{"name": ' + arrays + b"}"):
                status, answer, _ = callers(app_name, method, path, body[:MAX_BODY_BYTES])
                assert (status, answer["error"]["code"]) == (400, "body_too_deep"), (method, path, answer)


def test_a_body_over_the_size_bound_is_413_on_every_route_with_a_body(callers):
    huge = json.dumps({"name": "x" * MAX_BODY_BYTES}).encode()
    for app_name in ("shop", "admin"):
        for method, path in body_routes(app_name):
            status, answer, _ = callers(app_name, method, path, huge)
            assert (status, answer["error"]["code"]) == (413, "body_too_large"), (method, path, answer)


def test_brackets_inside_strings_and_a_normal_depth_are_not_refused(callers, admin_app):
    name = "[[[[{{{{" * 50 + '\\"[[[['
    status, answer, _ = callers("admin", "POST", "/enterprises", json.dumps({
        "name": name[:100], "kind": "hub", "is_producer": False, "email": "ann@example.org"}).encode())
    assert status == 201, answer
    status, answer, _ = callers("shop", "POST", "/shops/nope/cycles/nope/orders", json.dumps({
        "customer": {"name": "Zoé", "email": "zoe@example.org"}, "items": [{"variant_id": "v", "quantity": 1}],
        "shipping_method_id": "s", "payment_method_id": "p"}).encode())
    assert answer["error"]["code"] != "body_too_deep"


def test_a_body_that_is_not_json_is_415_in_the_contract_shape_on_every_route_with_a_body(callers):
    for app_name in ("shop", "admin"):
        for method, path in body_routes(app_name):
            for content_type, body in NOT_JSON:
                status, answer, _ = callers(app_name, method, path, body, content_type)
                assert status == 415, (method, path, content_type, answer)
                assert answer == {"error": {"code": "unsupported_media_type", "field": None,
                                            "message": answer["error"]["message"]}}
                assert content_type in answer["error"]["message"]


def test_a_method_a_path_does_not_take_is_405_in_the_contract_shape(callers):
    for app_name, method, path in [("shop", "DELETE", "/shops"), ("shop", "PUT", "/shops/x/cycles/y/orders"),
                                   ("admin", "POST", "/variants/x"), ("admin", "PATCH", "/enterprises")]:
        status, answer, headers = callers(app_name, method, path, b"{}")
        assert status == 405, (method, path, answer)
        assert answer["error"]["code"] == "method_not_allowed" and answer["error"]["field"] is None
        assert method in answer["error"]["message"] and headers["Allow"] in answer["error"]["message"]
