"""What the admin routes accept: request bodies as pydantic models, made from the domain's own
models so that each field's constraints are written once. Unknown fields are refused (a misspelt
field silently ignored would be a change the manager believes made)."""
from __future__ import annotations

import secrets
from typing import Annotated

from pydantic import BaseModel, ConfigDict, create_model

from hubcycle.clock import clock


class Body(BaseModel):
    """Built on first use, like the domain's models: the admin declares some thirty bodies."""

    model_config = ConfigDict(extra="forbid", defer_build=True)


def body_of(model: type[BaseModel], name: str, exclude: frozenset[str] = frozenset(), *,
            optional: bool = False) -> type[Body]:
    """The fields of `model` but `exclude`, as a request body, with their constraints and defaults.
    `optional`: every field may be left out (a PATCH body); one left out reads as None and stays
    as it is (`model_fields_set` says which were sent), while an explicit null still fails the
    field's type."""
    fields = {}
    for field_name, field in model.model_fields.items():
        if field_name in exclude:
            continue
        if optional:
            annotation = Annotated[field.annotation, *field.metadata] if field.metadata else field.annotation
            fields[field_name] = (annotation, None)
        else:
            fields[field_name] = (field.annotation, field)
    return create_model(name, __base__=Body, **fields)


_last_id_ms = 0


def new_id() -> str:
    """An opaque id of 16 hex characters: milliseconds (made strictly increasing within the
    process), then 20 random bits. Ids sort as they were made, so a product's variants list in
    the order given; items are created under a uniqueness condition all the same."""
    global _last_id_ms
    _last_id_ms = max(_last_id_ms + 1, int(clock.now().timestamp() * 1000))
    return f"{_last_id_ms:011x}{secrets.randbits(20):05x}"
