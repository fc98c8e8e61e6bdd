"""Order cycles as their coordinator, suppliers and distributors run them (seeds 003 and 004).

Every change is saved under the version that was read; then what the shop reads in the cycle's
partition (offers: copies of the incoming variants; fee copies) is brought in line, and the
opening and closing are re-armed. Who may see and change what is `hubcycle.permissions`' rule;
this module loads what that rule needs, in a number of requests that does not grow with the
cycle: the cycle, the caller's enterprises, and the grants of those taking part."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Literal

from hubcycle.clock import clock
from hubcycle.errors import Conflict, Forbidden, Invalid, NotFound
from hubcycle.order_cycles import SCHEDULER_RECORDS, Id, IncomingExchange, OrderCycle, OrderCycleStatus, OutgoingExchange
from hubcycle.permissions import (
    OrderCycleAccess,
    PermissionGraph,
    Refusal,
    apply_incoming_edit,
    apply_outgoing_edit,
    cycles_changed_by_revoke,
    distributor_refusal,
    supplier_refusal,
)
from hubcycle.repository.base import TransactionCancelled
from hubcycle.repository.catalogue import CatalogueRepository
from hubcycle.repository.enterprises import EnterpriseRepository
from hubcycle.repository.notifications import OutboxRepository
from hubcycle.repository.order_cycles import OrderCycleRepository
from hubcycle.services.auth import Caller
from hubcycle.services.bodies import Body, body_of, new_id

_NEVER = datetime.max.replace(tzinfo=timezone.utc)

_KEPT_BY_THE_SERVER = frozenset({"id", "incoming", "outgoing", "version", *SCHEDULER_RECORDS})
NewOrderCycle = body_of(OrderCycle, "NewOrderCycle", _KEPT_BY_THE_SERVER)
OrderCycleChanges = body_of(OrderCycle, "OrderCycleChanges", _KEPT_BY_THE_SERVER, optional=True)
IncomingChanges = body_of(IncomingExchange, "IncomingChanges", frozenset({"supplier_id"}), optional=True)
OutgoingChanges = body_of(OutgoingExchange, "OutgoingChanges", frozenset({"distributor_id"}), optional=True)


class ListingQuery(Body):
    enterprise_id: Id | None = None
    closed_within_days: Literal["30", "90"] = "30"
    """Seed 003: a cycle closed over a month ago leaves the list, unless asked for (+30 / +90 days)."""


# --- Reading


def listing(caller: Caller, query: ListingQuery) -> list[dict]:
    """The cycles the caller's enterprises take part in, newest closing first (undated ones,
    being prepared, first of all), each with `status`, the caller's `roles` in it and what it may
    see of the producer emails sent. One Query per enterprise, then the cycles and their email
    summaries by BatchGetItem."""
    if query.enterprise_id:
        caller.require_manager(query.enterprise_id)
        enterprise_ids = {query.enterprise_id}
    else:
        enterprise_ids = caller.managed_ids
    now = clock.now()
    since = now - timedelta(days=int(query.closed_within_days))
    repository = OrderCycleRepository()
    roles: dict[str, dict[str, list[str]]] = {}
    for enterprise_id in sorted(enterprise_ids):
        for participation in repository.participations(enterprise_id):
            closes_at = participation.get("closes_at")
            if closes_at and datetime.fromisoformat(closes_at) < since:
                continue
            roles.setdefault(participation["order_cycle_id"], {})[enterprise_id] = participation["roles"]
    told = {c: _suppliers_told(r) for c, r in roles.items()}
    found, summaries = repository.get_many_with_summaries(roles, [c for c, seen in told.items() if seen])
    cycles = sorted(found, key=lambda c: (c.closes_at or _NEVER, c.name), reverse=True)
    return [
        {
            "id": cycle.id,
            "name": cycle.name,
            "coordinator_id": cycle.coordinator_id,
            "opens_at": _iso(cycle.opens_at),
            "closes_at": _iso(cycle.closes_at),
            "status": cycle.status(now).value,
            "automatic_notifications": cycle.automatic_notifications,
            "roles": roles[cycle.id],
            **_producers_notified(summaries.get(cycle.id, {}), told[cycle.id]),
        }
        for cycle in cycles
    ]


def _suppliers_told(roles: dict[str, list[str]]) -> set[str] | bool:
    """Whose producer emails the caller sees in a cycle: all (True) as its coordinator, else
    those of its enterprises that supply it (none: False)."""
    if any("coordinator" in r for r in roles.values()):
        return True
    return {e for e, r in roles.items() if "supplier" in r} or False


def _producers_notified(summary: dict, told: set[str] | bool) -> dict:
    """`producers_notified` for the list, as the caller may see it (seed 004): the coordinator
    gets when the last email went and every supplier's outcome; a supplier its own."""
    if not told:
        return {}
    seen = (lambda ids: sorted(ids)) if told is True else (lambda ids: sorted(set(ids) & told))
    found = {"supplier_ids": seen(summary.get("notified", ())), "failed_supplier_ids": seen(summary.get("failed", ()))}
    if told is True:
        found["notified_at"] = summary.get("notified_at") and _iso(datetime.fromisoformat(summary["notified_at"]))
    return {"producers_notified": found}


def read(caller: Caller, cycle_id: str) -> dict:
    """The cycle as the caller's roles may see it, with the producer notifications sent for it:
    all of them for the coordinator, a supplier's own for a supplier (a bounce shows here)."""
    cycle = OrderCycleRepository().get(cycle_id)
    access = _access(caller, cycle)
    view = _view(access, cycle)
    if access.coordinator or access.supplier_ids:
        view["notifications"] = [
            n for n in OutboxRepository().notifications(cycle.id)
            if access.coordinator or n["supplier_id"] in access.supplier_ids
        ]
    return view


# --- The coordinator's own decisions


def create(caller: Caller, body) -> dict:
    """The coordinator must be a shop or hub the caller manages (seed 003: a profile cannot)."""
    caller.require_manager(body.coordinator_id)
    coordinator = caller.enterprises.get(body.coordinator_id)
    if not coordinator.can_coordinate:
        raise Invalid(
            f"{coordinator.name} is a profile, and profiles cannot coordinate order cycles.", field="coordinator_id"
        )
    _require_own_fees(body.coordinator_fee_ids, coordinator.id)
    cycle = OrderCycle(id=new_id(), **body.model_dump())
    OrderCycleRepository().create(cycle)
    _after_save(cycle)
    return _view(_coordinator_access(caller, cycle), cycle)


def change(caller: Caller, cycle_id: str, body) -> dict:
    """Name, dates, coordinator fees, automatic notifications. Moving a date later re-arms it."""
    cycle, access = _as_coordinator(caller, cycle_id, "rename it, move its dates or change its coordinator fees")
    changes = body.model_dump(exclude_unset=True)
    if changes.pop("coordinator_id", cycle.coordinator_id) != cycle.coordinator_id:
        raise Invalid("An order cycle's coordinator cannot be changed once it is created.", field="coordinator_id")
    if "coordinator_fee_ids" in changes:
        _require_own_fees(changes["coordinator_fee_ids"], cycle.coordinator_id)
    dated = cycle.with_dates(changes.pop("opens_at", cycle.opens_at), changes.pop("closes_at", cycle.closes_at))
    changed = OrderCycle.model_validate({**dated.model_dump(), **changes})
    return _view(access, _save(changed, cycle))


def duplicate(caller: Caller, cycle_id: str) -> dict:
    """Seed 003's "dupliquer": a "COPY OF" with everything but the dates."""
    cycle, access = _as_coordinator(caller, cycle_id, "duplicate it")
    copy = _still_allowed(cycle.duplicate(new_id()))
    OrderCycleRepository().create(copy)
    _after_save(copy)
    return _view(access, copy)


def _still_allowed(cycle: OrderCycle) -> OrderCycle:
    """A copy keeps only the suppliers, distributors and products that may still take part:
    a permission withdrawn since the original was made is respected (seed 004)."""
    enterprises = EnterpriseRepository()
    found = enterprises.get_many(cycle.participant_ids)
    graph = enterprises.permission_graph(cycle.participant_ids)
    coordinator = found[cycle.coordinator_id]

    def may_supply(exchange: IncomingExchange) -> bool:
        supplier = found.get(exchange.supplier_id)
        return supplier is not None and supplier_refusal(coordinator, supplier, graph) is None

    def may_distribute(exchange: OutgoingExchange) -> bool:
        distributor = found.get(exchange.distributor_id)
        if distributor is None:
            return False
        shipping, payment = enterprises.methods(distributor.id)
        return distributor_refusal(coordinator, distributor, graph, bool(shipping), bool(payment)) is None

    kept = cycle.model_copy(update={"incoming": [e for e in cycle.incoming if may_supply(e)],
                                    "outgoing": [e for e in cycle.outgoing if may_distribute(e)]})
    kept.drop_variants_not_incoming()
    supplier_of = {v: e.supplier_id for e in kept.incoming for v in e.variant_ids}
    for exchange in kept.outgoing:  # both ways: each supplier still lets this distributor sell it
        exchange.variant_ids = [v for v in exchange.variant_ids
                                if graph.adds_to_cycles_of(supplier_of[v], exchange.distributor_id)]
    return kept


def delete(caller: Caller, cycle_id: str) -> None:
    """409 order_cycle_in_use once an order references the cycle."""
    cycle, _ = _as_coordinator(caller, cycle_id, "delete it")
    OrderCycleRepository().delete(cycle)
    _scheduling().disarm(cycle.id)


def notify_producers(caller: Caller, cycle_id: str) -> dict:
    """Seed 003's "Notifier les producteurs", now; the same emails as the automatic ones."""
    cycle, _ = _as_coordinator(caller, cycle_id, "notify its producers")
    from hubcycle.services import notifications  # the mail machinery, loaded when used

    return {"emails_sent": notifications.notify_producers(cycle.id, automatic=False)}


def remove_exchange(caller: Caller, cycle_id: str, direction: Literal["incoming", "outgoing"], enterprise_id: str) -> dict:
    """Taking a supplier or a distributor out of the cycle; a supplier's products leave the
    shops with it."""
    cycle, access = _as_coordinator(caller, cycle_id, f"remove {'suppliers' if direction == 'incoming' else 'distributors'}")
    changed = cycle.model_copy(deep=True)
    changed.incoming = [e for e in changed.incoming if direction != "incoming" or e.supplier_id != enterprise_id]
    changed.outgoing = [e for e in changed.outgoing if direction != "outgoing" or e.distributor_id != enterprise_id]
    if len(changed.incoming) + len(changed.outgoing) == len(cycle.incoming) + len(cycle.outgoing):
        raise NotFound(f"{enterprise_id} has no {direction} exchange in this order cycle.", code="exchange_not_found")
    changed.drop_variants_not_incoming()
    return _view(access, _save(changed, cycle))


# --- Exchanges: the coordinator adds them; suppliers and distributors change their own parts


def put_incoming(caller: Caller, cycle_id: str, supplier_id: str, body) -> dict:
    cycle = OrderCycleRepository().get(cycle_id)
    access = _access(caller, cycle, supplier_id)
    current = cycle.incoming_of(supplier_id)
    if current is None:
        access.require_coordinator("add suppliers")
        coordinator, supplier = _pair(cycle.coordinator_id, supplier_id)
        _refuse("supplier_id", supplier_refusal(coordinator, supplier, access.graph))
    requested = IncomingExchange.model_validate(_merged(current, body, supplier_id=supplier_id))
    known = set(current.variant_ids) if current else set()
    variant_owner = {v: supplier_id for v in known}
    added = CatalogueRepository().get_variants(set(requested.variant_ids) - known)
    variant_owner |= {v.id: v.supplier_id for v in added.values()}
    hidden = sorted(v.id for v in added.values() if v.hidden)
    if hidden:
        raise Invalid(f"Hidden products cannot be added to an order cycle: {', '.join(hidden)}.", field="variant_ids")
    fee_owner = _fee_owners(current, requested, {cycle.coordinator_id, supplier_id})
    exchange = apply_incoming_edit(access, cycle, supplier_id, requested, fee_owner, variant_owner)
    return _save_exchange(caller, cycle, access, exchange)


def put_outgoing(caller: Caller, cycle_id: str, distributor_id: str, body) -> dict:
    cycle = OrderCycleRepository().get(cycle_id)
    access = _access(caller, cycle, distributor_id)
    current = cycle.outgoing_of(distributor_id)
    if current is None:
        access.require_coordinator("add distributors")
        coordinator, distributor = _pair(cycle.coordinator_id, distributor_id)
        shipping, payment = caller.enterprises.methods(distributor_id)
        _refuse("distributor_id", distributor_refusal(coordinator, distributor, access.graph, bool(shipping), bool(payment)))
    requested = OutgoingExchange.model_validate(_merged(current, body, distributor_id=distributor_id))
    _require_methods_of(distributor_id, requested)
    fee_owner = _fee_owners(current, requested, {cycle.coordinator_id, distributor_id})
    exchange = apply_outgoing_edit(access, cycle, distributor_id, requested, fee_owner)
    return _save_exchange(caller, cycle, access, exchange)


def withdraw_supplier(supplier_id: str, grantee_id: str) -> None:
    """`supplier_id` withdrew add_to_order_cycle from `grantee_id`, in the cycles that are not
    closed: where `grantee_id` coordinates, the supplier leaves the cycle and its products leave
    every shop; where `grantee_id` distributes, the supplier's products leave its shop (seed 004).
    Closed cycles, and orders placed, keep their history for the reports."""
    repository = OrderCycleRepository()
    supplying = {p["order_cycle_id"] for p in repository.participations(supplier_id) if "supplier" in p["roles"]}
    involving = {p["order_cycle_id"] for p in repository.participations(grantee_id)
                 if {"coordinator", "distributor"} & set(p["roles"])}
    now = clock.now()
    for cycle in repository.get_many(supplying & involving):
        if cycle.status(now) == OrderCycleStatus.closed:
            continue
        left = next(iter(cycles_changed_by_revoke([cycle], supplier_id, grantee_id)), cycle)
        changed = left.without_supplier_in_shop(supplier_id, grantee_id)
        if changed != cycle:
            _save(changed, cycle)


def cycles_not_closed(cycle_ids) -> list[OrderCycle]:
    now = clock.now()
    return [c for c in OrderCycleRepository().get_many(cycle_ids) if c.status(now) != OrderCycleStatus.closed]


def remove_variants(variant_ids: set[str], cycle_ids) -> None:
    """Variants being deleted leave the cycles that are not closed (their incoming exchanges, so
    every shop of the cycle too). Closed cycles keep them for their history."""
    for cycle in cycles_not_closed(cycle_ids):
        changed = cycle.model_copy(deep=True)
        for exchange in changed.incoming:
            exchange.variant_ids = [v for v in exchange.variant_ids if v not in variant_ids]
        changed.drop_variants_not_incoming()
        if changed != cycle:
            _save(changed, cycle)


def remove_fee(fee_id: str, cycles: list[OrderCycle]) -> None:
    """A fee being deleted leaves these cycles wherever they apply it."""
    for cycle in cycles:
        changed = cycle.model_copy(deep=True)
        changed.coordinator_fee_ids = [f for f in changed.coordinator_fee_ids if f != fee_id]
        for exchange in [*changed.incoming, *changed.outgoing]:
            exchange.fee_ids = [f for f in exchange.fee_ids if f != fee_id]
        _save(changed, cycle)


# --- Helpers


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _view(access: OrderCycleAccess, cycle: OrderCycle) -> dict:
    return {**access.view(cycle), "status": cycle.status(clock.now()).value}


def _access(caller: Caller, cycle: OrderCycle, *also: str) -> OrderCycleAccess:
    """The caller's roles in the cycle, with the grants of the caller's enterprises taking part
    (and of `also`, the enterprise an edit is about): every grant the permission rule asks about
    involves one of them."""
    mine = caller.managed_ids & cycle.participant_ids
    if not mine:
        raise Forbidden("None of your enterprises takes part in this order cycle.")
    graph = caller.enterprises.permission_graph(mine | set(also))
    return OrderCycleAccess.of(cycle, caller.managed_ids, graph)


def _coordinator_access(caller: Caller, cycle: OrderCycle) -> OrderCycleAccess:
    """The coordinator sees and decides everything: no grant needs reading."""
    return OrderCycleAccess.of(cycle, caller.managed_ids, PermissionGraph([]))


def _as_coordinator(caller: Caller, cycle_id: str, action: str) -> tuple[OrderCycle, OrderCycleAccess]:
    cycle = OrderCycleRepository().get(cycle_id)
    access = _coordinator_access(caller, cycle)
    access.require_coordinator(action)
    return cycle, access


def _pair(coordinator_id: str, other_id: str):
    found = EnterpriseRepository().get_many({coordinator_id, other_id})
    if other_id not in found:
        raise NotFound(f"no enterprise {other_id}", code="enterprise_not_found")
    return found[coordinator_id], found[other_id]


def _refuse(field: str, refusal: Refusal | None) -> None:
    if refusal:
        raise Invalid(f"{refusal.text}.", field=field)


def _merged(current, body, **key: str) -> dict:
    """The exchange as requested: fields the body leaves out keep their current value."""
    return {**(current.model_dump() if current else {}), **body.model_dump(exclude_unset=True), **key}


def _replaced(exchanges: list, exchange, same) -> list:
    if any(same(e) for e in exchanges):
        return [exchange if same(e) else e for e in exchanges]
    return [*exchanges, exchange]


def _save_exchange(caller: Caller, cycle: OrderCycle, access: OrderCycleAccess,
                   exchange: IncomingExchange | OutgoingExchange) -> dict:
    """The cycle saved with `exchange` in place of its enterprise's (or added); products no
    longer incoming leave the shops. Answers the cycle as the caller now sees it."""
    changed = cycle.model_copy(deep=True)
    if isinstance(exchange, IncomingExchange):
        changed.incoming = _replaced(cycle.incoming, exchange, lambda e: e.supplier_id == exchange.supplier_id)
        changed.drop_variants_not_incoming()
    else:
        changed.outgoing = _replaced(cycle.outgoing, exchange, lambda e: e.distributor_id == exchange.distributor_id)
    saved = _save(changed, cycle)
    return _view(OrderCycleAccess.of(saved, caller.managed_ids, access.graph), saved)


def _owners_of_fees(fee_ids, owners: set[str]) -> dict[str, str]:
    """Owner of each of `fee_ids` that belongs to one of `owners`; any other id reads as unknown."""
    fees = CatalogueRepository().get_fees(set(fee_ids))
    return {f.id: f.enterprise_id for f in fees.values() if f.enterprise_id in owners}


def _fee_owners(current, requested, owners: set[str]) -> dict[str, str]:
    """For an exchange edit: the fees it had and the fees asked for, of these enterprises."""
    return _owners_of_fees([*(current.fee_ids if current else []), *requested.fee_ids], owners)


def _require_methods_of(distributor_id: str, exchange: OutgoingExchange) -> None:
    """The methods a cycle offers in a shop are that shop's own."""
    if exchange.shipping_method_ids is None and exchange.payment_method_ids is None:
        return
    shipping, payment = EnterpriseRepository().methods(distributor_id)
    for field, chosen, methods in (("shipping_method_ids", exchange.shipping_method_ids, shipping),
                                   ("payment_method_ids", exchange.payment_method_ids, payment)):
        unknown = sorted(set(chosen or []) - {m.id for m in methods})
        if unknown:
            raise Invalid(f"Not methods of {distributor_id}: {', '.join(unknown)}.", field=field)


def _require_own_fees(fee_ids: list[str], coordinator_id: str) -> None:
    owned = _owners_of_fees(fee_ids, {coordinator_id})
    foreign = [f for f in fee_ids if f not in owned]
    if foreign:
        raise Invalid(f"Not enterprise fees of the coordinator: {', '.join(foreign)}.", field="coordinator_fee_ids")


def _save(changed: OrderCycle, previous: OrderCycle) -> OrderCycle:
    saved = OrderCycleRepository().save(changed, previous)
    _after_save(saved)
    return saved


def _after_save(cycle: OrderCycle) -> None:
    """The shop reads only the cycle's partition: its fee copies, offers and shop copies follow
    every change. The syncs compare with what the partition holds, not with the previous cycle, so
    sending the same change again repairs a sync that an earlier attempt could not finish. Then the
    opening and closing are (re-)armed."""
    OrderCycleRepository().sync_fee_copies(cycle, CatalogueRepository().get_fees(cycle.all_fee_ids()))
    _sync_offers(cycle)
    OrderCycleRepository().sync_shop_copies(cycle, EnterpriseRepository().get_many)
    _scheduling().arm(cycle)


def _scheduling():
    """The scheduler's module (and the mail machinery it imports), loaded on the first change:
    listing and reading cycles never need it."""
    from hubcycle.services import scheduling

    return scheduling


def _sync_offers(cycle: OrderCycle) -> None:
    """Retried once: a checkout may change a variant's stock between the read and the write.
    Only variants without a copy yet are read from the catalogue."""
    cycles = OrderCycleRepository()
    names: dict[str, str] = {}
    for _ in range(2):
        existing = cycles.offers(cycle.id)
        missing = cycle.incoming_variant_ids - set(existing)
        if missing and not names:
            names = {e.id: e.name for e in EnterpriseRepository().get_many(cycle.supplier_ids).values()}
        variants = CatalogueRepository().get_variants_with_offers(missing)
        try:
            cycles.sync_offers(cycle, variants, names, existing)
            return
        except TransactionCancelled:
            continue
    raise Conflict(
        "Stock changed while the order cycle's products were being updated; send the change again.",
        code="stock_changed",
    )
