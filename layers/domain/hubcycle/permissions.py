"""Enterprise permissions and who may see or change what in an order cycle (seed 004).

An enterprise grants another abilities over itself. "add_to_order_cycle" is the one order cycles
care about: a producer grants it to the hubs that may put its products in their cycles (and to
the distributors that may sell them), a hub grants it to the coordinators whose cycles it
distributes for, and to the suppliers it lets place their products in its shop.

In an order cycle a user acts through the enterprises they manage: as coordinator, as supplier
(an incoming exchange), as distributor (an outgoing exchange). What they see and may change is
the union of their roles. How edits are read, for the parts a role may change only in part:
the request speaks for what the caller may change; what it may not change stays as it is, and
an attempt to change it (a different value, or adding or leaving out an id the caller can see
but may not touch) is a 403 naming the rule. Ids the caller cannot see (another supplier's
products in a shop's list) are kept whatever the request says. Handlers fill the fields a body
leaves out from the current exchange, so leaving a field out never counts as a change."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from pydantic import Field, field_validator, model_validator

from hubcycle.enterprises import Enterprise, EnterpriseKind, Entity
from hubcycle.errors import Forbidden, Invalid
from hubcycle.order_cycles import Id, IncomingExchange, OrderCycle, OutgoingExchange


class Ability(StrEnum):
    add_to_order_cycle = "add_to_order_cycle"
    manage_products = "manage_products"
    edit_profile = "edit_profile"


class EnterprisePermission(Entity):
    """What `grantor_id` lets `grantee_id` do on its behalf."""

    grantor_id: Id
    grantee_id: Id
    abilities: list[Ability] = Field(default_factory=list)

    @field_validator("abilities")
    @classmethod
    def _unique_sorted(cls, abilities: list[Ability]) -> list[Ability]:
        return sorted(set(abilities))

    @model_validator(mode="after")
    def _not_to_itself(self) -> "EnterprisePermission":
        if self.grantor_id == self.grantee_id:
            raise ValueError("an enterprise already holds every ability over itself")
        return self


class PermissionGraph:
    """Every grant between enterprises, asked one question at a time."""

    def __init__(self, permissions: Iterable[EnterprisePermission]):
        self._grants = {(p.grantor_id, p.grantee_id, a) for p in permissions for a in p.abilities}

    def granted(self, grantor_id: str | None, grantee_id: str, ability: Ability) -> bool:
        """An enterprise always holds every ability over itself."""
        return grantor_id == grantee_id or (grantor_id, grantee_id, ability) in self._grants

    def adds_to_cycles_of(self, grantor_id: str | None, grantee_id: str) -> bool:
        """Whether `grantee_id` may add `grantor_id` (and its products) to its order cycles."""
        return self.granted(grantor_id, grantee_id, Ability.add_to_order_cycle)


# --- Who may take part in a cycle (seed 003 and 004: "Registered as a Hub", "have granted ...")


@dataclass(frozen=True)
class Refusal:
    """Why an enterprise cannot take part in a coordinator's cycles. `reasons` are stable codes
    with their parameters, for screens to say them in the reader's language: about the
    enterprise itself (`not_producer`, `not_hub`, `not_granted` with the `ability` and the
    `grantee` coordinator's name, `no_shipping_method`, `no_payment_method`), or about the
    coordinator (`coordinator_is_profile`, `coordinator_is_shop` with `coordinator` and `role`).
    `text` is the English sentence, for API clients and error messages."""

    enterprise: str
    """The name of the enterprise refused."""
    reasons: tuple[dict, ...]

    @property
    def text(self) -> str:
        phrases = [_PHRASES[r["code"]].format(**r) for r in self.reasons]
        if self.reasons[0]["code"] in _ABOUT_THE_COORDINATOR:
            return phrases[0]
        listed = phrases[0] if len(phrases) == 1 else ", ".join(phrases[:-1]) + " and " + phrases[-1]
        return f"{self.enterprise} {listed}"


_ABOUT_THE_COORDINATOR = ("coordinator_is_profile", "coordinator_is_shop")
_PHRASES = {
    "coordinator_is_profile": "{coordinator} is a profile, and profiles cannot coordinate order cycles",
    "coordinator_is_shop": "{coordinator} is a shop: its order cycles have the shop itself as only {role}",
    "not_producer": "is not a producer",
    "not_hub": "is not a hub",
    "not_granted": "has not granted {grantee} permission to add it to order cycles",
    "no_shipping_method": "has no shipping method",
    "no_payment_method": "has no payment method",
}


def _refusal(participant: Enterprise, reasons: list[dict]) -> Refusal | None:
    return Refusal(participant.name, tuple(reasons)) if reasons else None


def _coordinator_refusal(coordinator: Enterprise, participant: Enterprise, role: str) -> Refusal | None:
    if not coordinator.can_coordinate:
        return _refusal(participant, [{"code": "coordinator_is_profile", "coordinator": coordinator.name}])
    if coordinator.is_producer_shop and participant.id != coordinator.id:
        return _refusal(participant, [{"code": "coordinator_is_shop", "coordinator": coordinator.name, "role": role}])
    return None


def _not_granted(participant: Enterprise, coordinator: Enterprise, graph: PermissionGraph) -> list[dict]:
    if graph.adds_to_cycles_of(participant.id, coordinator.id):
        return []
    return [{"code": "not_granted", "ability": Ability.add_to_order_cycle.value, "grantee": coordinator.name}]


def supplier_refusal(coordinator: Enterprise, supplier: Enterprise, graph: PermissionGraph) -> Refusal | None:
    """Why `supplier` cannot supply `coordinator`'s cycles, or None if it can. The coordinator
    itself must be a producer too, as only producers have products."""
    refusal = _coordinator_refusal(coordinator, supplier, "supplier")
    if refusal:
        return refusal
    reasons = [] if supplier.is_producer else [{"code": "not_producer"}]
    return _refusal(supplier, reasons + _not_granted(supplier, coordinator, graph))


def distributor_refusal(
    coordinator: Enterprise,
    distributor: Enterprise,
    graph: PermissionGraph,
    has_shipping_method: bool,
    has_payment_method: bool,
) -> Refusal | None:
    """Why `distributor` cannot sell `coordinator`'s cycles, or None if it can. Seed 003: a hub
    without a shipping or payment method shows in the list but cannot be chosen."""
    refusal = _coordinator_refusal(coordinator, distributor, "distributor")
    if refusal:
        return refusal
    reasons = []
    if distributor.id != coordinator.id and distributor.kind != EnterpriseKind.hub:
        reasons.append({"code": "not_hub"})
    reasons += _not_granted(distributor, coordinator, graph)
    if not has_shipping_method:
        reasons.append({"code": "no_shipping_method"})
    if not has_payment_method:
        reasons.append({"code": "no_payment_method"})
    return _refusal(distributor, reasons)


# --- What a user may see and change in one cycle (seed 004)


INCOMING_FIELDS = ("variant_ids", "receival_instructions", "fee_ids")
OUTGOING_FIELDS = ("variant_ids", "ready_for", "pickup_instructions", "tags", "fee_ids",
                   "shipping_method_ids", "payment_method_ids", "ready_reminder_at", "reminder_message")


def _suppliers_of_variants(cycle: OrderCycle) -> dict[str, str]:
    """A variant listed in supplier S's incoming exchange is S's product."""
    return {variant_id: e.supplier_id for e in cycle.incoming for variant_id in e.variant_ids}


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


@dataclass(frozen=True)
class OrderCycleAccess:
    """One user's roles in one cycle, through the enterprises they manage."""

    coordinator: bool
    supplier_ids: frozenset[str]
    """Managed enterprises that supply the cycle."""
    distributor_ids: frozenset[str]
    """Managed enterprises that distribute the cycle."""
    graph: PermissionGraph

    @classmethod
    def of(cls, cycle: OrderCycle, managed_ids: set[str], graph: PermissionGraph) -> "OrderCycleAccess":
        return cls(
            coordinator=cycle.coordinator_id in managed_ids,
            supplier_ids=frozenset(managed_ids.intersection(cycle.supplier_ids)),
            distributor_ids=frozenset(managed_ids.intersection(cycle.distributor_ids)),
            graph=graph,
        )

    @property
    def can_see(self) -> bool:
        return self.coordinator or bool(self.supplier_ids or self.distributor_ids)

    def require_coordinator(self, action: str) -> None:
        """Renaming, dates, coordinator fees, notifications, adding or removing suppliers and
        distributors, duplicating, deleting, notifying producers: the coordinator's alone."""
        if not self.coordinator:
            raise Forbidden(f"Only the order cycle's coordinator can {action}.")

    def suppliers_seeing_shop_of(self, distributor_id: str) -> set[str]:
        """Managed suppliers that granted this distributor add_to_order_cycle: they see their own
        products in its outgoing exchange."""
        return {s for s in self.supplier_ids if self.graph.adds_to_cycles_of(s, distributor_id)}

    def incoming_rights(self, coordinator_id: str, supplier_id: str) -> dict:
        """What this user may change in `supplier_id`'s incoming exchange, for screens to offer
        only that (the same rule as `apply_incoming_edit`): `fields`, and `fee_owner_ids`, the
        enterprises whose fees it may add or remove there."""
        if self.coordinator:
            return {"fields": list(INCOMING_FIELDS), "fee_owner_ids": list(dict.fromkeys([coordinator_id, supplier_id]))}
        if supplier_id in self.supplier_ids:
            return {"fields": list(INCOMING_FIELDS), "fee_owner_ids": [supplier_id]}
        return {"fields": [], "fee_owner_ids": []}

    def outgoing_rights(self, cycle: OrderCycle, distributor_id: str) -> dict:
        """What this user may change in `distributor_id`'s outgoing exchange (the same rule as
        `apply_outgoing_edit`): `fields`, `fee_owner_ids`, and `product_supplier_ids`, the
        suppliers whose products it may add or remove there."""
        sellers = [s for s in cycle.supplier_ids if self.graph.adds_to_cycles_of(s, distributor_id)]
        if self.coordinator or distributor_id in self.distributor_ids:
            owners = [cycle.coordinator_id, distributor_id] if self.coordinator else [distributor_id]
            return {"fields": list(OUTGOING_FIELDS), "fee_owner_ids": list(dict.fromkeys(owners)),
                    "product_supplier_ids": sellers}
        editing = [s for s in self.suppliers_seeing_shop_of(distributor_id)
                   if self.graph.adds_to_cycles_of(distributor_id, s)]
        return {"fields": ["variant_ids"] if editing else [], "fee_owner_ids": [], "product_supplier_ids": editing}

    def view(self, cycle: OrderCycle) -> dict:
        """The cycle as this user may read it, without `status` (the caller adds it).

        The coordinator sees everything. Others never see `coordinator_fee_ids`. Parts a role may
        not see are left out (keys omitted, never nulled): a supplier sees its own incoming
        exchange, and in the shops of distributors it granted add_to_order_cycle only
        `distributor_id`, `ready_for` and its own `variant_ids`; a distributor sees its own
        outgoing exchange, and of the suppliers that granted it add_to_order_cycle only
        `supplier_id` and `variant_ids`."""
        body = {
            "id": cycle.id,
            "name": cycle.name,
            "coordinator_id": cycle.coordinator_id,
            "opens_at": _iso(cycle.opens_at),
            "closes_at": _iso(cycle.closes_at),
            "automatic_notifications": cycle.automatic_notifications,
        }
        if self.coordinator:
            body["coordinator_fee_ids"] = list(cycle.coordinator_fee_ids)
        supplier_of = _suppliers_of_variants(cycle)
        body["incoming"] = [seen for e in cycle.incoming if (seen := self._incoming_view(e)) is not None]
        body["outgoing"] = [seen for e in cycle.outgoing if (seen := self._outgoing_view(e, supplier_of)) is not None]
        return body

    def _incoming_view(self, exchange: IncomingExchange) -> dict | None:
        if self.coordinator or exchange.supplier_id in self.supplier_ids:
            return exchange.model_dump(mode="json")
        if any(self.graph.adds_to_cycles_of(exchange.supplier_id, d) for d in self.distributor_ids):
            return {"supplier_id": exchange.supplier_id, "variant_ids": list(exchange.variant_ids)}
        return None

    def _outgoing_view(self, exchange: OutgoingExchange, supplier_of: Mapping[str, str]) -> dict | None:
        if self.coordinator or exchange.distributor_id in self.distributor_ids:
            return exchange.model_dump(mode="json")
        seeing = self.suppliers_seeing_shop_of(exchange.distributor_id)
        if not seeing:
            return None
        return {
            "distributor_id": exchange.distributor_id,
            "ready_for": exchange.ready_for,
            "variant_ids": [v for v in exchange.variant_ids if supplier_of.get(v) in seeing],
        }


# --- Edits


def _unchanged(field: str, current: object, requested: object, rule: str) -> None:
    if current != requested:
        raise Forbidden(rule, field=field)


def _merge_ids(
    field: str,
    current: list[str],
    requested: list[str],
    *,
    editable: Callable[[str], bool],
    shown: Callable[[str], bool],
    rule: str,
) -> list[str]:
    """The request decides the ids the caller may edit; the others stay. Adding an id the caller
    may not edit, or leaving out one it is shown but may not edit, is an attempted change."""
    attempted = [i for i in requested if not editable(i) and i not in current]
    attempted += [i for i in current if not editable(i) and shown(i) and i not in requested]
    if attempted:
        raise Forbidden(f"{rule} (not allowed: {', '.join(attempted)}).", field=field)
    return [i for i in current if not editable(i)] + [i for i in requested if editable(i)]


def _everything(_: str) -> bool:
    return True


def _require_known_fees(fee_ids: list[str], fee_owner: Mapping[str, str]) -> None:
    unknown = [f for f in fee_ids if f not in fee_owner]
    if unknown:
        raise Invalid(f"Unknown enterprise fees: {', '.join(unknown)}.", field="fee_ids")


def apply_incoming_edit(
    access: OrderCycleAccess,
    cycle: OrderCycle,
    supplier_id: str,
    requested: IncomingExchange,
    fee_owner: Mapping[str, str],
    variant_owner: Mapping[str, str],
) -> IncomingExchange:
    """The incoming exchange of `supplier_id` after this user's request, or Forbidden/Invalid.

    `fee_owner` maps fee ids to the enterprise that owns them (at least the cycle's and the
    request's); `variant_owner` maps variant ids to their supplier, from the catalogue, as new
    variants are not in the cycle yet. A new exchange (a new supplier) is the coordinator's to
    add, after `supplier_refusal`. The supplier changes the rest of its own exchange, receival
    instructions included (seed 003: it "peut modifier les éléments le concernant"), and only its
    own fees. The caller drops from the outgoing exchanges what is no longer
    incoming (`OrderCycle.drop_variants_not_incoming`)."""
    current = cycle.incoming_of(supplier_id)
    if current is None:
        access.require_coordinator("add suppliers")
    elif not (access.coordinator or supplier_id in access.supplier_ids):
        raise Forbidden("Only the coordinator and the supplier itself can change a supplier's incoming products.")
    requested = requested.model_copy(update={"supplier_id": supplier_id})
    foreign = [v for v in requested.variant_ids if variant_owner.get(v) != supplier_id]
    if foreign:
        raise Invalid(f"Not products of supplier {supplier_id}: {', '.join(foreign)}.", field="variant_ids")
    _require_known_fees(requested.fee_ids, fee_owner)
    if access.coordinator:
        return requested

    fee_ids = _merge_ids(
        "fee_ids",
        current.fee_ids,
        requested.fee_ids,
        editable=lambda f: fee_owner.get(f) == supplier_id,
        shown=_everything,
        rule="A supplier can add or remove only its own fees",
    )
    return requested.model_copy(update={"fee_ids": fee_ids})


def apply_outgoing_edit(
    access: OrderCycleAccess,
    cycle: OrderCycle,
    distributor_id: str,
    requested: OutgoingExchange,
    fee_owner: Mapping[str, str],
) -> OutgoingExchange:
    """The outgoing exchange of `distributor_id` after this user's request, or Forbidden/Invalid.

    Whoever edits, the variants are among the cycle's incoming ones, and each variant added comes
    from a supplier that granted this distributor add_to_order_cycle (the supplier being the
    distributor itself is fine): seed 004's permission both ways. A new exchange (a new
    distributor) is the coordinator's to add, after `distributor_refusal`."""
    current = cycle.outgoing_of(distributor_id)
    is_distributor = distributor_id in access.distributor_ids
    seeing = access.suppliers_seeing_shop_of(distributor_id)
    if current is None:
        access.require_coordinator("add distributors")
    elif not (access.coordinator or is_distributor or seeing):
        raise Forbidden(
            "Only the coordinator, the distributor itself and the suppliers that let it sell their "
            "products can change a distributor's outgoing products."
        )
    requested = requested.model_copy(update={"distributor_id": distributor_id})
    supplier_of = _suppliers_of_variants(cycle)
    sells = access.graph.adds_to_cycles_of
    not_incoming = [v for v in requested.variant_ids if v not in supplier_of]
    if not_incoming:
        raise Invalid(f"Not among this order cycle's incoming products: {', '.join(not_incoming)}.", field="variant_ids")
    already = set(current.variant_ids) if current else set()
    refused = [v for v in requested.variant_ids if v not in already and not sells(supplier_of[v], distributor_id)]
    if refused:
        suppliers = ", ".join(sorted({supplier_of[v] for v in refused}))
        raise Invalid(
            f"Supplier {suppliers} has not granted {distributor_id} permission to add its products "
            f"to order cycles: {', '.join(refused)}.",
            field="variant_ids",
        )
    _require_known_fees(requested.fee_ids, fee_owner)
    if access.coordinator:
        return requested

    if is_distributor:
        return requested.model_copy(
            update={
                "variant_ids": _merge_ids(
                    "variant_ids",
                    current.variant_ids,
                    requested.variant_ids,
                    editable=lambda v: sells(supplier_of.get(v), distributor_id),
                    shown=_everything,
                    rule="A distributor can add or remove only products of suppliers that granted it add_to_order_cycle",
                ),
                "fee_ids": _merge_ids(
                    "fee_ids",
                    current.fee_ids,
                    requested.fee_ids,
                    editable=lambda f: fee_owner.get(f) == distributor_id,
                    shown=_everything,
                    rule="A distributor can add or remove only its own fees",
                ),
            }
        )

    for field in ("ready_for", "pickup_instructions", "tags", "fee_ids", "shipping_method_ids", "payment_method_ids",
                  "ready_reminder_at", "reminder_message"):
        _unchanged(
            field,
            getattr(current, field),
            getattr(requested, field),
            f"A supplier cannot change a distributor's {field}.",
        )
    editing = {s for s in seeing if access.graph.adds_to_cycles_of(distributor_id, s)}
    variant_ids = _merge_ids(
        "variant_ids",
        current.variant_ids,
        requested.variant_ids,
        editable=lambda v: supplier_of.get(v) in editing,
        shown=lambda v: supplier_of.get(v) in seeing,
        rule=(
            f"A supplier can add or remove its products in {distributor_id}'s shop only if "
            f"{distributor_id} granted it add_to_order_cycle"
        ),
    )
    return current.model_copy(update={"variant_ids": variant_ids})


# --- Revoking


def cycles_changed_by_revoke(cycles: Iterable[OrderCycle], grantor_id: str, grantee_id: str) -> list[OrderCycle]:
    """When `grantor_id` withdraws add_to_order_cycle from `grantee_id`, it leaves the cycles that
    `grantee_id` coordinates: its incoming exchange goes, and with it its products from every
    shop of those cycles (as Open Food Network does). Returns changed copies of the affected
    cycles, for the caller to save; which cycles to pass (e.g. not the closed ones) is its call."""
    changed = []
    for cycle in cycles:
        if cycle.coordinator_id != grantee_id or cycle.incoming_of(grantor_id) is None:
            continue
        copy = cycle.model_copy(deep=True)
        copy.incoming = [e for e in copy.incoming if e.supplier_id != grantor_id]
        copy.drop_variants_not_incoming()
        changed.append(copy)
    return changed
