"""Enterprises and what hangs off them in their partition: managers, permissions given and
received, shipping and payment methods, customers."""
from __future__ import annotations

from hubcycle.enterprises import Customer, Enterprise, PaymentMethod, ShippingMethod
from hubcycle.errors import Conflict, NotFound
from hubcycle.permissions import EnterprisePermission, PermissionGraph
from hubcycle.repository import keys
from hubcycle.repository.base import (
    GSI1,
    Repository,
    TransactionCancelled,
    delete_action,
    from_item,
    put_action,
    to_item,
)


class EnterpriseRepository(Repository):
    def create(self, enterprise: Enterprise) -> None:
        self._write(enterprise, "attribute_not_exists(PK)",
                    Conflict("an enterprise with this id exists already", field="id"))

    def save(self, enterprise: Enterprise) -> None:
        """Rewrite an existing enterprise (and the manager links of any new manager)."""
        self._write(enterprise, "attribute_exists(PK)", NotFound("no such enterprise", field="id"))

    def remove_manager(self, enterprise: Enterprise, email: str) -> None:
        """Rewrite the enterprise without `email` among its managers, and delete that person's link."""
        self._write(enterprise, "attribute_exists(PK)", NotFound("no such enterprise", field="id"),
                    also=[delete_action(keys.user(email), keys.enterprise(enterprise.id))])

    def _write(self, enterprise: Enterprise, condition: str, refusal: Exception, also: list[dict] = ()) -> None:
        """The enterprise (in the directory under its name) and a manager link per manager, in
        one transaction."""
        item = to_item(enterprise, PK=keys.enterprise(enterprise.id), SK=keys.ENTERPRISE_SK,
                       GSI1PK=keys.DIRECTORY, GSI1SK=keys.directory_name(enterprise.name, enterprise.id))
        actions = [
            put_action(item, condition=condition),
            *[self._manager_link(enterprise.id, email) for email in {enterprise.owner_email, *enterprise.manager_emails}],
            *also,
        ]
        try:
            self.transact(actions)
        except TransactionCancelled:
            raise refusal from None

    def _manager_link(self, enterprise_id: str, email: str) -> dict:
        return put_action({"PK": keys.user(email), "SK": keys.enterprise(enterprise_id), "enterprise_id": enterprise_id})

    def get(self, enterprise_id: str) -> Enterprise:
        item = super().get(keys.enterprise(enterprise_id), keys.ENTERPRISE_SK)
        if item is None:
            raise NotFound(f"no enterprise {enterprise_id}", code="enterprise_not_found")
        return from_item(Enterprise, item)

    def find_by_name(self, beginning: str, limit: int) -> list[dict]:
        """Enterprises whose searchable name begins so: one Query on the directory."""
        items = self.query("GSI1PK = :pk AND begins_with(GSI1SK, :name)",
                           {":pk": keys.DIRECTORY, ":name": keys.searchable(beginning)}, index=GSI1, limit=limit)
        return [{"id": i["id"], "name": i["name"], "kind": i["kind"], "is_producer": i.get("is_producer", False)}
                for i in items]

    def get_many(self, enterprise_ids) -> dict[str, Enterprise]:
        items = self.batch_get((keys.enterprise(i), keys.ENTERPRISE_SK) for i in enterprise_ids)
        return {e.id: e for e in (from_item(Enterprise, i) for i in items)}

    # Permissions: one item in the grantor's partition, its mirror in the grantee's, so one
    # Query per enterprise reads what it gave and what it received.
    def put_permission(self, permission: EnterprisePermission) -> None:
        given = (keys.enterprise(permission.grantor_id), keys.grant_to(permission.grantee_id))
        received = (keys.enterprise(permission.grantee_id), keys.grant_from(permission.grantor_id))
        if not permission.abilities:
            self.transact([delete_action(*given), delete_action(*received)])
            return
        body = permission.model_dump(mode="json")
        self.transact([
            put_action({**body, "PK": given[0], "SK": given[1]}),
            put_action({**body, "PK": received[0], "SK": received[1]}),
        ])

    def permissions_involving(self, enterprise_ids) -> list[EnterprisePermission]:
        found: dict[tuple[str, str], EnterprisePermission] = {}
        for enterprise_id in sorted(set(enterprise_ids)):
            for item in self.partition(keys.enterprise(enterprise_id), keys.GRANT_PREFIX):
                permission = from_item(EnterprisePermission, item)
                found[(permission.grantor_id, permission.grantee_id)] = permission
        return list(found.values())

    def permission_graph(self, enterprise_ids) -> PermissionGraph:
        return PermissionGraph(self.permissions_involving(enterprise_ids))

    def permission(self, grantor_id: str, grantee_id: str) -> EnterprisePermission:
        item = super().get(keys.enterprise(grantor_id), keys.grant_to(grantee_id))
        if item is None:
            return EnterprisePermission(grantor_id=grantor_id, grantee_id=grantee_id, abilities=[])
        return from_item(EnterprisePermission, item)

    def add_shipping_method(self, method: ShippingMethod) -> None:
        self.put(to_item(method, PK=keys.enterprise(method.enterprise_id), SK=keys.shipping_method(method.id)))

    def add_payment_method(self, method: PaymentMethod) -> None:
        self.put(to_item(method, PK=keys.enterprise(method.enterprise_id), SK=keys.payment_method(method.id)))

    def get_method(self, kind: str, enterprise_id: str, method_id: str) -> ShippingMethod | PaymentMethod:
        """`kind`: "shipping" or "payment"."""
        model, key = _METHODS[kind]
        item = super().get(keys.enterprise(enterprise_id), key(method_id), consistent=True)
        if item is None:
            raise NotFound(f"{enterprise_id} has no {kind} method {method_id}", code=f"{kind}_method_not_found")
        return from_item(model, item)

    def save_method(self, kind: str, method: ShippingMethod | PaymentMethod) -> None:
        """Rewrite a method that exists (a concurrent delete wins: 404)."""
        _, key = _METHODS[kind]
        try:
            self.put(to_item(method, PK=keys.enterprise(method.enterprise_id), SK=key(method.id)),
                     condition="attribute_exists(PK)")
        except TransactionCancelled:
            raise NotFound(f"no {kind} method {method.id}", code=f"{kind}_method_not_found") from None

    def delete_method(self, kind: str, enterprise_id: str, method_id: str) -> None:
        _, key = _METHODS[kind]
        self.transact([delete_action(keys.enterprise(enterprise_id), key(method_id))])

    def methods(self, enterprise_id: str) -> tuple[list[ShippingMethod], list[PaymentMethod]]:
        items = self.query(
            "PK = :pk AND SK BETWEEN :from AND :to",
            {":pk": keys.enterprise(enterprise_id), ":from": keys.PAYMENT_PREFIX, ":to": f"{keys.SHIPPING_PREFIX}\uffff"},
        )
        shipping, payment = [], []
        for item in items:
            if item["SK"].startswith(keys.SHIPPING_PREFIX):
                shipping.append(from_item(ShippingMethod, item))
            elif item["SK"].startswith(keys.PAYMENT_PREFIX):
                payment.append(from_item(PaymentMethod, item))
        return shipping, payment

    def method_counts(self, enterprise_ids) -> dict[str, tuple[int, int]]:
        """(shipping, payment) method counts per enterprise, for choosing distributors."""
        return {e: tuple(len(m) for m in self.methods(e)) for e in set(enterprise_ids)}

    def put_customer(self, customer: Customer) -> None:
        self.put(to_item(customer, PK=keys.enterprise(customer.enterprise_id), SK=keys.customer(customer.email)))

    def get_customer(self, enterprise_id: str, email: str) -> Customer | None:
        item = super().get(keys.enterprise(enterprise_id), keys.customer(email))
        return from_item(Customer, item) if item else None

    def customers(self, enterprise_id: str) -> list[Customer]:
        return [from_item(Customer, i) for i in self.partition(keys.enterprise(enterprise_id), keys.CUSTOMER_PREFIX)]


_METHODS = {"shipping": (ShippingMethod, keys.shipping_method), "payment": (PaymentMethod, keys.payment_method)}
