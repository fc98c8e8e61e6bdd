"""The shop function: the public API the storefront calls (api-v1 "Shop API", docs/shop-api.md).
Thin handlers: read the request, call hubcycle.services.shopfront, .shop_products or .checkout,
answer. A shopper's visit starts with the shop list and the shop page, so a cold start imports
only what those need; the products page and checkout load their modules on first use."""
from contextvars import ContextVar

from chalice import Chalice
from chalice.app import Request

from hubcycle.clock import clock
from hubcycle.errors import TooManyRequests
from hubcycle.services import shopfront
from hubcycle.web import StorefrontCORS, answers_errors, chalice_refusals_in_contract_shape, json_response, parse_body

app = Chalice(app_name="hubcycle-shop", configure_logs=False)  # powertools Logger logs
app.register_middleware(chalice_refusals_in_contract_shape, "http")


cors = StorefrontCORS(allow_headers=["Content-Type", "Idempotency-Key"], expose_headers=["Retry-After"], max_age=600)

_request: ContextVar[Request] = ContextVar("request")


@app.middleware("http")
def keep_request(event: Request, get_response):
    """Chalice's test client keeps `app.current_request` in one attribute shared by every thread
    (`chalice local` keeps it per thread; Lambda serves one request at a time): for shoppers
    racing through the test client, each handler reads its own request from here instead."""
    token = _request.set(event)
    try:
        return get_response(event)
    finally:
        _request.reset(token)


@app.route("/health")
def health():
    return {"service": "shop", "ok": True}


@app.route("/openapi.json", cors=cors)
def openapi():
    """This API's OpenAPI document, generated from its routes and models."""
    from hubcycle.openapi import document  # imports every model: built only when asked for

    return json_response(document(app, "hubcycle shop API", __doc__))


@app.route("/shops", cors=cors)
@answers_errors
def list_shops():
    return json_response(shopfront.open_shops(clock.now()))


@app.route("/shops/{shop_id}", cors=cors)
@answers_errors
def get_shop(shop_id):
    return json_response(shopfront.shop(shop_id, clock.now()))


@app.route("/shops/{shop_id}/cycles/{cycle_id}/products", cors=cors)
@answers_errors
def list_products(shop_id, cycle_id):
    from hubcycle.services import shop_products  # cycles, fees and prices: loaded by the first products page

    return json_response(shop_products.products(shop_id, cycle_id, clock.now()))


@app.route("/shops/{shop_id}/cycles/{cycle_id}/orders", methods=["POST"], cors=cors)
@answers_errors
def place_order(shop_id, cycle_id):
    from hubcycle.services import checkout, rate_limits  # pricing, email and metrics: loaded by the first order

    request = _request.get()
    body = parse_body(request, checkout.CheckoutRequest)
    source_address = request.context.get("identity", {}).get("sourceIp")
    try:
        rate_limits.admit_order(source_address, body.customer.email, clock.now())
    except TooManyRequests as refused:
        return json_response(refused.to_body(), status=refused.status, headers={"Retry-After": str(refused.retry_after)})
    order = checkout.place_order(shop_id, cycle_id, body, idempotency_key=request.headers.get("idempotency-key"))
    return json_response(order, status=201)
