"""Enterprises as their managers run them: create, read, edit, managers, permissions given to
other enterprises, shipping and payment methods."""
from __future__ import annotations

from pydantic import Field

from hubcycle.clock import clock
from hubcycle.enterprises import Email, Enterprise, EnterpriseKind, PaymentMethod, ShippingMethod
from hubcycle.errors import Conflict, Invalid
from hubcycle.order_cycles import OrderCycle, OrderCycleStatus
from hubcycle.permissions import Ability, EnterprisePermission
from hubcycle.repository.order_cycles import OrderCycleRepository
from hubcycle.services import order_cycles
from hubcycle.services.auth import Caller
from hubcycle.services.bodies import Body, body_of, new_id

_SET_BY_THE_SERVER = frozenset({"id", "owner_email", "manager_emails"})
NewEnterprise = body_of(Enterprise, "NewEnterprise", _SET_BY_THE_SERVER)
EnterpriseChanges = body_of(Enterprise, "EnterpriseChanges", _SET_BY_THE_SERVER, optional=True)


class NewManager(Body):
    email: Email


class Abilities(Body):
    abilities: list[Ability] = Field(max_length=len(Ability))


NewShippingMethod = body_of(ShippingMethod, "NewShippingMethod", frozenset({"id", "enterprise_id"}))
NewPaymentMethod = body_of(PaymentMethod, "NewPaymentMethod", frozenset({"id", "enterprise_id"}))


def _json(model) -> dict:
    return model.model_dump(mode="json")


def create(caller: Caller, body) -> dict:
    """Whoever creates an enterprise owns it and manages it."""
    enterprise = Enterprise(id=new_id(), owner_email=caller.email, **body.model_dump())
    caller.enterprises.create(enterprise)
    return _json(enterprise)


def read(caller: Caller, enterprise_id: str) -> dict:
    caller.require_ability(enterprise_id, Ability.edit_profile)
    return _json(caller.enterprises.get(enterprise_id))


MANAGERS_ONLY = {"kind", "is_producer", "customer_names_to_suppliers"}


def change(caller: Caller, enterprise_id: str, body) -> dict:
    """Managers change anything; an enterprise granted edit_profile changes the profile but not
    what the enterprise is (its kind, whether it produces) nor whom it shows its customers' names."""
    changes = body.model_dump(exclude_unset=True)
    if MANAGERS_ONLY & set(changes):
        caller.require_manager(enterprise_id)
    else:
        caller.require_ability(enterprise_id, Ability.edit_profile)
    current = caller.enterprises.get(enterprise_id)
    changed = Enterprise.model_validate({**current.model_dump(), **changes})
    if (changed.kind, changed.is_producer) != (current.kind, current.is_producer):
        _require_roles_kept(changed)
    caller.enterprises.save(changed)
    return _json(changed)


def _require_roles_kept(changed: Enterprise) -> None:
    """Seed 003: a profile cannot coordinate, a shop's cycles hold only the shop itself, only a
    hub distributes another's cycle, only a producer supplies. A new kind (or producer status)
    must keep every role the enterprise holds in a cycle that is not closed yet."""
    cycles = OrderCycleRepository()
    participations = {p["order_cycle_id"]: set(p["roles"]) for p in cycles.participations(changed.id)}
    now = clock.now()
    for cycle in cycles.get_many(participations):
        if cycle.status(now) == OrderCycleStatus.closed:
            continue
        refusal = _role_refusal(changed, cycle, participations[cycle.id])
        if refusal:
            raise Conflict(
                f"{refusal} order cycle '{cycle.name}', which is not closed yet.",
                field="kind",
                code="enterprise_in_order_cycle",
            )


def _role_refusal(changed: Enterprise, cycle: OrderCycle, roles: set[str]) -> str | None:
    coordinates = "coordinator" in roles
    if coordinates and not changed.can_coordinate:
        return f"A profile cannot coordinate, and {changed.name} coordinates"
    if coordinates and changed.is_producer_shop and cycle.participant_ids != {changed.id}:
        return f"A shop's order cycles hold only the shop itself, and {changed.name} coordinates with others"
    if "distributor" in roles and not coordinates and changed.kind != EnterpriseKind.hub:
        return f"Only a hub distributes another enterprise's order cycle, and {changed.name} distributes"
    if "supplier" in roles and not changed.is_producer:
        return f"Only a producer supplies products, and {changed.name} supplies"
    return None


def add_manager(caller: Caller, enterprise_id: str, body: NewManager) -> dict:
    caller.require_manager(enterprise_id)
    enterprise = caller.enterprises.get(enterprise_id)
    if not enterprise.is_managed_by(body.email):
        enterprise = enterprise.model_copy(update={"manager_emails": [*enterprise.manager_emails, body.email]})
        caller.enterprises.save(enterprise)
    return _json(enterprise)


def permissions(caller: Caller, enterprise_id: str) -> dict:
    """What the enterprise granted, and what it was granted."""
    caller.require_manager(enterprise_id)
    found = caller.enterprises.permissions_involving([enterprise_id])
    return {
        "granted": [_json(p) for p in found if p.grantor_id == enterprise_id],
        "received": [_json(p) for p in found if p.grantee_id == enterprise_id],
    }


def grant(caller: Caller, enterprise_id: str, grantee_id: str, body: Abilities) -> dict:
    """Set what `enterprise_id` lets `grantee_id` do. Withdrawing add_to_order_cycle takes the
    grantor's products out of the grantee's cycles that are not closed (seed 004), before the
    permission changes: if a cycle cannot be saved now (409), the permission stays as it was and
    sending the same request again finishes the job."""
    caller.require_manager(enterprise_id)
    if grantee_id == enterprise_id:
        raise Invalid("An enterprise already holds every ability over itself.", field="grantee_id")
    caller.enterprises.get(grantee_id)
    previous = caller.enterprises.permission(enterprise_id, grantee_id)
    permission = EnterprisePermission(grantor_id=enterprise_id, grantee_id=grantee_id, abilities=body.abilities)
    if Ability.add_to_order_cycle in previous.abilities and Ability.add_to_order_cycle not in permission.abilities:
        order_cycles.withdraw_supplier(enterprise_id, grantee_id)
    caller.enterprises.put_permission(permission)
    return _json(permission)


def add_shipping_method(caller: Caller, enterprise_id: str, body: NewShippingMethod) -> dict:
    caller.require_manager(enterprise_id)
    method = ShippingMethod(id=new_id(), enterprise_id=enterprise_id, **body.model_dump())
    caller.enterprises.add_shipping_method(method)
    return _json(method)


def add_payment_method(caller: Caller, enterprise_id: str, body: NewPaymentMethod) -> dict:
    caller.require_manager(enterprise_id)
    method = PaymentMethod(id=new_id(), enterprise_id=enterprise_id, **body.model_dump())
    caller.enterprises.add_payment_method(method)
    return _json(method)


def shipping_methods(caller: Caller, enterprise_id: str) -> list[dict]:
    caller.require_manager(enterprise_id)
    return [_json(m) for m in caller.enterprises.methods(enterprise_id)[0]]


def payment_methods(caller: Caller, enterprise_id: str) -> list[dict]:
    caller.require_manager(enterprise_id)
    return [_json(m) for m in caller.enterprises.methods(enterprise_id)[1]]
