"""Who manages what: one link item per enterprise a person owns or manages (PK `USER#{email}`,
SK `ENT#{id}`, written with the enterprise by EnterpriseRepository), and the enterprises they
lead to, read as views (each item its model's JSON form, valid since written through the model).
A manager's first request after signing in lists their enterprises; answering it without the
domain models spares that cold start pydantic and the models, as the shop's first pages do
(hubcycle.repository.shops)."""
from __future__ import annotations

from hubcycle.repository import keys
from hubcycle.repository import views
from hubcycle.repository.base import Repository


class ManagerRepository(Repository):
    def managed_ids(self, email: str) -> set[str]:
        """One Query on the person's partition."""
        return {item["enterprise_id"] for item in self.partition(keys.user(email), keys.ENTERPRISE_PREFIX)}

    def enterprises(self, enterprise_ids: set[str]) -> list[dict]:
        """The enterprises as stored, by name: one BatchGetItem."""
        items = self.batch_get((keys.enterprise(e), keys.ENTERPRISE_SK) for e in enterprise_ids)
        return sorted((views.view_of(item, views.ENTERPRISE) for item in items), key=lambda e: (e["name"].lower(), e["id"]))
