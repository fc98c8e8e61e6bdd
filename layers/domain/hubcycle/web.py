"""What the three Chalice apps share at their edge: reading a JSON body into a pydantic model and
turning every domain or validation error into the contract's error shape, never a 500."""
from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from chalice import Response
from pydantic import BaseModel, ValidationError

from hubcycle.errors import BadRequest, DomainError, Invalid

B = TypeVar("B", bound=BaseModel)

MAX_BODY_BYTES = 256 * 1024


def parse_body(request, model: type[B]) -> B:
    raw = request.raw_body or b""
    if len(raw) > MAX_BODY_BYTES:
        raise Invalid(f"the body must be at most {MAX_BODY_BYTES} bytes", code="body_too_large")
    try:
        data = json.loads(raw or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("the body is not valid JSON") from None
    if not isinstance(data, dict):
        raise Invalid("the body must be a JSON object", code="invalid_body")
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise validation_error(error) from None


def validation_error(error: ValidationError) -> Invalid:
    first = error.errors()[0]
    field = ".".join(str(part) for part in first["loc"]) or None
    message = first["msg"].removeprefix("Value error, ")
    return Invalid(f"{field}: {message}" if field else message, field=field, code="invalid_field")


def json_response(body: Any, status: int = 200, headers: dict | None = None) -> Response:
    return Response(
        body=json.dumps(body, default=str),
        status_code=status,
        headers={"Content-Type": "application/json", **(headers or {})},
    )


def error_response(error: DomainError) -> Response:
    return json_response(error.to_body(), status=error.status)


def answers_errors(view: Callable) -> Callable:
    """Turn DomainError and pydantic errors raised by a route into the contract's JSON errors."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except DomainError as error:
            return error_response(error)
        except ValidationError as error:
            return error_response(validation_error(error))

    return wrapper
