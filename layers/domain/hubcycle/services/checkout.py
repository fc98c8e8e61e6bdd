"""Checkout (api-v1 `POST /shops/{id}/cycles/{cycle_id}/orders`): read the cycle with its fee
copies, then the shop, its chosen methods and the ordered offers (two reads, sized by the order,
not by the catalogue), price the order with the domain's fees, place it in one transaction that
takes the stock (hubcycle.repository.orders), then email the shopper.

Idempotency lives in that same transaction. With an `Idempotency-Key`, the order's id is derived
from key + shop + cycle, and the order's Put is conditional on no order having that id: whatever
happens to the first answer, a retry cannot place a second order, and finds the first one. It is
answered with that order when it asks for the same thing (customer, lines, methods), refused with
422 idempotency_key_reused otherwise. A retry may meet a world the first attempt changed (the
cycle closed since, its last units sold to this very order): any refusal of a keyed attempt first
looks for the order placed under its key. So a keyed checkout costs no request beyond a keyless
one (two reads and the transaction); only a refused or repeated one reads the order.
aws-lambda-powertools' idempotency utility would add a record written before and after (two
more writes per order, and a record that can disagree with the order): docs/shop-api.md."""
from __future__ import annotations

import base64
import hashlib
import os
import re
import secrets
from collections.abc import Mapping
from typing import Annotated

from aws_lambda_powertools import Logger
from pydantic import ConfigDict, Field, ValidationError

from hubcycle.adapters import metrics
from hubcycle.adapters.mail import send_email
from hubcycle.clock import clock
from hubcycle.enterprises import Entity
from hubcycle.errors import Conflict, DomainError, Invalid
from hubcycle.fees import price_order
from hubcycle.order_links import manage_url, new_secret, secret_hash, secret_of
from hubcycle.notifications.order_confirmation import order_confirmation
from hubcycle.order_cycles import Id, open_exchange
from hubcycle.orders import DeliveryAddress, HistoryEntry, Order, OrderCustomer, ShopperLanguage
from hubcycle.products import Offer
from hubcycle.repository.order_cycles import OrderCycleRepository
from hubcycle.repository.orders import OrderRepository

logger = Logger(service=os.environ.get("POWERTOOLS_SERVICE_NAME", "hubcycle-shop"))

MAX_QUANTITY = 9999
ORDER_ID_LENGTH = 10
"""Crockford base32 characters (50 bits): ids never repeat within a cycle (the order's Put is
conditional), and across cycles only by a chance of about 1 in 2000 after a million orders."""

_CROCKFORD = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", "0123456789ABCDEFGHJKMNPQRSTVWXYZ")

Quantity = Annotated[int, Field(strict=True, ge=1, le=MAX_QUANTITY)]
_IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7e]{1,255}")
KEY_REUSED = "idempotency_key_reused"


class CheckoutItem(Entity):
    model_config = ConfigDict(extra="forbid")

    variant_id: Id
    quantity: Quantity


class CheckoutCustomer(OrderCustomer):
    model_config = ConfigDict(extra="forbid")


class CheckoutRequest(Entity):
    """The body of an order: the contract's fields, validated before anything is read. A field
    the contract does not name is refused (422 naming it): a misspelt one must not pass silently."""

    model_config = ConfigDict(extra="forbid")

    customer: CheckoutCustomer
    items: list[CheckoutItem] = Field(min_length=1, max_length=500)
    shipping_method_id: Id
    payment_method_id: Id
    delivery_address: DeliveryAddress | None = None
    """Required when the shipping method is not a pickup."""
    language: ShopperLanguage | None = None
    """The storefront's language: the shopper's emails are written in it."""


def place_order(shop_id: str, cycle_id: str, request: CheckoutRequest, idempotency_key: str | None = None) -> dict:
    """Place the order and return the contract's answer (the first answer again on a retry)."""
    return _placed_answer(*_once(shop_id, cycle_id, request, idempotency_key))


def _once(shop_id: str, cycle_id: str, request: CheckoutRequest, idempotency_key: str | None,
          taken_by: str | None = None) -> tuple[Order, str | None]:
    """At most one order per `idempotency_key`: a retry gets the order its first attempt placed."""
    if idempotency_key is None:
        return _checkout(shop_id, cycle_id, request, _new_order_id(), taken_by=taken_by)
    order_id = _derived_order_id(_valid_key(idempotency_key), shop_id, cycle_id)
    try:
        return _checkout(shop_id, cycle_id, request, order_id, taken_by=taken_by)
    except DomainError as refused:
        if refused.code == KEY_REUSED:  # the order under this key was read already
            raise
        earlier = OrderRepository().find(cycle_id, order_id)
        if earlier is None:
            raise
        return _earlier_attempt(earlier, request), None


def _placed_answer(order: Order, secret: str | None) -> dict:
    """The answer to the shopper who placed it, with their private link. Only the hash of the
    link's secret is stored, so an earlier attempt's answer has none: its email carries it."""
    return answer(order) | {"manage_url": manage_url(secret) if secret else None}


def take_order(shop_id: str, cycle_id: str, request: CheckoutRequest, taken_by: str,
               idempotency_key: str | None = None) -> Order:
    """An order a manager takes for a customer (by phone): priced and stocked like the shop's,
    while the cycle is open and after it closed too; with a key, once however often it is sent."""
    return _once(shop_id, cycle_id, request, idempotency_key, taken_by=taken_by)[0]


def _checkout(shop_id: str, cycle_id: str, request: CheckoutRequest, order_id: str,
              taken_by: str | None = None) -> tuple[Order, str | None]:
    """The order placed, and the secret of its private link (None: an earlier attempt's order)."""
    now = clock.now()
    cycle, fees = OrderCycleRepository().pricing(cycle_id)
    exchange = open_exchange(cycle, shop_id, now, closed_too=taken_by is not None)
    quantities = _summed(request)
    sold_here = set(exchange.variant_ids)
    orders = OrderRepository()
    context = orders.checkout_context(shop_id, request.shipping_method_id, request.payment_method_id,
                                      cycle_id, [v for v in quantities if v in sold_here])
    ordered = _ordered_offers(quantities, context.offers, sold_here)
    shop = context.shop
    shipping = context.shipping if exchange.offers_method("shipping", request.shipping_method_id) else None
    payment = context.payment if exchange.offers_method("payment", request.payment_method_id) else None
    if shipping is None:
        raise Invalid(f"shipping_method_id: {shop.name} offers no shipping method {request.shipping_method_id} "
                      "in this order cycle", field="shipping_method_id", code="shipping_method_not_offered")
    if payment is None:
        raise Invalid(f"payment_method_id: {shop.name} offers no payment method {request.payment_method_id} "
                      "in this order cycle", field="payment_method_id", code="payment_method_not_offered")
    if not shipping.pickup and request.delivery_address is None:
        raise Invalid(f"delivery_address: {shipping.name} is a delivery; say where to deliver",
                      field="delivery_address", code="delivery_address_required")
    short = next((v for v, q in quantities.items() if not ordered[v].can_supply(q)), None)
    if short is not None:
        metrics.count("StockConflicts", logger.service)
        raise Conflict(f"not enough stock left of variant {short}", field=short, code="insufficient_stock")

    secret = secret_of(cycle_id, order_id, new_secret())
    priced = _priced(cycle, shop_id, [(ordered[v], q) for v, q in quantities.items()], fees, shipping, payment)
    order = Order(
        id=order_id, number=f"HC-{order_id}", order_cycle_id=cycle_id, distributor_id=shop_id,
        customer=OrderCustomer(**request.customer.model_dump()), items=priced.items, adjustments=priced.adjustments,
        item_total=priced.item_total, fee_total=priced.fee_total, total=priced.total,
        shipping_method_id=shipping.id, payment_method_id=payment.id, created_at=now,
        ready_for=exchange.ready_for, pickup_instructions=exchange.pickup_instructions,
        shipping_method=shipping, payment_method=payment, fees_applied=priced.fees_applied,
        delivery_address=None if shipping.pickup else request.delivery_address,
        history=[HistoryEntry(at=now, by=taken_by, change="order taken for the customer")] if taken_by else [],
        language=request.language, manage_hash=secret_hash(secret),
    )
    try:
        placed = orders.place(order, ordered, now, closed_too=taken_by is not None)
    except Conflict as refused:
        if refused.code == "insufficient_stock":
            metrics.count("StockConflicts", logger.service)
        raise
    if not placed:
        return _earlier_attempt(orders.get(cycle_id, order_id), request), None
    logger.thread_safe_append_keys(order_id=order.id)
    try:
        logger.info("order placed", extra={"shop_id": shop_id, "order_cycle_id": cycle_id, "total": f"{order.total:.2f}",
                                           "lines": len(order.items)})
        metrics.count("OrdersPlaced", logger.service)
        _confirm(order, shop, shipping, payment, manage_url(secret))
    finally:
        logger.thread_safe_remove_keys(["order_id"])
    return order, secret


def answer(order: Order) -> dict:
    """The contract's order answer, plus the names of what was bought and when."""
    stored = order.model_dump(mode="json")
    return {
        "id": order.id,
        "number": order.number,
        "order_cycle_id": order.order_cycle_id,
        "shop_id": order.distributor_id,
        "created_at": order.created_at.isoformat(),
        "items": [
            {key: line[key] for key in ("variant_id", "product_name", "variant_name", "quantity", "price", "total")}
            for line in stored["items"]
        ],
        "item_total": stored["item_total"],
        "adjustments": [{"label": a["label"], "amount": a["amount"]} for a in stored["adjustments"]],
        "fee_total": stored["fee_total"],
        "total": stored["total"],
        "ready_for": order.ready_for,
        "pickup_instructions": order.pickup_instructions,
        "delivery_address": stored["delivery_address"],
    }


def _earlier_attempt(existing: Order, request: CheckoutRequest) -> Order:
    """The order an earlier attempt placed under this key, if it asked for the same thing."""
    asked = (request.customer.model_dump(), request.shipping_method_id, request.payment_method_id, list(_summed(request).items()))
    placed = (existing.customer.model_dump(), existing.shipping_method_id, existing.payment_method_id,
              [(line.variant_id, line.quantity) for line in existing.items])
    if asked != placed:
        raise _key_reused()
    logger.info("order already placed by an earlier attempt", extra={"order_id": existing.id})
    return existing


def _priced(cycle, shop_id: str, lines: list, fees, shipping, payment):
    """The order priced; amounts beyond what money holds (a huge quantity of a dear variant) are
    the lines' fault, said as such, not a field the shopper never sent."""
    try:
        return price_order(cycle, shop_id, lines, fees, shipping, payment)
    except ValidationError:
        raise Invalid("items: this order's amounts are too large; order fewer units",
                      field="items", code="order_too_large") from None


def _summed(request: CheckoutRequest) -> dict[str, int]:
    """Quantities per variant, in the order first named; a sum above the cap is refused too."""
    quantities: dict[str, int] = {}
    for item in request.items:
        quantities[item.variant_id] = quantities.get(item.variant_id, 0) + item.quantity
    over = next((v for v, q in quantities.items() if q > MAX_QUANTITY), None)
    if over is not None:
        raise Invalid(f"items: at most {MAX_QUANTITY} of variant {over} per order", field=over, code="quantity_too_large")
    return quantities


def _ordered_offers(quantities: Mapping[str, int], offers: Mapping[str, Offer], sold: set[str]) -> dict[str, Offer]:
    """The offer of each ordered variant; a variant this shop does not sell in the cycle (or
    whose product is hidden) is a 422
    naming it (as `field`, like insufficient_stock, so the storefront can mark the cart line)."""
    for variant_id in quantities:
        if variant_id not in sold or variant_id not in offers or offers[variant_id].hidden:
            raise Invalid(f"items: variant {variant_id} is not sold in this shop's order cycle",
                          field=variant_id, code="variant_not_sold_here")
    return {v: offers[v] for v in quantities}


def _confirm(order: Order, shop, shipping, payment, link: str) -> None:
    """Email the shopper. The order is stored already: a failure to send is logged and counted,
    never turned into an error for the shopper."""
    try:
        send_email(order_confirmation(order, shop, shipping, payment, link))
    except Exception:  # any SES or network failure: the order stands
        logger.exception("order confirmation email failed")
        metrics.count("ConfirmationEmailsFailed", logger.service)
        metrics.email_failed()


def _key_reused() -> Invalid:
    return Invalid("this Idempotency-Key was already used for a different order; use a new key for a new order",
                   field="Idempotency-Key", code=KEY_REUSED)


def _valid_key(raw: str) -> str:
    if not _IDEMPOTENCY_KEY.fullmatch(raw):
        raise Invalid("Idempotency-Key: must be 1 to 255 visible ASCII characters, such as a UUID",
                      field="Idempotency-Key", code="invalid_idempotency_key")
    return raw


def _derived_order_id(key: str, shop_id: str, cycle_id: str) -> str:
    return _encode(hashlib.sha256(f"{shop_id}\n{cycle_id}\n{key}".encode()).digest())


def _new_order_id() -> str:
    return _encode(secrets.token_bytes(8))


def _encode(data: bytes) -> str:
    return base64.b32encode(data).decode()[:ORDER_ID_LENGTH].translate(_CROCKFORD)
