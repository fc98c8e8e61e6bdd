"""An enterprise's customers and their tags (seed 001: tags decide what a customer is shown)."""
from __future__ import annotations

from urllib.parse import unquote

from pydantic import Field

from hubcycle.enterprises import Customer, Email, Name
from hubcycle.errors import Conflict, NotFound
from hubcycle.order_cycles import Tag
from hubcycle.services.auth import Caller
from hubcycle.services.bodies import Body


class NewCustomer(Body):
    email: Email
    name: Name
    tags: list[Tag] = Field(default_factory=list, max_length=20)


class CustomerTags(Body):
    tags: list[Tag] = Field(max_length=20)


def _json(customer: Customer) -> dict:
    return customer.model_dump(mode="json", exclude={"enterprise_id"})


def customers(caller: Caller, enterprise_id: str) -> list[dict]:
    caller.require_manager(enterprise_id)
    return [_json(c) for c in caller.enterprises.customers(enterprise_id)]


def add(caller: Caller, enterprise_id: str, body: NewCustomer) -> dict:
    caller.require_manager(enterprise_id)
    if caller.enterprises.get_customer(enterprise_id, body.email) is not None:
        raise Conflict(f"{body.email} is a customer already; change their tags instead.", field="email",
                       code="customer_exists")
    customer = Customer(enterprise_id=enterprise_id, email=body.email, name=body.name, tags=list(dict.fromkeys(body.tags)))
    caller.enterprises.put_customer(customer)
    return _json(customer)


def tag(caller: Caller, enterprise_id: str, email: str, body: CustomerTags) -> dict:
    """Replace the customer's tags. The email comes from the path, percent-encoded or not."""
    caller.require_manager(enterprise_id)
    customer = caller.enterprises.get_customer(enterprise_id, unquote(email).strip().lower())
    if customer is None:
        raise NotFound(f"{email} is not a customer of {enterprise_id}.", code="customer_not_found")
    customer = customer.model_copy(update={"tags": list(dict.fromkeys(body.tags))})
    caller.enterprises.put_customer(customer)
    return _json(customer)
