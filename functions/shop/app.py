"""The shop function: the public API the storefront calls (api-v1 "Shop API", docs/shop-api.md).
Thin handlers: read the request, call hubcycle.services.shopfront, .shop_products or .checkout,
answer. A shopper's visit starts with the shop list and the shop page, so a cold start imports
only what those need; the products page and checkout load their modules on first use."""
from contextvars import ContextVar

from chalice import Chalice, Response
from chalice.app import Request

from hubcycle.clock import clock
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
    rate_limits.admit_order(source_address, body.customer.email, clock.now())
    order = checkout.place_order(shop_id, cycle_id, body, idempotency_key=request.headers.get("idempotency-key"))
    return json_response(order, status=201)


_FORMS = ["application/x-www-form-urlencoded", "multipart/form-data", "text/plain", "application/json"]


@app.route("/unsubscribe/{token}", methods=["POST"], content_types=_FORMS)
@answers_errors
def unsubscribe(token):
    """RFC 8058 one-click: a mail provider POSTs `List-Unsubscribe=One-Click`, without cookies."""
    from hubcycle.services import reminders

    return json_response(reminders.unsubscribe(token, _request.get().raw_body))


@app.route("/unsubscribe/{token}", methods=["GET"])
@answers_errors
def unsubscribe_page(token):
    """A person who clicked the link in the email: what it unsubscribes from, and a button that
    POSTs the one-click body. A GET never unsubscribes: mail scanners follow links."""
    from hubcycle.services import reminders

    return Response(body=reminders.unsubscribe_page(token), status_code=200,
                    headers={"Content-Type": "text/html; charset=utf-8"})


@app.route("/my-orders/{secret}", cors=cors)
@answers_errors
def my_order(secret):
    """The shopper's own order, by the secret of their private link (never logged: docs/shop-api.md)."""
    from hubcycle.services import my_orders

    return json_response(my_orders.read(secret))


@app.route("/my-orders/{secret}", methods=["PATCH"], cors=cors)
@answers_errors
def change_my_order(secret):
    from hubcycle.services import my_orders

    return json_response(my_orders.change(secret, parse_body(_request.get(), my_orders.MyOrderChanges)))


@app.route("/my-orders/{secret}/cancel", methods=["POST"], cors=cors)
@answers_errors
def cancel_my_order(secret):
    from hubcycle.services import my_orders

    return json_response(my_orders.cancel(secret))


@app.route("/producers/{producer_id}", cors=cors)
@answers_errors
def producer(producer_id):
    return json_response(shopfront.producer(producer_id))
