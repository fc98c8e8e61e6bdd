"""Order cycles. The cycle is one item (exchanges embedded) in its own partition, beside the read
models a shop needs in the same Query: offers (variant copies with stock), fee copies and each
distributor's shop preferences (shop copies). Each
participant enterprise gets a participation item in its partition (listing, shop pages), and
distributors' participations are indexed on GSI1 `SHOPFRONT` by closing time."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import NamedTuple

from hubcycle.enterprises import Enterprise
from hubcycle.errors import Conflict, NotFound
from hubcycle.fees import EnterpriseFee
from hubcycle.order_cycles import SCHEDULER_RECORDS, OrderCycle
from hubcycle.products import Offer, Variant
from hubcycle.repository import keys
from hubcycle.repository.base import (
    TRANSACTION_LIMIT,
    Repository,
    TransactionCancelled,
    delete_action,
    from_item,
    put_action,
    to_item,
    update_action,
)
from hubcycle.repository.owed import OwedRepository


def next_due(cycle: OrderCycle) -> datetime | None:
    """The next moment the scheduler owes this cycle something: its opening, then its closing.
    Nothing while a date is missing: such a cycle is `undated` and never opens (its shops do not
    list it), so announcing its opening would be false."""
    if cycle.opens_at is None or cycle.closes_at is None:
        return None
    if cycle.opened_at is None:
        return cycle.opens_at
    if cycle.processed_at is None:
        return cycle.closes_at
    return None


REBASES = 3
"""A person's save made over the scheduler's record of an opening or closing is rebased on it
and sent again; the scheduler records at most a stop, a closing and an opening meanwhile."""


def cycle_item(cycle: OrderCycle) -> dict:
    item = to_item(cycle, PK=keys.order_cycle(cycle.id), SK=keys.CYCLE_SK)
    if item["sales_stopped_at"] is None:
        del item["sales_stopped_at"]  # absent, so that checkout's condition stays attribute_not_exists
    due = next_due(cycle)
    if due is not None:
        item |= {"GSI1PK": keys.SCHEDULE, "GSI1SK": f"{keys.iso(due)}#{cycle.id}"}
    return item


def unchanged(cycle: OrderCycle, fields: tuple[str, ...]) -> tuple[str, dict]:
    """A condition that the stored cycle still holds `cycle`'s value of each field (a None read
    matches an absent or NULL attribute), with its values."""
    parts, values = [], {}
    for field in fields:
        value = getattr(cycle, field)
        if value is None:
            parts.append(f"(attribute_not_exists({field}) OR attribute_type({field}, :null))")
            values[":null"] = "NULL"
        else:
            parts.append(f"{field} = :{field}")
            values[f":{field}"] = keys.iso(value)
    return " AND ".join(parts), values


def participation_items(cycle: OrderCycle) -> dict[str, dict]:
    roles: dict[str, set[str]] = {}
    roles.setdefault(cycle.coordinator_id, set()).add("coordinator")
    for supplier_id in cycle.supplier_ids:
        roles.setdefault(supplier_id, set()).add("supplier")
    for distributor_id in cycle.distributor_ids:
        roles.setdefault(distributor_id, set()).add("distributor")
    items = {}
    for enterprise_id, enterprise_roles in roles.items():
        item = {
            "PK": keys.enterprise(enterprise_id),
            "SK": keys.order_cycle(cycle.id),
            "order_cycle_id": cycle.id,
            "enterprise_id": enterprise_id,
            "roles": sorted(enterprise_roles),
            "opens_at": keys.iso(cycle.opens_at) if cycle.opens_at else None,
            "closes_at": keys.iso(cycle.closes_at) if cycle.closes_at else None,
        }
        exchange = cycle.outgoing_of(enterprise_id)
        if exchange is not None:
            item["ready_for"] = exchange.ready_for
            item["shipping_method_ids"] = exchange.shipping_method_ids
            item["payment_method_ids"] = exchange.payment_method_ids
            if cycle.opens_at and cycle.closes_at:
                item |= {"GSI1PK": keys.SHOPFRONT, "GSI1SK": f"{keys.iso(cycle.closes_at)}#{cycle.id}#{enterprise_id}"}
        items[enterprise_id] = item
    return items


SHOP_PREFERENCES = ("hide_sold_out",)
"""What a cycle's products page needs of the shop, copied from its enterprise."""


def shop_copy_item(cycle_id: str, shop: Enterprise) -> dict:
    return {"PK": keys.order_cycle(cycle_id), "SK": keys.shop_copy(shop.id), "enterprise_id": shop.id,
            **{p: getattr(shop, p) for p in SHOP_PREFERENCES}}


class ShopPartition(NamedTuple):
    """Everything of a cycle that a shop's products page reads, in one Query."""
    cycle: OrderCycle
    offers: dict[str, Offer]
    fees: dict[str, EnterpriseFee]
    shops: dict[str, dict]
    """Each distributor's shop preferences (SHOP_PREFERENCES), by enterprise id."""


def _offered_in_update(variant: Variant, cycle_id: str) -> dict:
    """Record the new copy on the variant, if its price and stock are still those copied."""
    values = {":c": {cycle_id}, ":price": f"{variant.price:.2f}"}
    condition = "attribute_exists(PK) AND price = :price"
    if variant.on_hand is not None:
        values[":stock"] = variant.on_hand
        condition += " AND on_hand = :stock"
    return update_action(keys.variant(variant.id), keys.VARIANT_SK, "ADD offered_in :c", values, condition=condition)


class OrderCycleRepository(Repository):
    def create(self, cycle: OrderCycle) -> None:
        actions = [put_action(cycle_item(cycle), condition="attribute_not_exists(PK)")]
        actions += [put_action(item) for item in participation_items(cycle).values()]
        try:
            self.transact(actions)
        except TransactionCancelled:
            raise Conflict("an order cycle with this id exists already", field="id") from None

    def get(self, cycle_id: str, consistent: bool = True) -> OrderCycle:
        item = super().get(keys.order_cycle(cycle_id), keys.CYCLE_SK, consistent=consistent)
        if item is None:
            raise NotFound(f"no order cycle {cycle_id}", code="order_cycle_not_found")
        return from_item(OrderCycle, item)

    def get_many(self, cycle_ids: Iterable[str]) -> list[OrderCycle]:
        items = self.batch_get((keys.order_cycle(c), keys.CYCLE_SK) for c in cycle_ids)
        return [from_item(OrderCycle, i) for i in items]

    def get_many_with_summaries(self, cycle_ids: Iterable[str], summarised: Iterable[str]) -> tuple[list[OrderCycle], dict[str, dict]]:
        """The cycles, and the summary of the producer emails of those `summarised` that sent any
        (`notified_at`, `notified`, `failed`: OutboxRepository writes it), in the same BatchGetItem."""
        wanted = [(keys.order_cycle(c), keys.CYCLE_SK) for c in cycle_ids]
        wanted += [(keys.order_cycle(c), keys.PRODUCERS_NOTIFIED_SK) for c in summarised]
        cycles, summaries = [], {}
        for item in self.batch_get(wanted):
            if item["SK"] == keys.CYCLE_SK:
                cycles.append(from_item(OrderCycle, item))
            else:
                summaries[item["PK"].removeprefix(keys.ORDER_CYCLE_PREFIX)] = item
        return cycles, summaries

    def save(self, cycle: OrderCycle, previous: OrderCycle) -> OrderCycle:
        """Write `cycle` if nobody saved since `previous` was read, and the coordinator is unchanged.
        The scheduler's records do not count as a save: when only they changed, `cycle` is rebased
        on them and written again, so a person's save fails only on another person's."""
        for _ in range(REBASES):
            saved = cycle.model_copy(update={"version": previous.version + 1})
            try:
                self.transact(self._save_actions(saved, previous))
                return saved
            except TransactionCancelled:
                fresh = self.get(cycle.id)
                if (fresh.version, fresh.coordinator_id) != (previous.version, previous.coordinator_id):
                    break
                cycle, previous = cycle.rebased_on(fresh), fresh
        raise Conflict(
            "the order cycle was changed by someone else; reload it and try again", code="order_cycle_changed"
        ) from None

    @staticmethod
    def _save_actions(saved: OrderCycle, previous: OrderCycle) -> list[dict]:
        current = participation_items(saved)
        gone = previous.participant_ids - set(current)
        recorded, values = unchanged(previous, SCHEDULER_RECORDS)
        return [
            put_action(
                cycle_item(saved),
                condition=f"version = :v AND coordinator_id = :c AND attribute_not_exists(deleting) AND {recorded}",
                values={":v": previous.version, ":c": previous.coordinator_id, **values},
            ),
            *[put_action(item) for item in current.values()],
            *[delete_action(keys.enterprise(e), keys.order_cycle(saved.id)) for e in gone],
        ]

    def stop_sales(self, cycle: OrderCycle, now: datetime) -> bool:
        """The closing's first write, before it reads the orders: from here on checkout's
        transaction refuses the cycle, so every order it accepted is in what the closing reads.
        False when the cycle's dates or closing changed since `cycle` was read (read it again).
        A stop left by a crashed closing keeps its time."""
        condition, values = unchanged(cycle, ("opens_at", "closes_at", "processed_at"))
        try:
            self.update(keys.order_cycle(cycle.id), keys.CYCLE_SK,
                        "SET sales_stopped_at = if_not_exists(sales_stopped_at, :now)",
                        {**values, ":now": keys.iso(now)}, condition=f"attribute_exists(PK) AND {condition}")
        except TransactionCancelled:
            return False
        return True

    def participations(self, enterprise_id: str) -> list[dict]:
        return self.partition(keys.enterprise(enterprise_id), keys.ORDER_CYCLE_PREFIX)

    def roles_in(self, cycle_id: str, enterprise_ids) -> dict[str, list[str]]:
        """The roles these enterprises have in the cycle, from their participation items (one
        BatchGetItem), without reading the cycle: those that take no part are left out."""
        items = self.batch_get((keys.enterprise(e), keys.order_cycle(cycle_id)) for e in enterprise_ids)
        return {i["enterprise_id"]: i["roles"] for i in items}

    def due(self, now: datetime) -> list[OrderCycle]:
        """Cycles whose opening or closing is due and not yet processed, however long ago."""
        return [from_item(OrderCycle, i) for i in OwedRepository(self.name, self._dynamodb).due_cycles(now)]

    def shop_partition(self, cycle_id: str) -> ShopPartition:
        """The cycle, its offers, fee copies and shop copies in one Query (everything sorting
        before ORDER#)."""
        cycle, offers, fees, shops = None, {}, {}, {}
        items = self.query("PK = :pk AND SK < :orders", {":pk": keys.order_cycle(cycle_id), ":orders": keys.ORDER_PREFIX})
        for item in items:
            if item["SK"] == keys.CYCLE_SK:
                cycle = from_item(OrderCycle, item)
            elif item["SK"].startswith(keys.OFFER_PREFIX):
                offers[item["id"]] = from_item(Offer, item)
            elif item["SK"].startswith(keys.FEE_PREFIX):
                fees[item["id"]] = from_item(EnterpriseFee, item)
            elif item["SK"].startswith(keys.SHOP_COPY_PREFIX):
                shops[item["enterprise_id"]] = {p: item[p] for p in SHOP_PREFERENCES if p in item}
        if cycle is None:
            raise NotFound(f"no order cycle {cycle_id}", code="order_cycle_not_found")
        return ShopPartition(cycle, offers, fees, shops)

    def pricing(self, cycle_id: str) -> tuple[OrderCycle, dict[str, EnterpriseFee]]:
        """The cycle and its fee copies in one Query (they sort before OFFER#): checkout's first read,
        whose size does not depend on the catalogue."""
        cycle, fees = None, {}
        for item in self.query("PK = :pk AND SK < :offers", {":pk": keys.order_cycle(cycle_id), ":offers": keys.OFFER_PREFIX}):
            if item["SK"] == keys.CYCLE_SK:
                cycle = from_item(OrderCycle, item)
            elif item["SK"].startswith(keys.FEE_PREFIX):
                fees[item["id"]] = from_item(EnterpriseFee, item)
        if cycle is None:
            raise NotFound(f"no order cycle {cycle_id}", code="order_cycle_not_found")
        return cycle, fees

    def offers(self, cycle_id: str) -> dict[str, dict]:
        """The cycle's offer items by variant id."""
        return {i["id"]: i for i in self.partition(keys.order_cycle(cycle_id), keys.OFFER_PREFIX)}

    def sync_offers(self, cycle: OrderCycle, variants: dict[str, tuple[Variant, set[str]]],
                    supplier_names: dict[str, str], existing: dict[str, dict] | None = None) -> None:
        """Make the cycle's offers the copies of its incoming variants. `variants` maps each
        variant to copy (at least those without a copy yet) to the variant and the cycles already
        copying it (catalogue read). Each copy is written in one transaction with the variant's
        `offered_in` and the other copies' lists, conditional on the stock read, so no checkout
        slips between. `existing`: the cycle's offers if the caller has just read them."""
        existing = self.offers(cycle.id) if existing is None else existing
        wanted = cycle.incoming_variant_ids
        groups: list[list[dict]] = []
        for variant_id in sorted(wanted - set(existing)):
            if variant_id not in variants:
                continue
            variant, offered_in = variants[variant_id]
            everywhere = sorted(offered_in | {cycle.id})
            offer = Offer(**variant.model_dump(), supplier_name=supplier_names.get(variant.supplier_id, ""), offered_in=everywhere)
            groups.append([
                put_action(to_item(offer, PK=keys.order_cycle(cycle.id), SK=keys.offer(variant_id))),
                _offered_in_update(variant, cycle.id),
                *[
                    update_action(keys.order_cycle(c), keys.offer(variant_id), "SET offered_in = :all", {":all": everywhere},
                                  condition="attribute_exists(PK)")
                    for c in offered_in if c != cycle.id
                ],
            ])
        for variant_id in sorted(set(existing) - wanted):
            others = [c for c in existing[variant_id].get("offered_in", []) if c != cycle.id]
            groups.append([
                delete_action(keys.order_cycle(cycle.id), keys.offer(variant_id)),
                update_action(keys.variant(variant_id), keys.VARIANT_SK, "DELETE offered_in :c", {":c": {cycle.id}}),
                *[
                    update_action(keys.order_cycle(c), keys.offer(variant_id), "SET offered_in = :all", {":all": others},
                                  condition="attribute_exists(PK)")
                    for c in others
                ],
            ])
        self._transact_groups(groups)

    def sync_fee_copies(self, cycle: OrderCycle, fees: dict[str, EnterpriseFee]) -> None:
        """Adds and removes copies; an existing copy is rewritten by CatalogueRepository.save_fee
        when its fee changes (which a cycle allows only while undated)."""
        existing = {i["id"] for i in self.partition(keys.order_cycle(cycle.id), keys.FEE_PREFIX)}
        wanted = cycle.all_fee_ids()
        self.batch_write(
            puts=[to_item(fees[f], PK=keys.order_cycle(cycle.id), SK=keys.fee(f)) for f in sorted(wanted - existing) if f in fees],
            deletes=[(keys.order_cycle(cycle.id), keys.fee(f)) for f in sorted(existing - wanted)],
        )

    def sync_shop_copies(self, cycle: OrderCycle, read_shops: Callable[[set[str]], dict[str, Enterprise]]) -> None:
        """Each distributor's shop preferences copied into the cycle, once: a copy is created only
        where none exists (`attribute_not_exists`), so a preference change copied meanwhile by
        `copy_shop_preferences` is never overwritten with what was read before it. Copies of
        distributors gone are deleted."""
        existing = {i["enterprise_id"] for i in self.partition(keys.order_cycle(cycle.id), keys.SHOP_COPY_PREFIX)}
        wanted = set(cycle.distributor_ids)
        for shop in read_shops(wanted - existing).values():
            try:
                self.put(shop_copy_item(cycle.id, shop), condition="attribute_not_exists(PK)")
            except TransactionCancelled:
                continue  # copied meanwhile, from a newer read of the shop
        self.batch_write(deletes=[(keys.order_cycle(cycle.id), keys.shop_copy(e)) for e in sorted(existing - wanted)])

    def copy_shop_preferences(self, shop: Enterprise, cycle_ids: Iterable[str]) -> None:
        """The shop's preferences changed: rewrite its copy in these cycles (those it sells in)."""
        self.batch_write(puts=[shop_copy_item(c, shop) for c in sorted(set(cycle_ids))])

    def has_orders(self, cycle_id: str) -> bool:
        items = self.query(
            "PK = :pk AND begins_with(SK, :o)", {":pk": keys.order_cycle(cycle_id), ":o": keys.ORDER_PREFIX},
            limit=1, consistent=True,  # an order placed a moment ago must count
        )
        return next(items, None) is not None

    def delete(self, cycle: OrderCycle) -> None:
        """Two steps, so no order can slip in: mark the cycle `deleting` (checkout's condition
        refuses such a cycle), then delete only if no order exists; otherwise unmark."""
        cycle_key = (keys.order_cycle(cycle.id), keys.CYCLE_SK)
        try:
            self.transact([update_action(*cycle_key, "SET deleting = :t", {":t": True, ":v": cycle.version},
                                         condition="version = :v")])
        except TransactionCancelled:
            raise Conflict("the order cycle was changed by someone else; reload it and try again",
                           code="order_cycle_changed") from None
        if self.has_orders(cycle.id):
            self.transact([update_action(*cycle_key, "REMOVE deleting")])
            raise Conflict("this order cycle has orders and cannot be deleted", code="order_cycle_in_use")
        self.sync_offers(cycle.model_copy(update={"incoming": []}), {}, {})
        partition = self.partition(keys.order_cycle(cycle.id))
        self.batch_write(deletes=[(i["PK"], i["SK"]) for i in partition if i["SK"] != keys.CYCLE_SK])
        self.transact([
            delete_action(*cycle_key),
            *[delete_action(keys.enterprise(e), keys.order_cycle(cycle.id)) for e in cycle.participant_ids],
        ])

    def _transact_groups(self, groups: list[list[dict]]) -> None:
        """Pack groups that must be atomic into as few transactions as the limit allows."""
        batch: list[dict] = []
        for group in groups:
            if len(batch) + len(group) > TRANSACTION_LIMIT:
                self.transact(batch)
                batch = []
            batch.extend(group)
        self.transact(batch)
