"""The shopper's own order, by the secret of their private link (api-v1 1.1 `/my-orders/{secret}`):
view it always; change quantities or cancel it while its cycle is open, through the managers' own
correction (services.orders: repriced with the order's fees, stock moved on the variant and every
copy, the customer emailed), so there is one way an order changes."""
from __future__ import annotations

from datetime import datetime

from pydantic import Field

from hubcycle.clock import clock
from hubcycle.errors import Conflict, NotFound
from hubcycle.order_cycles import OrderCycle
from hubcycle.order_links import honours, order_ids
from hubcycle.orders import Order, OrderState
from hubcycle.repository.order_cycles import OrderCycleRepository
from hubcycle.repository.orders import OrderRepository
from hubcycle.services import checkout, orders
from hubcycle.services.bodies import Body


class MyOrderChanges(Body):
    items: list[orders.ItemChange] = Field(min_length=1, max_length=500)


def _found(secret: str) -> Order:
    """One GetItem: the ids the secret names, then its hash compared with the order's."""
    ids = order_ids(secret)
    order = OrderRepository().find(*ids) if ids else None
    if order is None or not honours(order.manage_hash, secret):
        raise NotFound("no order has this link", code="order_not_found")
    return order


def _open(cycle: OrderCycle, now: datetime) -> bool:
    return cycle.sales_stopped_at is None and cycle.closes_at is not None and cycle.closes_at > now


def _view(order: Order, cycle: OrderCycle) -> dict:
    """Checkout's answer, with what the shopper chose and whether they may still change it."""
    stored = order.model_dump(mode="json", include={"customer", "shipping_method", "payment_method"})
    return {
        **checkout.answer(order),
        **stored,
        "state": order.state.value,
        "closes_at": cycle.closes_at.isoformat() if cycle.closes_at else None,
        "changeable": order.state == OrderState.placed and _open(cycle, clock.now()),
    }


def _changeable(order: Order) -> OrderCycle:
    cycle = OrderCycleRepository().get(order.order_cycle_id)
    if not _open(cycle, clock.now()):
        raise Conflict("the order cycle has closed: this order can no longer be changed online; "
                       "reply to the confirmation email to reach the shop", code="order_cycle_closed")
    return cycle


def read(secret: str) -> dict:
    order = _found(secret)
    return _view(order, OrderCycleRepository().get(order.order_cycle_id))


def change(secret: str, changes: MyOrderChanges) -> dict:
    order = _found(secret)
    cycle = _changeable(order)
    return _view(orders.change_by_customer(order, changes.items), cycle)


def cancel(secret: str) -> dict:
    order = _found(secret)
    cycle = _changeable(order)
    return _view(orders.cancel_by_customer(order), cycle)
