"""Reports per order cycle (seed 004): the coordinator sees every order; a distributor its own
orders, with customer names; a supplier only its own lines, and the customers' names only if the
coordinator lets suppliers see them (`customer_names_to_suppliers`), never their emails.

Every report is rows of one shape, in JSON or as CSV with a header line (`?format=csv`). They are
all made from one read of the cycle's orders: a Query of the cycle's partition, page by page
(1 MB each), so a cycle of 500 orders costs a handful of requests. An answer larger than Lambda
can return (6 MB) is written to S3 and handed over as a short-lived presigned link instead."""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Literal
from uuid import uuid4

from hubcycle.adapters.aws import client
from hubcycle.clock import clock
from hubcycle.errors import Forbidden, NotFound
from hubcycle.money import ZERO
from hubcycle.order_cycles import Id, OrderCycle
from hubcycle.orders import LineItem, Order, OrderState
from hubcycle.permissions import OrderCycleAccess, PermissionGraph
from hubcycle.repository.order_cycles import OrderCycleRepository
from hubcycle.repository.orders import OrderRepository
from hubcycle.services.auth import Caller
from hubcycle.services.bodies import Body
from hubcycle.settings import settings

LINK_SECONDS = 900
"""How long a report's download link works."""

_LINE_FIELDS = {"variant_id", "supplier_id", "product_name", "variant_name", "quantity", "price", "total"}
_ORDER_TOTALS = {"adjustments", "item_total", "fee_total", "total"}


class ReportQuery(Body):
    format: Literal["json", "csv"] = "json"
    supplier_id: Id | None = None
    """Only the lines of this supplier (e.g. one producer's packing list)."""
    distributor_id: Id | None = None
    """Only the orders of this shop."""


@dataclass(frozen=True)
class Download:
    """A report's answer as it goes out: the body and its headers."""

    body: str
    headers: dict


@dataclass(frozen=True)
class _Seen:
    """One order as the caller may see it: whole, or only its `lines`; the customer's name if shown."""

    order: Order
    whole: bool
    lines: list[LineItem]
    names: bool

    @property
    def customer_name(self) -> str:
        return self.order.customer.name if self.whole or self.names else ""

    @property
    def customer_email(self) -> str:
        return self.order.customer.email if self.whole else ""

    @property
    def placed(self) -> bool:
        return self.order.state == OrderState.placed


def _seen_orders(caller: Caller, cycle_id: str, query: ReportQuery | None = None) -> tuple[OrderCycle, list[_Seen]]:
    """Each order the caller may see, narrowed by the query: three requests (the cycle, the
    caller's enterprises, the cycle's orders by 1 MB pages) whatever the cycle's size."""
    query = query or ReportQuery()
    cycle = OrderCycleRepository().get(cycle_id)
    access = OrderCycleAccess.of(cycle, caller.managed_ids, PermissionGraph([]))
    if not access.can_see:
        raise Forbidden("None of your enterprises takes part in this order cycle.")
    names: bool | None = None
    seen = []
    for order in OrderRepository().orders_of_cycle(cycle_id):
        if query.distributor_id is not None and order.distributor_id != query.distributor_id:
            continue
        whole = access.coordinator or order.distributor_id in access.distributor_ids
        lines = [line for line in order.items if (whole or line.supplier_id in access.supplier_ids)
                 and query.supplier_id in (None, line.supplier_id)]
        if not lines:
            continue
        if not whole and names is None:
            names = caller.enterprises.get(cycle.coordinator_id).customer_names_to_suppliers
        seen.append(_Seen(order, whole, lines, bool(names)))
    return cycle, seen


def supplier_totals(caller: Caller, cycle_id: str, query: ReportQuery | None = None) -> list[dict]:
    """Per supplier and variant: quantity ordered and the sum of the line totals, over the
    orders not cancelled."""
    _, seen = _seen_orders(caller, cycle_id, query)
    rows: dict[tuple[str, str], dict] = {}
    for one in seen:
        if not one.placed:
            continue
        for line in one.lines:
            row = rows.setdefault(
                (line.supplier_id, line.variant_id),
                {"supplier_id": line.supplier_id, "variant_id": line.variant_id, "product_name": line.product_name,
                 "variant_name": line.variant_name, "quantity": 0, "total": ZERO},
            )
            row["quantity"] += line.quantity
            row["total"] += line.total
    ordered = sorted(rows.values(), key=lambda r: (r["supplier_id"], r["product_name"].lower(), r["variant_name"].lower()))
    return [{**row, "total": _money(row["total"])} for row in ordered]


def orders(caller: Caller, cycle_id: str, query: ReportQuery | None = None) -> list[dict]:
    """Orders oldest first, with the lines the caller may see; order totals and adjustments only
    to those who see the whole order."""
    _, seen = _seen_orders(caller, cycle_id, query)
    report = []
    for one in seen:
        order = one.order
        row = order.model_dump(mode="json", include={"id", "number", "distributor_id", "state", "created_at", "ready_for"})
        row["items"] = [line.model_dump(mode="json", include=_LINE_FIELDS) for line in one.lines]
        if one.whole:
            row |= order.model_dump(mode="json", include=_ORDER_TOTALS)
            row["customer"] = order.customer.model_dump(mode="json")
        elif one.names:
            row["customer"] = {"name": order.customer.name}
        report.append(row)
    return report


def pack_by_customer(caller: Caller, cycle_id: str, query: ReportQuery | None = None) -> list[dict]:
    """What to put in each customer's bag: one row per line, by shop, customer and order."""
    _, seen = _seen_orders(caller, cycle_id, query)
    rows = [_pack_row(one, line) for one in seen if one.placed for line in one.lines]
    return sorted(rows, key=lambda r: (r["distributor_id"], r["customer_name"].lower(), r["order_number"],
                                       r["supplier_id"], r["product_name"].lower(), r["variant_name"].lower()))


def pack_by_supplier(caller: Caller, cycle_id: str, query: ReportQuery | None = None) -> list[dict]:
    """What each supplier brings, and for whom: one row per line, by supplier, product and customer."""
    _, seen = _seen_orders(caller, cycle_id, query)
    rows = [_pack_row(one, line) for one in seen if one.placed for line in one.lines]
    return sorted(rows, key=lambda r: (r["supplier_id"], r["product_name"].lower(), r["variant_name"].lower(),
                                       r["distributor_id"], r["customer_name"].lower(), r["order_number"]))


def _pack_row(one: _Seen, line: LineItem) -> dict:
    return {"supplier_id": line.supplier_id, "product_name": line.product_name, "variant_name": line.variant_name,
            "quantity": line.quantity, "distributor_id": one.order.distributor_id, "order_number": one.order.number,
            "customer_name": one.customer_name, "customer_email": one.customer_email}


def customer_totals(caller: Caller, cycle_id: str, query: ReportQuery | None = None) -> list[dict]:
    """Per shop and customer: orders, totals, and how much of it is paid. Whoever sees an order
    whole counts its totals; a supplier its own lines."""
    _, seen = _seen_orders(caller, cycle_id, query)
    groups: dict[tuple[str, str], list[_Seen]] = {}
    for one in seen:
        if one.placed:
            groups.setdefault((one.order.distributor_id, one.order.customer.email), []).append(one)
    rows = []
    for (distributor_id, _), group in groups.items():
        amounts = [_amounts(one) for one in group]
        paid = sum((total for one, (_, _, total) in zip(group, amounts) if one.order.paid), ZERO)
        total = sum((t for _, _, t in amounts), ZERO)
        rows.append({"distributor_id": distributor_id, "customer_name": group[0].customer_name,
                     "customer_email": group[0].customer_email, "orders": len(group),
                     "item_total": _money(sum((i for i, _, _ in amounts), ZERO)),
                     "fee_total": _money(sum((f for _, f, _ in amounts), ZERO)),
                     "total": _money(total), "paid": _money(paid), "unpaid": _money(total - paid)})
    return sorted(rows, key=lambda r: (r["distributor_id"], r["customer_name"].lower(), r["customer_email"]))


def totals_by_shipping_method(caller: Caller, cycle_id: str, query: ReportQuery | None = None) -> list[dict]:
    """Per shop and shipping method (a pickup point or a delivery): orders and totals."""
    _, seen = _seen_orders(caller, cycle_id, query)
    rows: dict[tuple[str, str], dict] = {}
    for one in seen:
        if not one.placed:
            continue
        order, method = one.order, one.order.shipping_method
        row = rows.setdefault((order.distributor_id, order.shipping_method_id), {
            "distributor_id": order.distributor_id, "shipping_method_id": order.shipping_method_id,
            "shipping_method": method.name if method else order.shipping_method_id,
            "pickup": method.pickup if method else True, "ready_for": order.ready_for,
            "orders": 0, "item_total": ZERO, "fee_total": ZERO, "total": ZERO,
        })
        item_total, fee_total, total = _amounts(one)
        row["orders"] += 1
        row["item_total"] += item_total
        row["fee_total"] += fee_total
        row["total"] += total
    ordered = sorted(rows.values(), key=lambda r: (r["distributor_id"], r["shipping_method"].lower()))
    return [{**row, **{k: _money(row[k]) for k in ("item_total", "fee_total", "total")}} for row in ordered]


def _amounts(one: _Seen) -> tuple[Decimal, Decimal, Decimal]:
    """Item total, fee total and total of what the caller sees of an order."""
    if one.whole:
        return one.order.item_total, one.order.fee_total, one.order.total
    item_total = sum((line.base_total for line in one.lines), ZERO)
    total = sum((line.total for line in one.lines), ZERO)
    return item_total, total - item_total, total


def _order_lines(rows: list[dict]) -> list[dict]:
    """The orders report as CSV: one row per line, with its order's fields."""
    return [
        {"number": row["number"], "distributor_id": row["distributor_id"], "state": row["state"],
         "created_at": row["created_at"], "customer_name": row.get("customer", {}).get("name", ""),
         "customer_email": row.get("customer", {}).get("email", ""), "order_total": row.get("total", ""), **line}
        for row in rows for line in row["items"]
    ]


_PACK = ["supplier_id", "product_name", "variant_name", "quantity", "distributor_id", "order_number",
         "customer_name", "customer_email"]
REPORTS: dict[str, tuple[Callable[..., list[dict]], list[str], Callable[[list[dict]], list[dict]] | None]] = {
    "supplier-totals": (supplier_totals, ["supplier_id", "variant_id", "product_name", "variant_name", "quantity",
                                          "total"], None),
    "orders": (orders, ["number", "distributor_id", "state", "created_at", "customer_name", "customer_email",
                        "order_total", "supplier_id", "variant_id", "product_name", "variant_name", "quantity",
                        "price", "total"], _order_lines),
    "pack-by-customer": (pack_by_customer, ["distributor_id", "customer_name", "customer_email", "order_number",
                                            "supplier_id", "product_name", "variant_name", "quantity"], None),
    "pack-by-supplier": (pack_by_supplier, _PACK, None),
    "customer-totals": (customer_totals, ["distributor_id", "customer_name", "customer_email", "orders", "item_total",
                                          "fee_total", "total", "paid", "unpaid"], None),
    "totals-by-shipping-method": (totals_by_shipping_method, ["distributor_id", "shipping_method_id", "shipping_method",
                                                              "pickup", "ready_for", "orders", "item_total",
                                                              "fee_total", "total"], None),
}
"""Each report: its rows, its CSV columns, and how its rows flatten into CSV rows (if they must)."""


def report(caller: Caller, cycle_id: str, name: str, query: ReportQuery) -> Download:
    """GET /order-cycles/{id}/reports/{name}: the rows as JSON or CSV, or a link to them in S3
    when the answer would not fit a Lambda response."""
    if name not in REPORTS:
        raise NotFound(f"no report {name}; the reports are {', '.join(REPORTS)}", code="report_not_found")
    rows_of, columns, flatten = REPORTS[name]
    rows = rows_of(caller, cycle_id, query)
    if query.format == "csv":
        content_type, body = "text/csv; charset=utf-8", _csv(columns, flatten(rows) if flatten else rows)
    else:
        content_type, body = "application/json", json.dumps(rows)
    filename = f"{name}-{cycle_id}.{query.format}"
    if len(body.encode()) > settings().response_limit_bytes:
        return Download(json.dumps(_link(cycle_id, filename, body, content_type)), {"Content-Type": "application/json"})
    headers = {"Content-Type": content_type}
    if query.format == "csv":
        headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return Download(body, headers)


def _csv(columns: list[str], rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", restval="", lineterminator="\r\n")
    writer.writeheader()
    writer.writerows({k: str(v).lower() if isinstance(v, bool) else v for k, v in row.items()} for row in rows)
    return out.getvalue()


def _link(cycle_id: str, filename: str, body: str, content_type: str) -> dict:
    """Write the answer to the reports bucket (it expires objects after a day) and hand over a
    presigned GET that works for LINK_SECONDS."""
    bucket, key = settings().reports_bucket, f"reports/{cycle_id}/{uuid4().hex}/{filename}"
    s3 = client("s3")
    s3.put_object(Bucket=bucket, Key=key, Body=body.encode(), ContentType=content_type)
    url = s3.generate_presigned_url(
        "get_object", ExpiresIn=LINK_SECONDS,
        Params={"Bucket": bucket, "Key": key, "ResponseContentDisposition": f'attachment; filename="{filename}"'},
    )
    expires_at = clock.now() + timedelta(seconds=LINK_SECONDS)
    return {"download_url": url, "expires_at": expires_at.isoformat(), "bytes": len(body.encode())}


def _money(amount: Decimal) -> str:
    return f"{amount:.2f}"
