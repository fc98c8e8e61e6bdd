"""What the three Chalice apps share at their edge: reading a JSON body into a pydantic model and
turning every domain or validation error into the contract's error shape, never a 500.

pydantic is not imported here: the routes that read stored items as views (a shopper's first
pages, a manager's list of enterprises, the idle sweep) never load it, which spares their cold
starts its import (docs/performance.md). A route that uses a model has loaded pydantic already."""
from __future__ import annotations

import importlib
import json
import re
import sys
from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar

from chalice import CORSConfig, Response

from hubcycle.errors import BadRequest, DomainError, Invalid
from hubcycle.settings import settings

if TYPE_CHECKING:
    from pydantic import BaseModel, ValidationError

B = TypeVar("B", bound="BaseModel")

MAX_BODY_BYTES = 256 * 1024
MAX_BODY_DEPTH = 32
"""The deepest body a route takes is 3 levels (an order's lines, a fee's calculator); Python's
JSON parser fails past about 1,000 and pydantic's validation recurses too."""

_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_A_BRACKET = re.compile(rb"[^\[\]{}]+")
_OPENING = frozenset(b"[{")


class BodyTooLarge(DomainError):
    status = 413
    code = "body_too_large"


class StorefrontCORS(CORSConfig):
    """The storefront and the console (under /console/ of the same site) are another origin than
    the APIs (CloudFront vs API Gateway; locally :8000 vs :8001 and :8002). Its origin is read
    when the headers are made, as every setting is: when deploying (API Gateway's preflight
    answers are written then) and on each answer, so a local system restarted on other ports is
    allowed without reloading this module."""

    def get_access_control_headers(self) -> dict[str, str]:
        return {**super().get_access_control_headers(), "Access-Control-Allow-Origin": settings().storefront_origin}


def parse_body(request, model: type[B]) -> B:
    raw = request.raw_body or b""
    if len(raw) > MAX_BODY_BYTES:
        raise BodyTooLarge(f"the body must be at most {MAX_BODY_BYTES} bytes")
    if nesting_exceeds(raw, MAX_BODY_DEPTH):
        raise BadRequest(f"the body nests arrays and objects more than {MAX_BODY_DEPTH} levels deep",
                         code="body_too_deep")
    try:
        data = json.loads(raw or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("the body is not valid JSON") from None
    if not isinstance(data, dict):
        raise Invalid("the body must be a JSON object", code="invalid_body")
    try:
        return model.model_validate(data)
    except Exception as error:
        if not is_validation_error(error):
            raise
        raise validation_error(error) from None


def nesting_exceeds(raw: bytes, limit: int) -> bool:
    """Whether the brackets outside JSON strings nest deeper than `limit`, found before parsing:
    one pass over the brackets alone, stopping at the first level too deep."""
    depth = 0
    for byte in _NOT_A_BRACKET.sub(b"", _JSON_STRING.sub(b"", raw)):
        depth += 1 if byte in _OPENING else -1
        if depth > limit:
            return True
    return False


def is_validation_error(error: Exception) -> bool:
    """pydantic's ValidationError, without importing pydantic: if it is not loaded, nothing raised one."""
    core = sys.modules.get("pydantic_core")
    return core is not None and isinstance(error, core.ValidationError)


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
    """A rate limit's refusal says when to try again (TooManyRequests.retry_after)."""
    retry_after = getattr(error, "retry_after", None)
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
    return json_response(error.to_body(), status=error.status, headers=headers)


def chalice_refusals_in_contract_shape(event, get_response) -> Response:
    """An app's "http" middleware. Chalice refuses some requests before any route runs, in a
    shape of its own, `{"Code", "Message"}`: 415 for a body that is not JSON (text, a form, XML),
    405 for a method the path does not take. This answers them in the contract's shape."""
    response = get_response(event)
    body = response.body
    if response.status_code < 400 or not isinstance(body, dict) or body.keys() != {"Code", "Message"}:
        return response
    headers = {k: v for k, v in response.headers.items() if k.lower() != "content-type"}
    if response.status_code == 415:
        error = ("unsupported_media_type", "The body must be JSON, sent with Content-Type: application/json "
                 f"({body['Message'].removeprefix('Unsupported media type: ') or 'none'} is not).")
    elif response.status_code == 405:
        allowed = headers.get("Allow", "")
        error = ("method_not_allowed", f"This path does not answer {event.method}; it answers {allowed}.")
    else:
        error = (re.sub(r"(?<!^)(?=[A-Z])", "_", body["Code"]).lower().removesuffix("_error"), body["Message"])
    return json_response({"error": {"code": error[0], "message": error[1], "field": None}},
                         status=response.status_code, headers=headers)


def answers_errors(view: Callable) -> Callable:
    """Turn DomainError and pydantic errors raised by a route into the contract's JSON errors."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except DomainError as error:
            return error_response(error)
        except Exception as error:
            if not is_validation_error(error):
                raise
            return error_response(validation_error(error))

    return wrapper


class LazyModule:
    """A module imported on its first use, where a route first touches it (thread-safe: the import
    system locks). An app names its service modules through it, so that a cold start loads only
    the services, and the models, that its first request needs."""

    def __init__(self, name: str):
        self._name = name

    def __getattr__(self, attribute: str) -> Any:
        return getattr(importlib.import_module(self._name), attribute)
