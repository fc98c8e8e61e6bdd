"""Each API serves its OpenAPI 3.1 document at /openapi.json, generated from its routes and
models: valid, naming every Chalice route and nothing else, with the body model each view reads
and the contract's error shape for every refusal."""
import json

import pytest
from openapi_spec_validator import validate

from hubcycle.local.apps import load_function
from hubcycle.services import catalogue, checkout, order_cycles

from admin_fixtures import Person


def served_document(client, signed_in: bool) -> dict:
    """The document an API serves (the admin's to a signed-in manager, as every admin route)."""
    headers = {"Authorization": f"Bearer {Person(client, 'ann@example.org').token}"} if signed_in else {}
    response = client.http.get("/openapi.json", headers=headers)
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/json"
    return json.loads(response.body)


@pytest.fixture(params=["shop", "admin"])
def served(request, shop_app, admin_app):
    """(app, the document it serves)."""
    client = shop_app if request.param == "shop" else admin_app
    return load_function(request.param).app, served_document(client, signed_in=request.param == "admin")


def test_the_document_is_valid_openapi_3_1(served):
    _, document = served
    assert document["openapi"].startswith("3.1")
    validate(document)


def test_every_chalice_route_is_in_the_document_and_nothing_else(served):
    app, document = served
    routes = {(path, method.lower()) for path, methods in app.routes.items() for method in methods}
    documented = {(path, method) for path, operations in document["paths"].items() for method in operations}
    assert documented == routes


def test_each_body_is_the_model_the_view_reads(shop_app, admin_app):
    shop, admin = served_document(shop_app, signed_in=False), served_document(admin_app, signed_in=True)

    def body_schema(document, path, method):
        reference = document["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        return document["components"]["schemas"][reference.rsplit("/", 1)[1]]

    order = body_schema(shop, "/shops/{shop_id}/cycles/{cycle_id}/orders", "post")
    assert set(order["required"]) == set(checkout.CheckoutRequest.model_json_schema()["required"])
    assert body_schema(admin, "/enterprises/{enterprise_id}/products", "post")["title"] == catalogue.NewProduct.__name__
    assert body_schema(admin, "/order-cycles", "post")["title"] == order_cycles.NewOrderCycle.__name__
    assert "requestBody" not in admin["paths"]["/order-cycles/{cycle_id}/duplicate"]["post"]
    listing = {p["name"] for p in admin["paths"]["/order-cycles"]["get"]["parameters"] if p["in"] == "query"}
    assert listing == set(order_cycles.ListingQuery.model_fields)
    orders_query = {p["name"] for p in admin["paths"]["/order-cycles/{cycle_id}/orders"]["get"]["parameters"] if p["in"] == "query"}
    assert orders_query == {"distributor_id", "paid", "state"}, "query(Model) is read as the query, as model_validate is"
    checkout_headers = [p["name"] for p in shop["paths"]["/shops/{shop_id}/cycles/{cycle_id}/orders"]["post"]["parameters"]
                        if p["in"] == "header"]
    assert checkout_headers == ["Idempotency-Key"]


def test_every_refusal_is_the_contract_error_shape_and_admin_routes_need_a_token(shop_app, admin_app):
    for client in (shop_app, admin_app):
        document = served_document(client, signed_in=client is admin_app)
        error = document["components"]["schemas"]["Error"]
        assert error["properties"]["error"]["required"] == ["code", "message", "field"]
        for path, operations in document["paths"].items():
            for method, operation in operations.items():
                for status, response in operation["responses"].items():
                    if status >= "400":
                        assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
                signed_in = {"401", "403"} <= set(operation["responses"])
                assert signed_in == ("security" in operation), (path, method)
    assert admin_app.http.get("/openapi.json").status_code == 401
    admin = served_document(admin_app, signed_in=True)
    assert admin["paths"]["/enterprises"]["post"]["security"] == [{"managers": []}]
    assert admin["paths"]["/enterprises"]["post"]["responses"]["201"]

