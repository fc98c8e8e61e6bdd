"""Domain errors. Each carries the contract's error code, HTTP status and the field it concerns,
so that a handler turns any of them into `{"error": {...}}` without knowing the rule that failed."""
from __future__ import annotations


class DomainError(Exception):
    status = 422
    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code

    def to_body(self) -> dict:
        return {"error": {"code": self.code, "message": self.message, "field": self.field}}


class BadRequest(DomainError):
    status = 400
    code = "malformed_json"


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class Invalid(DomainError):
    status = 422
    code = "invalid"


class TooManyRequests(DomainError):
    """A rate limit: the same request succeeds after `retry_after` seconds (the Retry-After header)."""

    status = 429
    code = "too_many_orders"

    def __init__(self, message: str, *, retry_after: int, field: str | None = None):
        super().__init__(message, field=field)
        self.retry_after = retry_after


class Unavailable(DomainError):
    """Not the request's fault, and nothing was done: the same request may be sent again (a
    client keeps its Idempotency-Key, as for any 5xx)."""

    status = 503
    code = "try_again"
