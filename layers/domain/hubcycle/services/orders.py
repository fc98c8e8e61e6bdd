"""Orders for the hub's managers (api-v1 1.1 "Orders (admin)"): an order's page, the list of a
cycle's orders, corrections (quantities, removed lines, cancelling), paid / collected, one order
or many, and orders taken for a customer by phone.

Who may (seed 004): the managers of the cycle's coordinator and of the order's distributor do
everything; a supplier's managers may only lower the quantities of their own products' lines (it
ran short), see only those lines, and the customer's name only where the coordinator allowed it.

A correction reprices the order with checkout's own pricing (`hubcycle.fees.reprice`, from the
fees and methods the order was sold with) and moves the stock of the changed lines on the
variant and every copy of it, in the transaction that writes the order over the version it read
(`OrderRepository.change`). The customer's email about it is an outbox item of that same
transaction, delivered right after like the producer emails (and by the sweep if SES failed): it
exists exactly when the change does, so it goes once, never for a change that did not happen."""
from __future__ import annotations

from typing import Annotated
from uuid import uuid4

from pydantic import ConfigDict, Field, StrictBool

from hubcycle.clock import clock
from hubcycle.errors import Conflict, Forbidden, Invalid, NotFound
from hubcycle.fees import reprice
from hubcycle.order_cycles import Id, OrderCycle
from hubcycle.orders import HistoryEntry, LineChange, Order, OrderState, describe, line_changes
from hubcycle.repository.catalogue import CatalogueRepository
from hubcycle.repository.notifications import OutboxItem, order_change_item
from hubcycle.repository.order_cycles import OrderCycleRepository
from hubcycle.repository.orders import CONFLICT_RETRIES, OrderRepository, StockMove
from hubcycle.services import checkout, notifications
from hubcycle.services.auth import Caller
from hubcycle.services.bodies import Body

MAX_BULK = 100
"""Orders marked at once: one transaction."""

_SUPPLIER_LINE_FIELDS = {"variant_id", "supplier_id", "product_name", "variant_name", "quantity"}


class ItemChange(Body):
    variant_id: Id
    quantity: Annotated[int, Field(strict=True, ge=0, le=checkout.MAX_QUANTITY)]


class OrderChanges(Body):
    items: list[ItemChange] | None = Field(default=None, max_length=500)
    paid: StrictBool | None = None
    collected: StrictBool | None = None


class BulkChanges(Body):
    order_ids: list[Id] = Field(min_length=1, max_length=MAX_BULK)
    paid: StrictBool | None = None
    collected: StrictBool | None = None


class PhoneOrder(checkout.CheckoutRequest):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    distributor_id: Id


class OrderQuery(Body):
    distributor_id: Id | None = None
    paid: bool | None = None
    state: OrderState | None = None


class _Seen:
    """One order as the caller may act on it: whole (coordinator, the order's distributor) or as
    the supplier of some of its lines."""

    def __init__(self, caller: Caller, order: Order, cycle: OrderCycle):
        managed = caller.managed_ids
        self.order, self.cycle, self.caller = order, cycle, caller
        self.whole = cycle.coordinator_id in managed or order.distributor_id in managed
        self.supplier_ids = managed & set(cycle.supplier_ids) & order.supplier_ids

    def require_whole(self, action: str, field: str | None = None) -> None:
        if not self.whole:
            raise Forbidden(f"Only the coordinator's and the order's distributor's managers can {action}.", field=field)

    def view(self) -> dict:
        if self.whole:
            return order_view(self.order)
        order = self.order
        body = order.model_dump(mode="json", include={"id", "number", "order_cycle_id", "distributor_id", "state",
                                                     "created_at", "ready_for"})
        body["items"] = [line.model_dump(mode="json", include=_SUPPLIER_LINE_FIELDS)
                         for line in order.items if line.supplier_id in self.supplier_ids]
        if _names_to_suppliers(self.caller, self.cycle):
            body["customer"] = {"name": order.customer.name}
        return body


def order_view(order: Order) -> dict:
    """The order whole: checkout's answer plus what the hub manages."""
    stored = order.model_dump(mode="json", include={"customer", "shipping_method", "payment_method",
                                                    "delivery_address", "history"})
    return {
        **checkout.answer(order),
        "distributor_id": order.distributor_id,
        **stored,
        "state": order.state.value,
        "paid": order.paid,
        "collected": order.collected,
        "version": order.version,
    }


def _summary(order: Order, whole: bool, names: bool) -> dict:
    body = {"id": order.id, "number": order.number, "distributor_id": order.distributor_id,
            "state": order.state.value, "collected": order.collected}
    if whole:
        body |= {"customer": order.customer.model_dump(mode="json"), "total": f"{order.total:.2f}", "paid": order.paid}
    elif names:
        body["customer"] = {"name": order.customer.name}
    return body


def _names_to_suppliers(caller: Caller, cycle: OrderCycle) -> bool:
    return caller.enterprises.get(cycle.coordinator_id).customer_names_to_suppliers


def _seen(caller: Caller, order_id: str) -> _Seen:
    order = OrderRepository().find_by_id(order_id)
    if order is None:
        raise NotFound(f"no order {order_id}", code="order_not_found")
    seen = _Seen(caller, order, OrderCycleRepository().get(order.order_cycle_id))
    if not seen.whole and not seen.supplier_ids:
        raise Forbidden(f"None of your enterprises sells or supplies order {order_id}.")
    return seen


def read(caller: Caller, order_id: str) -> dict:
    return _seen(caller, order_id).view()


def listing(caller: Caller, cycle_id: str, query: OrderQuery) -> list[dict]:
    """The cycle's orders the caller may see, oldest first, as summaries."""
    cycle = OrderCycleRepository().get(cycle_id)
    managed = caller.managed_ids
    coordinator = cycle.coordinator_id in managed
    suppliers = managed & set(cycle.supplier_ids)
    if not (coordinator or managed & set(cycle.distributor_ids) or suppliers):
        raise Forbidden("None of your enterprises takes part in this order cycle.")
    names: bool | None = None
    rows = []
    for order in OrderRepository().orders_of_cycle(cycle_id):
        if query.distributor_id is not None and order.distributor_id != query.distributor_id:
            continue
        if query.state is not None and order.state != query.state:
            continue
        whole = coordinator or order.distributor_id in managed
        if not whole and not suppliers & order.supplier_ids:
            continue
        if query.paid is not None and (not whole or order.paid != query.paid):
            continue
        if not whole and names is None:
            names = _names_to_suppliers(caller, cycle)
        rows.append(_summary(order, whole, bool(names)))
    return rows


def change(caller: Caller, order_id: str, changes: OrderChanges) -> dict:
    """PATCH /orders/{id}: new quantities (0 removes a line, lines not named are kept), paid,
    collected. Repriced, stock moved and the customer told, at once."""
    seen = _seen(caller, order_id)
    order = seen.order
    flags = {flag: value for flag in ("paid", "collected") if (value := getattr(changes, flag)) is not None}
    if flags:
        seen.require_whole(f"mark an order {' and '.join(flags)}", field=next(iter(flags)))
    quantities = _quantities(seen, changes.items or [])
    if quantities and order.state == OrderState.cancelled:
        raise Conflict(f"order {order.number} is cancelled", code="order_cancelled")
    if not flags and not line_changes(order, quantities):
        return seen.view()  # nothing to write, nothing to tell
    return _Seen(caller, _apply(order, quantities, flags, caller.email), seen.cycle).view()


def cancel(caller: Caller, order_id: str) -> dict:
    seen = _seen(caller, order_id)
    seen.require_whole("cancel an order")
    if seen.order.state == OrderState.cancelled:
        raise Conflict(f"order {seen.order.number} is cancelled already", code="order_cancelled")
    return order_view(_apply(seen.order, {line.variant_id: 0 for line in seen.order.items}, {}, caller.email,
                             cancelling=True))


class _CustomersOwn:
    """The order as its customer acts on it through their private link: whole, as a distributor's
    manager would, so the rules of `_quantities` are the same."""

    whole = True
    supplier_ids: frozenset[str] = frozenset()

    def __init__(self, order: Order):
        self.order = order


def change_by_customer(order: Order, items: list[ItemChange]) -> Order:
    """The shopper's own change (services.my_orders): the same correction as a manager's, priced,
    stocked and emailed alike, while the cycle is open."""
    if order.state == OrderState.cancelled:
        raise Conflict(f"order {order.number} is cancelled", code="order_cancelled")
    quantities = _quantities(_CustomersOwn(order), items)
    if not quantities:
        raise Invalid("items: say which lines to change", field="items", code="nothing_to_change")
    return _apply(order, quantities, {}, order.customer.email, by_customer=True)


def cancel_by_customer(order: Order) -> Order:
    if order.state == OrderState.cancelled:
        raise Conflict(f"order {order.number} is cancelled already", code="order_cancelled")
    return _apply(order, {line.variant_id: 0 for line in order.items}, {}, order.customer.email, cancelling=True,
                  by_customer=True)


def _quantities(seen: _Seen | _CustomersOwn, items: list[ItemChange]) -> dict[str, int]:
    """The new quantity of each named line; a supplier may only lower its own lines."""
    order = seen.order
    quantities: dict[str, int] = {}
    for n, item in enumerate(items):
        field = f"items.{n}.variant_id"
        line = order.line(item.variant_id)
        if line is None:
            raise Invalid(f"{field}: order {order.number} has no line of variant {item.variant_id}",
                          field=field, code="variant_not_in_order")
        if item.variant_id in quantities:
            raise Invalid(f"{field}: variant {item.variant_id} is named twice", field=field, code="duplicate_variant")
        if not seen.whole and (line.supplier_id not in seen.supplier_ids or item.quantity > line.quantity):
            raise Forbidden("A supplier may only lower the quantities of its own products' lines.", field=field)
        quantities[item.variant_id] = item.quantity
    if quantities and not any(quantities.get(line.variant_id, line.quantity) for line in order.items):
        raise Invalid("items: this would leave the order empty; cancel it instead", field="items",
                      code="order_would_be_empty")
    return quantities


def _apply(order: Order, quantities: dict[str, int], flags: dict[str, bool], by: str, cancelling: bool = False,
           by_customer: bool = False) -> Order:
    """Write the change over the version read; when a copy or variant read meanwhile went away,
    read again (the order itself still at that version) and retry. The customer's own change is
    written only while the cycle is still open (the closing's fence, in the same transaction)."""
    repository = OrderRepository()
    read_version = order.version
    for _ in range(CONFLICT_RETRIES + 1):
        if order.version != read_version:
            break
        changes = line_changes(order, quantities)
        now = clock.now()
        changed = _changed(order, quantities, changes, flags, cancelling,
                           HistoryEntry(at=now, by=by, change=describe(changes, flags, cancelling)))
        claim = uuid4().hex
        detail = _email_detail(changed, changes, cancelling) | {"by_customer": by_customer}
        told = [order_change_item(order.order_cycle_id, order.id, changed.version, detail, claim, now)] if changes else []
        if repository.change(order, changed, _moves(order, changes), told, open_at=now if by_customer else None):
            if told:
                notifications.deliver([OutboxItem.from_item(item) for item in told], claim)
            return changed
        order = repository.get(order.order_cycle_id, order.id)
    raise Conflict("someone changed this order meanwhile; read it again", code="order_changed")


def _changed(order: Order, quantities: dict[str, int], changes: list[LineChange], flags: dict[str, bool],
             cancelling: bool, entry: HistoryEntry) -> Order:
    """The order after the change: repriced by the rules it was sold with, unless cancelled (a
    cancelled order keeps its lines and totals, for the record)."""
    update: dict = {**flags, "version": order.version + 1, "history": [*order.history, entry]}
    if cancelling:
        update["state"] = OrderState.cancelled
    elif changes:
        kept = [(line.as_sold(), quantities.get(line.variant_id, line.quantity)) for line in order.items]
        priced = reprice(order.fees_applied, [(variant, q) for variant, q in kept if q],
                         order.shipping_method, order.payment_method)
        update |= {"items": priced.items, "adjustments": priced.adjustments, "item_total": priced.item_total,
                   "fee_total": priced.fee_total, "total": priced.total}
    return Order.model_validate({**order.model_dump(), **update})


def _moves(order: Order, changes: list[LineChange]) -> list[StockMove]:
    """Per changed line, the stock to take or give back, on the variant as it is now (a deleted
    variant has nothing to give back to) and every cycle's copy of it."""
    if not changes:
        return []
    variants = CatalogueRepository().get_variants_with_offers(c.variant_id for c in changes)
    moves = []
    for c in changes:
        if c.variant_id not in variants:
            continue
        variant, offered_in = variants[c.variant_id]
        taken = c.after - c.before
        sold_counted = not order.line(c.variant_id).on_demand
        counted = not variant.on_demand and (taken > 0 or sold_counted)
        moves.append(StockMove(c.variant_id, taken, counted, frozenset(offered_in)))
    return moves


def _email_detail(order: Order, changes: list[LineChange], cancelling: bool) -> dict:
    """What the customer's email says, frozen with the change it tells about."""
    return {"order_id": order.id, "number": order.number, "distributor_id": order.distributor_id,
            "customer": order.customer.model_dump(mode="json"), "cancelled": cancelling, "language": order.language,
            "lines": [c.model_dump(mode="json") for c in changes], "total": f"{order.total:.2f}"}


def mark_many(caller: Caller, cycle_id: str, changes: BulkChanges) -> dict:
    """Mark many orders of a cycle paid / unpaid / collected at once, all or none."""
    flags = {flag: value for flag in ("paid", "collected") if (value := getattr(changes, flag)) is not None}
    if not flags:
        raise Invalid("paid: say what to mark (paid and/or collected)", field="paid", code="nothing_to_change")
    if len(set(changes.order_ids)) != len(changes.order_ids):
        raise Invalid("order_ids: an order is named twice", field="order_ids", code="duplicate_order")
    cycle = OrderCycleRepository().get(cycle_id)
    found = OrderRepository().get_many(cycle_id, changes.order_ids)
    managed = caller.managed_ids
    orders = []
    for n, order_id in enumerate(changes.order_ids):
        order = found.get(order_id)
        if order is None:
            raise NotFound(f"order_ids.{n}: no order {order_id} in this order cycle", field=f"order_ids.{n}",
                           code="order_not_found")
        if cycle.coordinator_id not in managed and order.distributor_id not in managed:
            raise Forbidden(f"You manage neither the coordinator nor the distributor of order {order.number}.",
                            field=f"order_ids.{n}")
        orders.append(order)
    entry = HistoryEntry(at=clock.now(), by=caller.email, change=describe([], flags))
    marked = [Order.model_validate({**o.model_dump(), **flags, "version": o.version + 1, "history": [*o.history, entry]})
              for o in orders]
    OrderRepository().save_many(orders, marked)
    return {"orders": [_summary(o, True, True) for o in marked]}


def take(caller: Caller, cycle_id: str, request: PhoneOrder, idempotency_key: str | None = None) -> dict:
    """An order taken for a customer (by phone) in the distributor's shop, priced like the shop's,
    while the cycle is open and after it closed: the coordinator's and that distributor's managers.
    The console sends an `Idempotency-Key`, so a resent form (a lost answer) takes it once."""
    cycle = OrderCycleRepository().get(cycle_id)
    managed = caller.managed_ids
    if cycle.coordinator_id not in managed and request.distributor_id not in managed:
        raise Forbidden("Only the coordinator's and that distributor's managers take orders for it.",
                        field="distributor_id")
    return order_view(checkout.take_order(request.distributor_id, cycle_id, request, caller.email, idempotency_key))
