"""The order-cycle editor's read model: everything the console needs to open one cycle ready to
edit, for the caller's roles, in one request (OFN's editor times out on big catalogues, its
issues #5926 and #8202). The cycle as the caller may see it, the coordinator's timezone, the
suppliers and distributors it may add (each with the reason it cannot, if so), the products of
each supplier it may see with their stock, the fees and methods it may choose, and what it may
change in each exchange (`hubcycle.permissions` decides; the console offers only that).

The per-enterprise reads (catalogues, fees, methods, grants) are independent Queries: they run
side by side, so opening a cycle of 50 suppliers costs about as long as its slowest few."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from hubcycle.enterprises import Enterprise, EnterpriseKind
from hubcycle.errors import Forbidden
from hubcycle.order_cycles import OrderCycle
from hubcycle.permissions import Ability, OrderCycleAccess, PermissionGraph, distributor_refusal, supplier_refusal
from hubcycle.repository.catalogue import CatalogueRepository
from hubcycle.repository.enterprises import EnterpriseRepository
from hubcycle.repository.notifications import OutboxRepository
from hubcycle.repository.order_cycles import OrderCycleRepository
from hubcycle.services.auth import Caller
from hubcycle.services.order_cycles import _view

_READERS = 8
"""Queries in flight at once: enough to hide DynamoDB's latency, few enough for one Lambda."""


def editor(caller: Caller, cycle_id: str) -> dict:
    cycle = OrderCycleRepository().get(cycle_id)
    mine = caller.managed_ids & cycle.participant_ids
    if not mine:
        raise Forbidden("None of your enterprises takes part in this order cycle.")
    enterprises = EnterpriseRepository()
    coordinating = cycle.coordinator_id in mine
    with ThreadPoolExecutor(_READERS) as pool:
        # The coordinator's grants name the candidates; theirs decide who sells whose products.
        connected = _connected(enterprises, cycle.coordinator_id) if coordinating else set()
        around = mine | set(cycle.participant_ids if coordinating else ()) | connected
        graph = _graph(pool, enterprises, around)
        access = OrderCycleAccess.of(cycle, caller.managed_ids, graph)
        found = enterprises.get_many(around | cycle.participant_ids)
        suppliers = _suppliers(cycle, access, found, connected)
        distributors = _distributors(cycle, access, found, connected)
        catalogues = dict(zip(suppliers, pool.map(_catalogue, suppliers)))
        method_lists = dict(zip(distributors, pool.map(enterprises.methods, distributors)))
        fee_owners = _fee_owners(cycle, access, suppliers, distributors)
        owned_fees = list(pool.map(CatalogueRepository().fees_of, fee_owners))
    view = _view(access, cycle)
    if access.coordinator or access.supplier_ids:
        view["notifications"] = [n for n in OutboxRepository().notifications(cycle.id)
                                 if access.coordinator or n["supplier_id"] in access.supplier_ids]
    seen_variants = {v for e in view["incoming"] for v in e["variant_ids"]}
    fees = {f.id: f for group in owned_fees for f in group}
    shown_fee_ids = {f for e in [*view["incoming"], *view["outgoing"]] for f in e.get("fee_ids", [])}
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
             "refusal": supplier_refusal(coordinator, found[s], graph) if cycle.incoming_of(s) is None else None,
             "rights": access.incoming_rights(cycle, s),
             "variants": [_variant(v) for v in catalogues[s]
                          if v.id in seen_variants or access.incoming_rights(cycle, s)["fields"]]}
            for s in suppliers
        ],
        "distributors": [
            {**_named(found[d]), "in_cycle": cycle.outgoing_of(d) is not None,
             "refusal": None if cycle.outgoing_of(d) is not None else distributor_refusal(
                 coordinator, found[d], graph, bool(method_lists[d][0]), bool(method_lists[d][1])),
             "rights": access.outgoing_rights(cycle, d),
             "shipping_methods": [_method(m, pickup=m.pickup) for m in method_lists[d][0]],
             "payment_methods": [_method(m) for m in method_lists[d][1]]}
            for d in distributors
        ],
        "fees": sorted(({"id": f.id, "name": f.name, "enterprise_id": f.enterprise_id, "fee_type": f.fee_type.value}
                        for f in fees.values()), key=lambda f: (f["name"].lower(), f["id"])),
    }


def _connected(enterprises: EnterpriseRepository, coordinator_id: str) -> set[str]:
    """Every enterprise that granted the coordinator add_to_order_cycle, or that it granted
    something: possible suppliers and distributors, the refused ones shown with their reason."""
    return {p.grantor_id if p.grantee_id == coordinator_id else p.grantee_id
            for p in enterprises.permissions_involving([coordinator_id])
            if p.grantee_id != coordinator_id or Ability.add_to_order_cycle in p.abilities} | {coordinator_id}


def _graph(pool: ThreadPoolExecutor, enterprises: EnterpriseRepository, ids: set[str]) -> PermissionGraph:
    return PermissionGraph([p for found in pool.map(lambda i: enterprises.permissions_involving([i]), sorted(ids))
                            for p in found])


def _suppliers(cycle: OrderCycle, access: OrderCycleAccess, found: dict[str, Enterprise], connected: set[str]) -> list[str]:
    """The coordinator: the cycle's suppliers, then every producer it is connected with. Others:
    the incoming exchanges they may see."""
    seen = [s for s in cycle.supplier_ids if access.coordinator or s in access.supplier_ids
            or any(access.graph.adds_to_cycles_of(s, d) for d in access.distributor_ids)]
    candidates = sorted((e for e in connected if e in found and found[e].is_producer and e not in seen),
                        key=lambda e: found[e].name.lower())
    return seen + candidates


def _distributors(cycle: OrderCycle, access: OrderCycleAccess, found: dict[str, Enterprise], connected: set[str]) -> list[str]:
    """The coordinator: the cycle's distributors, then every shop or hub it is connected with.
    Others: the outgoing exchanges they may see."""
    seen = [d for d in cycle.distributor_ids if access.coordinator or d in access.distributor_ids
            or access.suppliers_seeing_shop_of(d)]
    candidates = sorted((e for e in connected if e in found and e not in seen
                         and (found[e].kind != EnterpriseKind.profile or e == cycle.coordinator_id)),
                        key=lambda e: found[e].name.lower())
    return seen + candidates


def _fee_owners(cycle: OrderCycle, access: OrderCycleAccess, suppliers: list[str], distributors: list[str]) -> list[str]:
    owners = {cycle.coordinator_id} if access.coordinator else set()
    for s in suppliers:
        owners.update(access.incoming_rights(cycle, s)["fee_owner_ids"])
    for d in distributors:
        owners.update(access.outgoing_rights(cycle, d)["fee_owner_ids"])
    return sorted(owners)


def _catalogue(supplier_id: str) -> list:
    return [v for p in CatalogueRepository().catalogue(supplier_id) for v in p.variants]


def _named(enterprise: Enterprise) -> dict:
    return {"id": enterprise.id, "name": enterprise.name, "kind": enterprise.kind.value}


def _variant(variant) -> dict:
    return {"id": variant.id, "product_name": variant.product_name, "name": variant.name,
            "unit": variant.unit.value, "unit_value": str(variant.unit_value), "price": f"{variant.price:.2f}",
            "on_hand": variant.on_hand, "on_demand": variant.on_demand, "hidden": variant.hidden,
            "in_stock": variant.on_demand or (variant.on_hand or 0) > 0}


def _method(method, **extra) -> dict:
    return {"id": method.id, "name": method.name, **extra}
