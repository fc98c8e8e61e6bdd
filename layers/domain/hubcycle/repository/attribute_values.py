"""DynamoDB's typed attribute values for what hubcycle stores: JSON-shaped items (a model's JSON
form, money as strings, times as ISO 8601), keys and expression values. boto3's TypeSerializer
does the same, but importing boto3 loads s3transfer and multiprocessing as well: about 25 ms of
every cold start, for the two dozen lines below. Numbers come back as Decimal, as from boto3."""
from __future__ import annotations

from decimal import Decimal
from typing import Any


def to_attribute(value: Any) -> dict:
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, (int, Decimal)):
        return {"N": str(value)}
    if isinstance(value, (list, tuple)):
        return {"L": [to_attribute(v) for v in value]}
    if isinstance(value, dict):
        return {"M": {str(k): to_attribute(v) for k, v in value.items()}}
    if isinstance(value, (set, frozenset)) and value and all(isinstance(v, str) for v in value):
        return {"SS": sorted(value)}
    raise TypeError(f"cannot store {type(value).__name__} {value!r} in DynamoDB (floats are not exact: use Decimal)")


def from_attribute(value: dict) -> Any:
    (kind, data), = value.items()
    if kind in ("S", "BOOL"):
        return data
    if kind == "N":
        return Decimal(data)
    if kind == "NULL":
        return None
    if kind == "L":
        return [from_attribute(v) for v in data]
    if kind == "M":
        return {k: from_attribute(v) for k, v in data.items()}
    if kind == "SS":
        return set(data)
    raise TypeError(f"hubcycle stores no DynamoDB values of type {kind}")
