"""The shopper's private link to their order (api-v1 1.1 `/my-orders/{secret}`).

The secret names the order (`{cycle}.{order}.`, so finding it is one GetItem) and ends with 128
random bits; only the SHA-256 of the whole secret is stored on the order, and a link is honoured
when its hash matches (compared in constant time). Knowing an order's ids gives nothing: the
random part cannot be guessed. The link is a storefront hash route, so the secret never reaches a
server's access log or a Referer header."""
from __future__ import annotations

import hashlib
import hmac
import secrets

from hubcycle.settings import settings

_RANDOM_BYTES = 16


def new_secret() -> str:
    """The random part; `secret_of` joins it to the order's ids."""
    return secrets.token_urlsafe(_RANDOM_BYTES)


def secret_of(cycle_id: str, order_id: str, random_part: str) -> str:
    return f"{cycle_id}.{order_id}.{random_part}"


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def order_ids(secret: str) -> tuple[str, str] | None:
    """(cycle id, order id) that a well-formed secret names; None for anything else."""
    parts = secret.split(".")
    if len(parts) != 3 or not all(parts) or len(secret) > 200:
        return None
    return parts[0], parts[1]


def honours(stored_hash: str, secret: str) -> bool:
    return bool(stored_hash) and hmac.compare_digest(stored_hash, secret_hash(secret))


def manage_url(secret: str) -> str:
    """The storefront's page of the order: a hash route (the part after # is never sent)."""
    origin = settings().storefront_origin
    return f"{'' if origin == '*' else origin.rstrip('/')}/#/my-orders/{secret}"
