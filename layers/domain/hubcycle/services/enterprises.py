"""Enterprises as their managers run them: create, read, edit, managers, permissions given to
other enterprises, shipping and payment methods."""
from __future__ import annotations

import logging
from typing import Annotated, Literal
from urllib.parse import unquote

from botocore.exceptions import BotoCoreError, ClientError
from pydantic import Field, StrictInt, StringConstraints, field_validator

from hubcycle import images
from hubcycle.adapters import cognito
from hubcycle.adapters.uploads import presigned_upload
from hubcycle.clock import clock
from hubcycle.enterprises import Email, Enterprise, EnterpriseKind, PaymentMethod, ShippingMethod
from hubcycle.errors import Conflict, Invalid, NotFound
from hubcycle.order_cycles import OrderCycle, OrderCycleStatus
from hubcycle.permissions import Ability, EnterprisePermission
from hubcycle.repository.order_cycles import SHOP_PREFERENCES, OrderCycleRepository
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


_METHOD_KEYS = frozenset({"id", "enterprise_id"})
NewShippingMethod = body_of(ShippingMethod, "NewShippingMethod", _METHOD_KEYS)
NewPaymentMethod = body_of(PaymentMethod, "NewPaymentMethod", _METHOD_KEYS)
ShippingMethodChanges = body_of(ShippingMethod, "ShippingMethodChanges", _METHOD_KEYS, optional=True)
PaymentMethodChanges = body_of(PaymentMethod, "PaymentMethodChanges", _METHOD_KEYS, optional=True)
_METHOD_MODELS = {"shipping": ShippingMethod, "payment": PaymentMethod}

SEARCH_RESULTS = 20
logger = logging.getLogger(__name__)


MAX_UPLOAD_BYTES = 5 * 1024 * 1024
ImageType = Literal["image/jpeg", "image/png", "image/webp"]
UploadSize = Annotated[StrictInt, Field(ge=1, le=MAX_UPLOAD_BYTES)]
"""In bytes: S3 refuses a larger file than announced."""


class NewCopy(Body):
    """A smaller copy of the image, made by the browser (hubcycle.images)."""
    width: Annotated[StrictInt, Field(ge=16, le=4096)]
    content_type: ImageType
    size: UploadSize


class NewUpload(Body):
    content_type: ImageType
    size: UploadSize
    copies: list[NewCopy] = Field(default_factory=list, max_length=4)

    @field_validator("copies")
    @classmethod
    def _one_copy_per_width(cls, copies: list[NewCopy]) -> list[NewCopy]:
        if len({c.width for c in copies}) != len(copies):
            raise ValueError("each copy needs its own width")
        return sorted(copies, key=lambda c: c.width)


class DirectoryQuery(Body):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=120)]
    """The beginning of the name (case and accents ignored)."""


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
    preferences = any(getattr(changed, p) != getattr(current, p) for p in SHOP_PREFERENCES)
    if preferences or changed.reminders != current.reminders:
        selling = _cycles_distributed_now(enterprise_id)  # read once for both
        if preferences:
            OrderCycleRepository().copy_shop_preferences(changed, [c.id for c in selling])
        if changed.reminders != current.reminders:
            from hubcycle.services import reminders  # the scheduler's modules: only when reminders change

            for cycle in selling:
                reminders.arm(cycle, known={changed.id: changed})
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
    """The person manages the enterprise at once (managers are known by their email), and is
    invited to the managers' user pool if they have no account yet. `invitation` says which:
    `sent`, `existing_account`, or `failed` (the manager is added all the same; adding them
    again invites them again)."""
    caller.require_manager(enterprise_id)
    enterprise = caller.enterprises.get(enterprise_id)
    if not enterprise.is_managed_by(body.email):
        enterprise = enterprise.model_copy(update={"manager_emails": [*enterprise.manager_emails, body.email]})
        caller.enterprises.save(enterprise)
    return {**_json(enterprise), "invitation": _invite(body.email)}


def _invite(email: str) -> str:
    try:
        return "sent" if cognito.invite(email) else "existing_account"
    except (BotoCoreError, ClientError):
        logger.exception("manager invitation failed")
        return "failed"


def remove_manager(caller: Caller, enterprise_id: str, email: str) -> None:
    """Any manager may remove any other, or themselves, but never the last one. Removing the
    owner hands the ownership to the first manager left."""
    caller.require_manager(enterprise_id)
    enterprise = caller.enterprises.get(enterprise_id)
    email = unquote(email).strip().lower()
    if not enterprise.is_managed_by(email):
        raise NotFound(f"{email} does not manage {enterprise.name}.", field="email", code="manager_not_found")
    left = [m for m in [enterprise.owner_email, *enterprise.manager_emails] if m != email]
    if not left:
        raise Conflict(f"{email} is the last manager of {enterprise.name}: add another manager first.",
                       field="email", code="last_manager")
    changed = enterprise.model_copy(update={"owner_email": left[0], "manager_emails": left[1:]})
    caller.enterprises.remove_manager(changed, email)


def find(caller: Caller, query: DirectoryQuery) -> list[dict]:
    """Any signed-in manager finds enterprises by the beginning of their name, to grant them
    abilities: what the storefront shows anyway (id, name, kind, is_producer), nothing more."""
    return caller.enterprises.find_by_name(query.name, SEARCH_RESULTS)


def permissions(caller: Caller, enterprise_id: str) -> dict:
    """What the enterprise granted, and what it was granted, with the other enterprise's name
    (`grantee_name`, `grantor_name`): a manager knows them by name, not by id."""
    caller.require_manager(enterprise_id)
    found = caller.enterprises.permissions_involving([enterprise_id])
    others = {p.grantee_id if p.grantor_id == enterprise_id else p.grantor_id for p in found}
    names = {e.id: e.name for e in caller.enterprises.get_many(others).values()}
    return {
        "granted": [{**_json(p), "grantee_name": names.get(p.grantee_id, "")} for p in found if p.grantor_id == enterprise_id],
        "received": [{**_json(p), "grantor_name": names.get(p.grantor_id, "")} for p in found if p.grantee_id == enterprise_id],
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


def withdraw(caller: Caller, enterprise_id: str, grantee_id: str) -> None:
    """Every ability withdrawn: PUT with no abilities."""
    grant(caller, enterprise_id, grantee_id, Abilities(abilities=[]))


def granted_to_me(caller: Caller, enterprise_id: str) -> list[dict]:
    """Who granted this enterprise what, by the grantor's name."""
    caller.require_manager(enterprise_id)
    received = [p for p in caller.enterprises.permissions_involving([enterprise_id]) if p.grantee_id == enterprise_id]
    names = {e.id: e.name for e in caller.enterprises.get_many(p.grantor_id for p in received).values()}
    rows = [{"enterprise_id": p.grantor_id, "name": names.get(p.grantor_id, ""),
             "abilities": [a.value for a in p.abilities]} for p in received]
    return sorted(rows, key=lambda r: (r["name"].lower(), r["enterprise_id"]))


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


def change_method(caller: Caller, kind: str, enterprise_id: str, method_id: str, body) -> dict:
    """`kind`: "shipping" or "payment". Orders placed keep the name and fee they were sold with."""
    caller.require_manager(enterprise_id)
    current = caller.enterprises.get_method(kind, enterprise_id, method_id)
    changed = _METHOD_MODELS[kind].model_validate({**current.model_dump(), **body.model_dump(exclude_unset=True)})
    caller.enterprises.save_method(kind, changed)
    return _json(changed)


def delete_method(caller: Caller, kind: str, enterprise_id: str, method_id: str) -> None:
    """409 method_in_use while a cycle that is not closed needs it: its shop offers exactly this
    method (`shipping_method_ids` / `payment_method_ids`), or the enterprise distributes such a
    cycle and this is its last method of the kind (a shop must offer one of each, seed 003)."""
    caller.require_manager(enterprise_id)
    caller.enterprises.get_method(kind, enterprise_id, method_id)
    cycles = _cycles_distributed_now(enterprise_id)
    naming = next((c for c in cycles if method_id in (_chosen_methods(c, enterprise_id, kind) or [])), None)
    if naming is not None:
        raise Conflict(f"Order cycle '{naming.name}' offers this {kind} method in your shop: "
                       "choose others there first.", field="method_id", code="method_in_use")
    if cycles and len(caller.enterprises.methods(enterprise_id)[0 if kind == "shipping" else 1]) == 1:
        raise Conflict(f"Your shop sells in order cycle '{cycles[0].name}', which needs a {kind} method: "
                       "add another before deleting this one.", field="method_id", code="method_in_use")
    caller.enterprises.delete_method(kind, enterprise_id, method_id)


def _chosen_methods(cycle: OrderCycle, distributor_id: str, kind: str) -> list[str] | None:
    exchange = cycle.outgoing_of(distributor_id)
    return exchange.shipping_method_ids if kind == "shipping" else exchange.payment_method_ids


def _cycles_distributed_now(enterprise_id: str) -> list[OrderCycle]:
    """The cycles not closed yet in which the enterprise sells."""
    cycles = OrderCycleRepository()
    selling = {p["order_cycle_id"] for p in cycles.participations(enterprise_id) if "distributor" in p["roles"]}
    now = clock.now()
    return sorted((c for c in cycles.get_many(selling) if c.status(now) != OrderCycleStatus.closed), key=lambda c: c.id)


def upload(caller: Caller, enterprise_id: str, body: NewUpload) -> dict:
    """A presigned POST for one image of the enterprise (a logo, a product photo): its managers,
    and those it granted edit_profile or manage_products. The image is served at `image_url`,
    which the enterprise's `logo_url` or a product's `image_url` then names; each of its smaller
    `copies` gets its own presigned POST, and `image_url` lists them (hubcycle.images)."""
    caller.require_ability(enterprise_id, Ability.edit_profile, Ability.manage_products)
    stem = images.stem(enterprise_id, new_id())
    key = images.original_key(stem, body.content_type, [(c.width, c.content_type) for c in body.copies])
    return presigned_upload(key, body.content_type, body.size) | {"copies": [
        {"width": c.width, **presigned_upload(images.copy_key(stem, c.width, c.content_type), c.content_type, c.size)}
        for c in body.copies]}
