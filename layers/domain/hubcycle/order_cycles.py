"""Order cycles: who supplies what (incoming exchanges), who sells it where and when it is ready
(outgoing exchanges), the fees on the way, and the status that follows from the dates alone."""
from __future__ import annotations

from datetime import datetime, timezone
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BeforeValidator, Field, StringConstraints, field_validator, model_validator

from hubcycle.enterprises import Entity, Name, Text, line, single_line
from hubcycle.errors import Conflict, NotFound

ReadyFor = line(35)
Tag = line(40)
Id = Annotated[str, StringConstraints(min_length=1, max_length=64), AfterValidator(single_line)]


SCHEDULER_RECORDS = ("opened_at", "processed_at", "sales_stopped_at")
"""What the scheduler writes on a cycle; a person's change never sets them (with_dates clears them)."""


EARLIEST, LATEST = datetime(2000, 1, 1, tzinfo=timezone.utc), datetime(3000, 1, 1, tzinfo=timezone.utc)


def _iso_text(value: object) -> object:
    """The contract's times are ISO 8601 text with an offset: a number (a Unix time?) is refused,
    not guessed."""
    if not isinstance(value, (str, datetime)) and value is not None:
        raise ValueError("must be an ISO 8601 date and time with an offset, such as 2026-11-24T08:00:00+01:00")
    return value


def _utc(value: datetime | None) -> datetime | None:
    """Stored in UTC to the second, so that stored times compare as text in DynamoDB conditions."""
    if value is None:
        return None
    try:
        utc = value.astimezone(timezone.utc).replace(microsecond=0)
    except OverflowError:  # year 1 or 9999 moved by its offset out of datetime's range
        utc = None
    if utc is None or not EARLIEST <= utc < LATEST:
        raise ValueError("must be between the years 2000 and 2999")
    return utc


Moment = Annotated[AwareDatetime, BeforeValidator(_iso_text), AfterValidator(_utc)]
"""A time people enter: ISO 8601 text with an offset, within bounds, kept in UTC to the second."""


def _unique(ids: list[str]) -> list[str]:
    return list(dict.fromkeys(ids))


class OrderCycleStatus(StrEnum):
    undated = "undated"
    upcoming = "upcoming"
    open = "open"
    closed = "closed"


class IncomingExchange(Entity):
    supplier_id: Id
    variant_ids: list[Id] = Field(default_factory=list, max_length=5000)
    receival_instructions: Text = ""
    fee_ids: list[Id] = Field(default_factory=list, max_length=20)

    _dedupe = field_validator("variant_ids", "fee_ids")(_unique)


class OutgoingExchange(Entity):
    distributor_id: Id
    variant_ids: list[Id] = Field(default_factory=list, max_length=5000)
    ready_for: ReadyFor
    pickup_instructions: Text = ""
    tags: list[Tag] = Field(default_factory=list, max_length=20)
    fee_ids: list[Id] = Field(default_factory=list, max_length=20)
    shipping_method_ids: list[Id] | None = Field(default=None, min_length=1, max_length=50)
    payment_method_ids: list[Id] | None = Field(default=None, min_length=1, max_length=50)
    """Which of the distributor's methods this cycle offers; None: all of them."""

    _dedupe = field_validator("variant_ids", "fee_ids", "tags")(_unique)

    def offers_method(self, kind: str, method_id: str) -> bool:
        """`kind`: "shipping" or "payment"."""
        chosen = self.shipping_method_ids if kind == "shipping" else self.payment_method_ids
        return chosen is None or method_id in chosen


class OrderCycle(Entity):
    id: str
    coordinator_id: Id
    name: Name
    opens_at: Moment | None = None
    closes_at: Moment | None = None
    coordinator_fee_ids: list[Id] = Field(default_factory=list, max_length=20)
    automatic_notifications: bool = False
    incoming: list[IncomingExchange] = Field(default_factory=list)
    outgoing: list[OutgoingExchange] = Field(default_factory=list)
    opened_at: AwareDatetime | None = None
    """When the scheduler processed the opening; cleared when opens_at moves later."""
    processed_at: AwareDatetime | None = None
    """When the scheduler processed the closing; cleared when closes_at moves later."""
    sales_stopped_at: AwareDatetime | None = None
    """When the closing stopped checkouts, before reading the orders for the producers and the
    reports (checkout's transaction is conditioned on its absence); cleared with processed_at."""
    version: int = 0
    """Optimistic-lock counter: every save is conditional on the version that was read."""

    _to_utc = field_validator("opened_at", "processed_at", "sales_stopped_at")(_utc)
    _dedupe = field_validator("coordinator_fee_ids")(_unique)

    @model_validator(mode="after")
    def _closes_after_opening(self) -> "OrderCycle":
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValueError("closes_at must be after opens_at")
        return self

    def status(self, now: datetime) -> OrderCycleStatus:
        if self.opens_at is None or self.closes_at is None:
            return OrderCycleStatus.undated
        if now < self.opens_at:
            return OrderCycleStatus.upcoming
        if now < self.closes_at:
            return OrderCycleStatus.open
        return OrderCycleStatus.closed

    def incoming_of(self, supplier_id: str) -> IncomingExchange | None:
        return next((e for e in self.incoming if e.supplier_id == supplier_id), None)

    def outgoing_of(self, distributor_id: str) -> OutgoingExchange | None:
        return next((e for e in self.outgoing if e.distributor_id == distributor_id), None)

    @property
    def supplier_ids(self) -> list[str]:
        return [e.supplier_id for e in self.incoming]

    @property
    def distributor_ids(self) -> list[str]:
        return [e.distributor_id for e in self.outgoing]

    @property
    def incoming_variant_ids(self) -> set[str]:
        return {v for e in self.incoming for v in e.variant_ids}

    @property
    def participant_ids(self) -> set[str]:
        return {self.coordinator_id, *self.supplier_ids, *self.distributor_ids}

    def all_fee_ids(self) -> set[str]:
        ids = set(self.coordinator_fee_ids)
        for exchange in [*self.incoming, *self.outgoing]:
            ids.update(exchange.fee_ids)
        return ids

    def drop_variants_not_incoming(self) -> None:
        """Outgoing variants are always a subset of the incoming ones (seed 003)."""
        incoming = self.incoming_variant_ids
        for exchange in self.outgoing:
            exchange.variant_ids = [v for v in exchange.variant_ids if v in incoming]

    def without_supplier_in_shop(self, supplier_id: str, distributor_id: str) -> "OrderCycle":
        """Seed 004: a distributor sells a producer's products only while the producer grants it
        add_to_order_cycle. Withdrawn, they leave that distributor's outgoing exchange (the
        producer still supplies the cycle's other shops); orders placed stay as they are."""
        incoming, exchange = self.incoming_of(supplier_id), self.outgoing_of(distributor_id)
        if incoming is None or exchange is None or supplier_id == distributor_id:
            return self
        changed = self.model_copy(deep=True)
        theirs = set(incoming.variant_ids)
        shop = changed.outgoing_of(distributor_id)
        shop.variant_ids = [v for v in shop.variant_ids if v not in theirs]
        return changed

    def with_dates(self, opens_at: datetime | None, closes_at: datetime | None) -> "OrderCycle":
        """New dates; moving a processed opening or closing later re-arms it, so the scheduler
        opens, closes and notifies producers again at the new time."""
        opened_at, processed_at, sales_stopped_at = self.opened_at, self.processed_at, self.sales_stopped_at
        if opens_at is None or (self.opens_at is not None and opens_at > self.opens_at):
            opened_at = None
        if closes_at is None or (self.closes_at is not None and closes_at > self.closes_at):
            processed_at = sales_stopped_at = None
        return OrderCycle.model_validate(
            {**self.model_dump(), "opens_at": opens_at, "closes_at": closes_at,
             "opened_at": opened_at, "processed_at": processed_at, "sales_stopped_at": sales_stopped_at}
        )

    def rebased_on(self, fresh: "OrderCycle") -> "OrderCycle":
        """This change (made to an earlier read) over `fresh`, a read that differs only by what
        the scheduler recorded since: the scheduler's records are fresh's, as the change's dates
        leave them. A person's save never fails on the scheduler's work (issue 12)."""
        recorded = fresh.with_dates(self.opens_at, self.closes_at)
        return self.model_copy(update={field: getattr(recorded, field) for field in SCHEDULER_RECORDS})

    def duplicate(self, new_id: str) -> "OrderCycle":
        """Seed 003's "dupliquer": everything but the dates and the processing records."""
        return self.model_copy(
            update={
                "id": new_id,
                "name": f"COPY OF {self.name}"[:120],
                "opens_at": None,
                "closes_at": None,
                "opened_at": None,
                "processed_at": None,
                "sales_stopped_at": None,
                "version": 0,
                "incoming": [e.model_copy(deep=True) for e in self.incoming],
                "outgoing": [e.model_copy(deep=True) for e in self.outgoing],
                "coordinator_fee_ids": list(self.coordinator_fee_ids),
            }
        )


def open_exchange(cycle: OrderCycle, shop_id: str, now: datetime, closed_too: bool = False) -> OutgoingExchange:
    """The shop's outgoing exchange in a cycle it sells through now: what a shopper may see and
    buy. 404 if the shop does not distribute this cycle, 409 order_cycle_closed if the cycle is
    not open (`closed_too`: a manager taking an order by phone may also once it has closed)."""
    exchange = cycle.outgoing_of(shop_id)
    if exchange is None:
        raise NotFound(f"shop {shop_id} does not sell through order cycle {cycle.id}", code="order_cycle_not_found")
    status = cycle.status(now)
    if status != OrderCycleStatus.open and not (closed_too and status == OrderCycleStatus.closed):
        when = "has closed" if status == OrderCycleStatus.closed else "is not open yet"
        raise Conflict(f"this order cycle {when}", code="order_cycle_closed")
    return exchange
