"""Reports per order cycle (seed 004): the coordinator sees every order; a distributor its own
orders, with customer names; a supplier only its own lines, and the customers' names only if the
coordinator lets suppliers see them (`customer_names_to_suppliers`), never their emails."""
from __future__ import annotations

from decimal import Decimal

from hubcycle.errors import Forbidden
from hubcycle.money import ZERO
from hubcycle.order_cycles import OrderCycle
from hubcycle.orders import LineItem, Order, OrderState
from hubcycle.permissions import OrderCycleAccess, PermissionGraph
from hubcycle.repository.order_cycles import OrderCycleRepository
from hubcycle.repository.orders import OrderRepository
from hubcycle.services.auth import Caller

_LINE_FIELDS = {"variant_id", "supplier_id", "product_name", "variant_name", "quantity", "price", "total"}
_ORDER_TOTALS = {"adjustments", "item_total", "fee_total", "total"}


def _seen_orders(caller: Caller, cycle_id: str) -> tuple[OrderCycle, list[tuple[Order, bool, list[LineItem]]]]:
    """Each order the caller may see, whether it sees it whole, and the lines it sees: three
    requests (the cycle, the caller's enterprises, the cycle's orders) whatever the cycle's size."""
    cycle = OrderCycleRepository().get(cycle_id)
    access = OrderCycleAccess.of(cycle, caller.managed_ids, PermissionGraph([]))
    if not access.can_see:
        raise Forbidden("None of your enterprises takes part in this order cycle.")
    seen = []
    for order in OrderRepository().orders_of_cycle(cycle_id):
        whole = access.coordinator or order.distributor_id in access.distributor_ids
        lines = order.items if whole else [line for line in order.items if line.supplier_id in access.supplier_ids]
        if lines:
            seen.append((order, whole, lines))
    return cycle, seen


def supplier_totals(caller: Caller, cycle_id: str) -> list[dict]:
    """Per supplier and variant: quantity ordered and the sum of the line totals, over the
    orders not cancelled."""
    _, seen = _seen_orders(caller, cycle_id)
    rows: dict[tuple[str, str], dict] = {}
    for order, _, lines in seen:
        if order.state != OrderState.complete:
            continue
        for line in lines:
            row = rows.setdefault(
                (line.supplier_id, line.variant_id),
                {"supplier_id": line.supplier_id, "variant_id": line.variant_id, "product_name": line.product_name,
                 "variant_name": line.variant_name, "quantity": 0, "total": ZERO},
            )
            row["quantity"] += line.quantity
            row["total"] += line.total
    ordered = sorted(rows.values(), key=lambda r: (r["supplier_id"], r["product_name"].lower(), r["variant_name"].lower()))
    return [{**row, "total": _money(row["total"])} for row in ordered]


def orders(caller: Caller, cycle_id: str) -> list[dict]:
    """Orders oldest first, with the lines the caller may see; order totals and adjustments only
    to those who see the whole order."""
    cycle, seen = _seen_orders(caller, cycle_id)
    names_to_suppliers: bool | None = None
    report = []
    for order, whole, lines in seen:
        row = order.model_dump(mode="json", include={"id", "number", "distributor_id", "state", "created_at", "ready_for"})
        row["items"] = [line.model_dump(mode="json", include=_LINE_FIELDS) for line in lines]
        if whole:
            row |= order.model_dump(mode="json", include=_ORDER_TOTALS)
            row["customer"] = order.customer.model_dump(mode="json")
        else:
            if names_to_suppliers is None:
                names_to_suppliers = caller.enterprises.get(cycle.coordinator_id).customer_names_to_suppliers
            if names_to_suppliers:
                row["customer"] = {"name": order.customer.name}
        report.append(row)
    return report


def _money(amount: Decimal) -> str:
    return f"{amount:.2f}"
