"""Orders, in their cycle's partition (SK ORDER#{id}) with their lines embedded: the reports, the
producer notifications and the delete check read them with one Query on the cycle.

Placing an order is one TransactWriteItems, so that two shoppers racing for the last units can
never both get them, and nothing is half-written:
- Put the order, if no order has this id (an id is never reused: a retried attempt finds its own);
- ConditionCheck the cycle item: it exists, is not being deleted, its closing has not stopped
  sales (the stored state, not this request's clock: docs/scheduling.md), and is open now;
- Update the shopper as a Customer of the distributor (name refreshed, the hub's tags kept, the
  order's language for their reminders);
- per counted variant: Update the variant `on_hand = on_hand - q` if `on_hand >= q`, and the same
  decrement on its offer copy in this cycle, so this shop's listing stays exact;
- per on-demand variant: ConditionCheck that it is still on demand (nothing to decrement).
DynamoDB allows 100 actions per transaction: 3 plus 2 per counted product, so an order holds at
most 48 counted products; a larger one is refused (422 too_many_items). The copies of the same
variant in the other cycles that offer it (`offered_in`: a duplicated or upcoming cycle) are
decremented right after, in a second transaction (one per 100 copies), so that an order's size
limit never depends on how many cycles a variant was copied into; a crash in between leaves another
cycle's listing showing a few units too many until its next change, never a sale of stock that is
gone (the condition is on the variant itself).

An order is also indexed by its id alone (GSI1 `ORDER#{id}`), for `GET /orders/{id}`. A manager's
correction is one more TransactWriteItems (`change`): the order over the version it read, the
stock of every changed line on the variant and on each of its copies, and the customer's email
in the outbox, so that two corrections never both apply and nothing is half written."""
from __future__ import annotations

import logging
import random
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from botocore.exceptions import BotoCoreError, ClientError

from hubcycle.enterprises import Enterprise, PaymentMethod, ShippingMethod
from hubcycle.errors import Conflict, Invalid, NotFound, Unavailable
from hubcycle.orders import Order
from hubcycle.products import Offer
from hubcycle.repository import keys
from hubcycle.repository.base import (
    GSI1,
    TRANSACTION_LIMIT,
    Repository,
    TransactionCancelled,
    condition_check_action,
    from_item,
    put_action,
    update_action,
)

logger = logging.getLogger(__name__)

CONFLICT_RETRIES = 3
"""TransactionConflict means another transaction held one of the items for a moment (shoppers
racing for the same variant on DynamoDB): try again, the conditions then give the real answer."""

_CHECK_FAILED = "ConditionalCheckFailed"
_BUSY = "TransactionConflict"


@dataclass(frozen=True)
class CheckoutContext:
    """What checkout reads besides the cycle's prices."""

    shop: Enterprise
    shipping: ShippingMethod | None
    payment: PaymentMethod | None
    offers: dict[str, Offer]
    """The cycle's offers of the ordered variants, by variant id."""


class OrderRepository(Repository):
    def checkout_context(self, shop_id: str, shipping_method_id: str, payment_method_id: str, cycle_id: str,
                         variant_ids: Iterable[str]) -> CheckoutContext:
        """The shop, the two methods the shopper chose and the cycle's offers of the ordered
        variants, in one BatchGetItem (100 keys: the 3 and up to 97 variants, more than an order
        can hold). A method this shop does not offer comes back as None, an offer the cycle does
        not have is missing."""
        wanted = [
            (keys.enterprise(shop_id), keys.ENTERPRISE_SK),
            (keys.enterprise(shop_id), keys.shipping_method(shipping_method_id)),
            (keys.enterprise(shop_id), keys.payment_method(payment_method_id)),
            *((keys.order_cycle(cycle_id), keys.offer(variant_id)) for variant_id in variant_ids),
        ]
        found = {(item["PK"], item["SK"]): item for item in self.batch_get(wanted)}
        shop, shipping, payment = (found.get(key) for key in wanted[:3])
        if shop is None:
            raise NotFound(f"no shop {shop_id}", code="shop_not_found")
        return CheckoutContext(
            shop=from_item(Enterprise, shop),
            shipping=from_item(ShippingMethod, shipping) if shipping else None,
            payment=from_item(PaymentMethod, payment) if payment else None,
            offers={item["id"]: from_item(Offer, item) for key, item in found.items() if key not in wanted[:3]},
        )

    def orders_of_cycle(self, cycle_id: str) -> list[Order]:
        """Strongly consistent: a closing must see the order placed the second before."""
        items = self.query("PK = :pk AND begins_with(SK, :p)", {":pk": keys.order_cycle(cycle_id), ":p": keys.ORDER_PREFIX},
                           consistent=True, projection="#order", names={"#order": "order"})
        return sorted((_order(i) for i in items), key=lambda o: (o.created_at, o.id))

    def get(self, cycle_id: str, order_id: str) -> Order:
        order = self.find(cycle_id, order_id)
        if order is None:
            raise NotFound(f"no order {order_id} in this order cycle", code="order_not_found")
        return order

    def find(self, cycle_id: str, order_id: str) -> Order | None:
        """Strongly consistent: a retried checkout must see the order its first attempt placed."""
        item = super().get(keys.order_cycle(cycle_id), keys.order(order_id), consistent=True)
        return None if item is None else _order(item)

    def find_by_id(self, order_id: str) -> Order | None:
        """The order with this id, whatever its cycle: GSI1 names its cycle, then a strongly
        consistent GetItem reads it as it is now."""
        found = next(self.query("GSI1PK = :pk", {":pk": keys.order(order_id)}, index=GSI1, limit=1), None)
        return None if found is None else self.find(found["order_cycle_id"], order_id)

    def get_many(self, cycle_id: str, order_ids: Iterable[str]) -> dict[str, Order]:
        items = self.batch_get((keys.order_cycle(cycle_id), keys.order(order_id)) for order_id in order_ids)
        return {item["id"]: _order(item) for item in items}

    def place(self, order: Order, offers: Mapping[str, Offer], now: datetime, closed_too: bool = False) -> bool:
        """Store `order` and take its stock, all or nothing. `offers` holds the cycle's offer of
        each ordered variant (its on_demand and offered_in). Returns False when an order with this
        id exists already: an earlier attempt of the same checkout placed it. `closed_too`: a
        manager's order, which the cycle accepts after its closing as well."""
        actions, subjects = self._placement(order, offers, now, closed_too)
        if len(actions) > TRANSACTION_LIMIT:
            raise Invalid(
                f"an order is placed in one transaction of at most {TRANSACTION_LIMIT} writes (3, plus per "
                f"product one and one per order cycle offering it); this one needs {len(actions)}: "
                "split it into smaller orders",
                field="items", code="too_many_items",
            )
        retries = 0
        while True:
            try:
                self.transact(actions)
                break
            except TransactionCancelled as cancelled:
                failed = [subject for subject, reason in zip(subjects, cancelled.reasons) if reason == _CHECK_FAILED]
                if ("order", order.id) in failed:
                    return False
                if failed or _BUSY not in cancelled.reasons or retries == CONFLICT_RETRIES:
                    raise _refusal(failed, cancelled.reasons) from None
            retries += 1
            _pause(retries)
        try:
            self._take_from_other_copies(order, offers)
        except (ClientError, BotoCoreError):  # the order stands: its answer and email must follow
            logger.exception("order %s placed; its variants' copies in other cycles were not updated", order.id)
        return True

    def _take_from_other_copies(self, order: Order, offers: Mapping[str, Offer]) -> None:
        """The sold units leave the listings of the other cycles offering the same variants, in
        one more transaction (the shop writes through transactions only), less the copies of a
        cycle that stopped offering a variant meanwhile. A copy still busy after the retries is
        left as it was and logged: a listing a few units too high, never an oversold variant (the
        variant's own stock is exact)."""
        actions = [
            update_action(keys.order_cycle(other), keys.offer(line.variant_id), "SET on_hand = on_hand - :q",
                          {":q": line.quantity}, condition="attribute_exists(PK)")
            for line in order.items if not offers[line.variant_id].on_demand
            for other in sorted(set(offers[line.variant_id].offered_in) - {order.order_cycle_id})
        ]
        for start in range(0, len(actions), TRANSACTION_LIMIT):
            busy = self._transact_what_applies(actions[start:start + TRANSACTION_LIMIT])
            # One at a time, so that the busy copy alone is left behind, not its whole batch.
            left = [action for action in busy if self._transact_what_applies([action])]
            if left:
                logger.warning("order %s: %d offer copies in other cycles left as they were (busy)", order.id, len(left))

    def _transact_what_applies(self, actions: list[dict]) -> list[dict]:
        """Apply `actions` in one transaction, dropping those whose condition fails and retrying
        on conflicts; returns the actions still not applied after the retries."""
        for retries in range(CONFLICT_RETRIES + 1):
            if retries:
                _pause(retries)
            try:
                self.transact(actions)
                return []
            except TransactionCancelled as cancelled:
                if len(cancelled.reasons) == len(actions):  # else nothing tells which: all stay pending
                    actions = [a for a, reason in zip(actions, cancelled.reasons) if reason != _CHECK_FAILED]
                if not actions:
                    return []
        return actions

    def _placement(self, order: Order, offers: Mapping[str, Offer], now: datetime,
                   closed_too: bool) -> tuple[list[dict], list[tuple]]:
        """The transaction's actions, and beside each what a failed condition on it means."""
        cycle_id = order.order_cycle_id
        still_open = "" if closed_too else " AND attribute_not_exists(sales_stopped_at) AND closes_at > :now"
        actions = [
            put_action(order_item(order), condition="attribute_not_exists(PK)"),
            condition_check_action(
                keys.order_cycle(cycle_id), keys.CYCLE_SK,
                f"attribute_exists(PK) AND attribute_not_exists(deleting) AND opens_at <= :now{still_open}",
                {":now": keys.iso(now)},
            ),
            update_action(
                keys.enterprise(order.distributor_id), keys.customer(order.customer.email),
                "SET #name = :name, email = :email, enterprise_id = :enterprise, tags = if_not_exists(tags, :none)"
                + (", #language = :language" if order.language else " REMOVE #language"),
                {":name": order.customer.name, ":email": order.customer.email,
                 ":enterprise": order.distributor_id, ":none": [],
                 **({":language": order.language} if order.language else {})},
                names={"#name": "name", "#language": "language"},
            ),
        ]
        subjects: list[tuple] = [("order", order.id), ("cycle", cycle_id), ("customer", order.customer.email)]
        for line in order.items:
            offer = offers[line.variant_id]
            variant_key = (keys.variant(line.variant_id), keys.VARIANT_SK)
            if offer.on_demand:
                actions.append(condition_check_action(*variant_key, "on_demand = :yes", {":yes": True}))
                subjects.append(("stock", line.variant_id))
                continue
            take = {":q": line.quantity}
            actions.append(update_action(*variant_key, "SET on_hand = on_hand - :q", take, condition="on_hand >= :q"))
            subjects.append(("stock", line.variant_id))
            actions.append(update_action(keys.order_cycle(cycle_id), keys.offer(line.variant_id),
                                         "SET on_hand = on_hand - :q", take, condition="attribute_exists(PK)"))
            subjects.append(("offer", line.variant_id))
        return actions, subjects


    def change(self, previous: Order, changed: Order, moves: list[StockMove], outbox: list[dict],
               open_at: datetime | None = None) -> bool:
        """Write `changed` over `previous` (if no one changed the order since), move the stock of
        its changed lines on the variants and every copy named in `moves`, and add the `outbox`
        items, in one transaction. 409 order_changed if the order moved on, insufficient_stock if
        a line grows past the stock. False when a copy or a variant read is gone: read again.
        With `open_at`, only while the cycle is open then (the closing stops sales first):
        409 order_cycle_closed otherwise."""
        actions = [put_action(order_item(changed), condition="version = :read", values={":read": previous.version})]
        subjects: list[tuple] = [("order", changed.id)]
        if open_at is not None:
            actions.append(condition_check_action(
                keys.order_cycle(changed.order_cycle_id), keys.CYCLE_SK,
                "attribute_not_exists(sales_stopped_at) AND closes_at > :now", {":now": keys.iso(open_at)}))
            subjects.append(("cycle", changed.order_cycle_id))
        for move in moves:
            for action, subject in move.actions():
                actions.append(action)
                subjects.append((subject, move.variant_id))
        actions += [put_action(item, condition="attribute_not_exists(PK)") for item in outbox]
        subjects += [("outbox", item["SK"]) for item in outbox]
        if len(actions) > TRANSACTION_LIMIT:
            raise Invalid(f"this change touches {len(actions)} records; at most {TRANSACTION_LIMIT} change at once: "
                          "change fewer lines at a time", field="items", code="too_many_items")
        for retries in range(CONFLICT_RETRIES + 1):
            if retries:
                _pause(retries)
            try:
                self.transact(actions)
                return True
            except TransactionCancelled as cancelled:
                failed = [subject for subject, reason in zip(subjects, cancelled.reasons) if reason == _CHECK_FAILED]
                if ("order", changed.id) in failed:
                    raise Conflict("someone changed this order meanwhile; read it again", code="order_changed") from None
                if ("cycle", changed.order_cycle_id) in failed:
                    raise Conflict("the order cycle has closed: the order can no longer be changed",
                                   code="order_cycle_closed") from None
                short = next((v for kind, v in failed if kind == "take"), None)
                if short is not None:
                    raise Conflict(f"not enough stock left of variant {short}", field=short,
                                   code="insufficient_stock") from None
                if failed:
                    return False
                if _BUSY not in cancelled.reasons:
                    break  # as checkout does: only a transaction conflict is worth waiting for
        raise Unavailable("the order is busy; send the same request again")

    def save_many(self, previous: list[Order], changed: list[Order]) -> None:
        """Write each changed order over the version read (paid, collected: no stock moves), all or none."""
        actions = [put_action(order_item(new), condition="version = :read", values={":read": old.version})
                   for old, new in zip(previous, changed)]
        try:
            self.transact(actions)
        except TransactionCancelled as cancelled:
            if _CHECK_FAILED in cancelled.reasons:
                raise Conflict("someone changed one of these orders meanwhile; read them again",
                               code="order_changed") from None
            raise Unavailable("these orders are busy; send the same request again") from None


@dataclass(frozen=True)
class StockMove:
    """What a correction does to one variant's stock: `taken` units more leave it (fewer than
    zero: units go back), on the variant and on each of its copies in `offered_in`. An on-demand
    variant (`counted` False) has nothing to give back; an increase only checks it still is."""

    variant_id: str
    taken: int
    counted: bool
    offered_in: frozenset[str]

    def actions(self) -> list[tuple[dict, str]]:
        variant_key = (keys.variant(self.variant_id), keys.VARIANT_SK)
        if not self.counted:
            if self.taken <= 0:
                return []
            return [(condition_check_action(*variant_key, "on_demand = :yes", {":yes": True}), "take")]
        if self.taken > 0:
            update, values, condition = "SET on_hand = on_hand - :q", {":q": self.taken}, "on_hand >= :q"
        else:
            update, values, condition = "SET on_hand = on_hand + :q", {":q": -self.taken}, "attribute_exists(PK)"
        return [(update_action(*variant_key, update, values, condition=condition), "take" if self.taken > 0 else "give"),
                *((update_action(keys.order_cycle(cycle), keys.offer(self.variant_id), update, values,
                                 condition="attribute_exists(PK)"), "copy")
                  for cycle in sorted(self.offered_in))]


def order_item(order: Order) -> dict:
    """An order in its cycle's partition, indexed by its id alone for GET /orders/{id}. The order
    itself is one JSON text attribute, not DynamoDB maps and lists: its lines with their fees are
    some 300 nested values, which botocore decodes one by one (and the local system's moto encodes
    at about half a millisecond each: 8 s for a report of 500 orders), where pydantic parses the
    text at once. Nothing queries inside an order; `version` stays apart for the write conditions."""
    return {"PK": keys.order_cycle(order.order_cycle_id), "SK": keys.order(order.id),
            "GSI1PK": keys.order(order.id), "GSI1SK": keys.order_cycle(order.order_cycle_id),
            "id": order.id, "order_cycle_id": order.order_cycle_id, "version": order.version,
            "order": order.model_dump_json()}


def _order(item: dict) -> Order:
    return Order.model_validate_json(item["order"])


def _pause(retries: int) -> None:
    time.sleep(random.uniform(0.02, 0.1) * retries)


def _refusal(failed: list[tuple], reasons: list[str]) -> Conflict:
    """The shopper's answer for a cancelled placement, most telling first."""
    by_kind: dict[str, str] = {}
    for kind, subject in failed:
        by_kind.setdefault(kind, subject)
    if "cycle" in by_kind:
        return Conflict("this order cycle is closed", code="order_cycle_closed")
    if "stock" in by_kind:
        variant_id = by_kind["stock"]
        return Conflict(f"not enough stock left of variant {variant_id}", field=variant_id, code="insufficient_stock")
    if "offer" in by_kind:
        return Conflict(f"variant {by_kind['offer']} was just changed in this shop; reload and try again",
                        field=by_kind["offer"], code="offer_changed")
    return Unavailable(f"the order could not be placed right now ({', '.join(sorted(set(reasons)))}); "
                       "send the same request again")
