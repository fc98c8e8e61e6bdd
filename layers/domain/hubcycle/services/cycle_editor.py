"""The order-cycle editor's read model: what the console needs to open one cycle ready to edit,
for the caller's roles, in one request whose cost does not grow with the cycle's suppliers or
products (OFN's editor times out on big catalogues, its issues #5926 and #8202): the cycle as the
caller may see it, the coordinator's timezone, the suppliers and distributors it may add (each
with the reason it cannot, if so), the fees and methods it may choose, and what it may change in
each exchange (`hubcycle.permissions` decides; the console offers only that).

A supplier's products (with their stock) and its fees come with `?supplier_id=`, one request
per supplier the person opens: one Query on its catalogue."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from hubcycle.enterprises import Enterprise, EnterpriseKind
from hubcycle.errors import Forbidden
from hubcycle.order_cycles import Id, OrderCycle
from hubcycle.permissions import (
    Ability,
    OrderCycleAccess,
    PermissionGraph,
    Refusal,
    distributor_refusal,
    supplier_refusal,
)
from hubcycle.repository.catalogue import CatalogueRepository
from hubcycle.repository.enterprises import EnterpriseRepository
from hubcycle.repository.notifications import OutboxRepository
from hubcycle.repository.order_cycles import OrderCycleRepository
from hubcycle.services.auth import Caller
from hubcycle.services.bodies import Body
from hubcycle.services.order_cycles import _view

_READERS = 8
"""Queries in flight at once: enough to hide DynamoDB's latency, few enough for one Lambda."""


class EditorQuery(Body):
    supplier_id: Id | None = None
    """Instead of the cycle: this supplier's products and fees, as the caller may see them."""


def editor(caller: Caller, cycle_id: str, query: EditorQuery) -> dict:
    if query.supplier_id:
        return _supplier_part(caller, cycle_id, query.supplier_id)
    cycle = OrderCycleRepository().get(cycle_id)
    mine = caller.managed_ids & cycle.participant_ids
    if not mine:
        raise Forbidden("None of your enterprises takes part in this order cycle.")
    enterprises = EnterpriseRepository()
    coordinating = cycle.coordinator_id in mine
    coordinator_grants = enterprises.permissions_involving([cycle.coordinator_id]) if coordinating else []
    connected = _connected(coordinator_grants, cycle.coordinator_id) if coordinating else set()
    found = enterprises.get_many(connected | cycle.participant_ids)
    shops = {e for e in connected if e in found and found[e].kind != EnterpriseKind.profile} | {cycle.coordinator_id}
    with ThreadPoolExecutor(_READERS) as pool:
        # Each grant is stored with its grantor and its grantee: the caller's, the coordinator's
        # and the distributors' grants hold every one the rules ask about.
        around = mine | set(cycle.distributor_ids) | (shops if coordinating else set())
        graph = _graph(pool, enterprises, around - {cycle.coordinator_id} if coordinating else around, coordinator_grants)
        access = OrderCycleAccess.of(cycle, caller.managed_ids, graph)
        suppliers = _suppliers(cycle, access, found, connected)
        distributors = _distributors(cycle, access, found, shops if coordinating else set())
        method_lists = dict(zip(distributors, pool.map(enterprises.methods, distributors)))
        owners = sorted({o for d in distributors for o in access.outgoing_rights(cycle, d)["fee_owner_ids"]}
                        | ({cycle.coordinator_id} if coordinating else set()))
        owned_fees = list(pool.map(CatalogueRepository().fees_of, owners))
    view = _view(access, cycle)
    if access.coordinator or access.supplier_ids:
        view["notifications"] = [n for n in OutboxRepository().notifications(cycle.id)
                                 if access.coordinator or n["supplier_id"] in access.supplier_ids]
    fees = {f.id: f for group in owned_fees for f in group}
    shown_fee_ids = {f for e in [*view["incoming"], *view["outgoing"]] for f in e.get("fee_ids", [])}
    if shown_fee_ids - set(fees):
        fees |= CatalogueRepository().get_fees(shown_fee_ids - set(fees))
    coordinator = found[cycle.coordinator_id]
    return {
        "order_cycle": view,
        "coordinator": _named(coordinator),
        "timezone": coordinator.timezone,
        "roles": {"coordinator": access.coordinator, "supplier_ids": sorted(access.supplier_ids),
                  "distributor_ids": sorted(access.distributor_ids)},
        "suppliers": [
            {**_named(found[s]), "in_cycle": cycle.incoming_of(s) is not None,
             **_refused(supplier_refusal(coordinator, found[s], graph) if cycle.incoming_of(s) is None else None),
             "rights": access.incoming_rights(cycle.coordinator_id, s)}
            for s in suppliers
        ],
        "distributors": [
            {**_named(found[d]), "in_cycle": cycle.outgoing_of(d) is not None,
             **_refused(None if cycle.outgoing_of(d) is not None else distributor_refusal(
                 coordinator, found[d], graph, bool(method_lists[d][0]), bool(method_lists[d][1]))),
             "rights": access.outgoing_rights(cycle, d),
             "shipping_methods": [_method(m, pickup=m.pickup) for m in method_lists[d][0]],
             "payment_methods": [_method(m) for m in method_lists[d][1]]}
            for d in distributors
        ],
        "fees": _fee_list(fees.values()),
    }


def _supplier_part(caller: Caller, cycle_id: str, supplier_id: str) -> dict:
    """Who may change the supplier's incoming exchange (or add it: the coordinator) gets its
    whole catalogue and the fees it may apply there; a distributor that the supplier lets sell
    its products gets those of this cycle; anyone else, a 403. The roles come from the
    participation items: the cycle itself is read only for a distributor."""
    roles = OrderCycleRepository().roles_in(cycle_id, caller.managed_ids | {supplier_id})
    mine = {e: r for e, r in roles.items() if e in caller.managed_ids}
    if not mine:
        OrderCycleRepository().get(cycle_id)  # 404 for a cycle that does not exist
        raise Forbidden("None of your enterprises takes part in this order cycle.")
    having = {role: frozenset(e for e, r in mine.items() if role in r) for role in ("coordinator", "supplier", "distributor")}
    coordinator_ids = having["coordinator"]
    access = OrderCycleAccess(coordinator=bool(coordinator_ids), supplier_ids=having["supplier"],
                              distributor_ids=having["distributor"], graph=PermissionGraph([]))
    supplying = "supplier" in roles.get(supplier_id, [])
    rights = access.incoming_rights(next(iter(coordinator_ids), ""), supplier_id)
    in_cycle = None
    if access.coordinator and not supplying:
        caller.require_ability(supplier_id, Ability.add_to_order_cycle)
    elif not rights["fields"]:
        graph = caller.enterprises.permission_graph(access.distributor_ids)
        if not supplying or not any(graph.adds_to_cycles_of(supplier_id, d) for d in access.distributor_ids):
            raise Forbidden(f"You may not see the products of {supplier_id} in this order cycle.")
        in_cycle = set(OrderCycleRepository().get(cycle_id).incoming_of(supplier_id).variant_ids)
    variants = [v for p in CatalogueRepository().catalogue(supplier_id) for v in p.variants
                if in_cycle is None or v.id in in_cycle]
    fees = CatalogueRepository().fees_of(supplier_id) if supplier_id in rights["fee_owner_ids"] else []
    return {"supplier_id": supplier_id, "variants": [_variant(v) for v in variants], "fees": _fee_list(fees)}


def _connected(grants, coordinator_id: str) -> set[str]:
    """Every enterprise that granted the coordinator add_to_order_cycle, or that it granted
    something: possible suppliers and distributors, the refused ones shown with their reason."""
    return {p.grantor_id if p.grantee_id == coordinator_id else p.grantee_id
            for p in grants
            if p.grantee_id != coordinator_id or Ability.add_to_order_cycle in p.abilities} | {coordinator_id}


def _graph(pool: ThreadPoolExecutor, enterprises: EnterpriseRepository, ids: set[str], known=()) -> PermissionGraph:
    """The grants of these enterprises (one Query each, side by side), with those already read."""
    return PermissionGraph([*known, *(p for found in pool.map(lambda i: enterprises.permissions_involving([i]), sorted(ids))
                                      for p in found)])


def _suppliers(cycle: OrderCycle, access: OrderCycleAccess, found: dict[str, Enterprise], connected: set[str]) -> list[str]:
    """The coordinator: the cycle's suppliers, then every producer it is connected with. Others:
    the incoming exchanges they may see."""
    seen = [s for s in cycle.supplier_ids if access.coordinator or s in access.supplier_ids
            or any(access.graph.adds_to_cycles_of(s, d) for d in access.distributor_ids)]
    candidates = sorted((e for e in connected if e in found and found[e].is_producer and e not in seen),
                        key=lambda e: found[e].name.lower())
    return seen + candidates


def _distributors(cycle: OrderCycle, access: OrderCycleAccess, found: dict[str, Enterprise], shops: set[str]) -> list[str]:
    """The coordinator: the cycle's distributors, then every shop or hub it is connected with.
    Others: the outgoing exchanges they may see."""
    seen = [d for d in cycle.distributor_ids if access.coordinator or d in access.distributor_ids
            or access.suppliers_seeing_shop_of(d)]
    candidates = sorted((e for e in shops if e in found and e not in seen), key=lambda e: found[e].name.lower())
    return seen + candidates


def _fee_list(fees) -> list[dict]:
    return sorted(({"id": f.id, "name": f.name, "enterprise_id": f.enterprise_id, "fee_type": f.fee_type.value}
                   for f in fees), key=lambda f: (f["name"].lower(), f["id"]))


def _refused(refusal: Refusal | None) -> dict:
    """The English sentence for API clients, and the reasons by code for screens in any language."""
    return {"refusal": refusal.text if refusal else None,
            "refusal_reasons": list(refusal.reasons) if refusal else []}


def _named(enterprise: Enterprise) -> dict:
    return {"id": enterprise.id, "name": enterprise.name, "kind": enterprise.kind.value}


def _variant(variant) -> dict:
    return {"id": variant.id, "product_name": variant.product_name, "name": variant.name,
            "unit": variant.unit.value, "unit_value": str(variant.unit_value), "price": f"{variant.price:.2f}",
            "on_hand": variant.on_hand, "on_demand": variant.on_demand, "hidden": variant.hidden,
            "in_stock": variant.on_demand or (variant.on_hand or 0) > 0}


def _method(method, **extra) -> dict:
    return {"id": method.id, "name": method.name, **extra}
