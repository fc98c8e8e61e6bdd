"""Who calls the admin API, and on whose behalf they may act.

A manager acts for the enterprises they manage (owner or manager), and for the enterprises that
granted one of those an ability: manage_products (its catalogue), edit_profile (its profile),
add_to_order_cycle (reading its catalogue to choose products for a cycle)."""
from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from hubcycle.adapters.cognito import verified_claims
from hubcycle.errors import Forbidden, Unauthorized
from hubcycle.repository.managers import ManagerRepository

if TYPE_CHECKING:
    from hubcycle.permissions import Ability
    from hubcycle.repository.enterprises import EnterpriseRepository


def bearer_token(headers) -> str:
    """The token of `Authorization: Bearer <token>`; a bare token is read too, as API Gateway's
    Cognito authorizer accepts both."""
    parts = (headers.get("authorization") or "").split()
    if parts and parts[0].lower() == "bearer":
        parts = parts[1:]
    if len(parts) != 1:
        raise Unauthorized("Sign in: send `Authorization: Bearer <id token>`.")
    return parts[0]


class Caller:
    def __init__(self, email: str):
        self.email = email

    @cached_property
    def enterprises(self) -> EnterpriseRepository:
        """Loaded with the domain models by the first route that needs them."""
        from hubcycle.repository.enterprises import EnterpriseRepository

        return EnterpriseRepository()

    @cached_property
    def managed_ids(self) -> set[str]:
        """Read once per request: one Query on the user's partition."""
        return ManagerRepository().managed_ids(self.email)

    def managed_enterprises(self) -> list[dict]:
        """The enterprises the caller owns or manages, by name, as stored: a manager's first request
        after signing in, answered without the domain models (hubcycle.repository.managers)."""
        return ManagerRepository().enterprises(self.managed_ids)

    def require_manager(self, enterprise_id: str) -> None:
        """403 for an enterprise the caller does not manage, 404 for one that does not exist."""
        if enterprise_id not in self.managed_ids:
            self.enterprises.get(enterprise_id)
            raise Forbidden(f"You do not manage enterprise {enterprise_id}.", field="enterprise_id")

    def require_ability(self, enterprise_id: str, *abilities: Ability) -> None:
        """Managers act for their enterprise; so do managers of an enterprise it granted one of
        `abilities` (one Query on its grants)."""
        if enterprise_id in self.managed_ids:
            return
        granted = any(
            p.grantor_id == enterprise_id and p.grantee_id in self.managed_ids and set(p.abilities) & set(abilities)
            for p in self.enterprises.permissions_involving([enterprise_id])
        )
        if not granted:
            self.enterprises.get(enterprise_id)
            needed = " or ".join(abilities)
            raise Forbidden(
                f"You do not manage enterprise {enterprise_id}, and it granted none of your enterprises {needed}.",
                field="enterprise_id",
            )


def caller(request) -> Caller:
    """The signed-in manager, identified by the verified id token's email; 401 otherwise."""
    authorizer = (request.context or {}).get("authorizer") or {}
    claims = verified_claims(authorizer.get("claims"), bearer_token(request.headers))
    email = claims.get("email")
    if not isinstance(email, str) or not email.strip():  # never user "" (issue 15), never a 500
        raise Unauthorized("The token names no email address.")
    return Caller(email.strip().lower())
