"""What every concept's repository shares: the client, (de)serialization, and the few request
shapes (get, batch get, query, transaction) with their error translation."""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

from botocore.exceptions import ClientError

from hubcycle.adapters.aws import client
from hubcycle.errors import Conflict
from hubcycle.repository.attribute_values import from_attribute, to_attribute
from hubcycle.repository.table import GSI1, table_name

if TYPE_CHECKING:
    from pydantic import BaseModel

M = TypeVar("M", bound="BaseModel")

KEY_ATTRIBUTES = ("PK", "SK", "GSI1PK", "GSI1SK")
BATCH_GET_LIMIT = 100
TRANSACTION_LIMIT = 100


def serialize(item: dict) -> dict:
    return {k: to_attribute(v) for k, v in item.items()}


def deserialize(item: dict) -> dict:
    return {k: from_attribute(v) for k, v in item.items()}


def to_item(model: BaseModel, **keys: str) -> dict:
    """A model's JSON form (money as strings, times as ISO 8601 UTC) plus its keys."""
    return {**model.model_dump(mode="json"), **keys}


STORED = {"stored": True}
"""Validation context of items read back: a rule added since they were written (issue 15's
single-line text) must not make the data already there unreadable."""


def from_item(model: type[M], item: dict) -> M:
    return model.model_validate(fields_of(item), context=STORED)


def fields_of(item: dict) -> dict:
    """A stored item without its keys: its model's JSON form, as a view reads it (written through
    the model, so valid already)."""
    return {k: v for k, v in item.items() if k not in KEY_ATTRIBUTES}


class TransactionCancelled(Exception):
    """A transaction's condition failed; `reasons` has one code per action, in order."""

    def __init__(self, reasons: list[str]):
        super().__init__(", ".join(reasons))
        self.reasons = reasons


class Repository:
    def __init__(self, name: str | None = None, dynamodb=None):
        self.name = name or table_name()
        self._dynamodb = dynamodb

    @property
    def dynamodb(self):
        return self._dynamodb or client("dynamodb")

    def get(self, pk: str, sk: str, consistent: bool = False) -> dict | None:
        answer = self.dynamodb.get_item(
            TableName=self.name, Key=serialize({"PK": pk, "SK": sk}), ConsistentRead=consistent
        )
        return deserialize(answer["Item"]) if "Item" in answer else None

    def batch_get(self, keys: Iterable[tuple[str, str]]) -> list[dict]:
        """BatchGetItem in chunks of 100, retrying unprocessed keys."""
        unique = list(dict.fromkeys(keys))
        found: list[dict] = []
        for start in range(0, len(unique), BATCH_GET_LIMIT):
            request = {
                self.name: {"Keys": [serialize({"PK": pk, "SK": sk}) for pk, sk in unique[start : start + BATCH_GET_LIMIT]]}
            }
            while request:
                answer = self.dynamodb.batch_get_item(RequestItems=request)
                found.extend(deserialize(i) for i in answer["Responses"].get(self.name, []))
                request = answer.get("UnprocessedKeys") or {}
        return found

    def query(self, key_condition: str, values: dict[str, Any], *, index: str | None = None,
              names: dict[str, str] | None = None, filter_expression: str | None = None,
              forward: bool = True, limit: int | None = None, consistent: bool = False,
              projection: str | None = None) -> Iterator[dict]:
        params: dict[str, Any] = {
            "TableName": self.name,
            "KeyConditionExpression": key_condition,
            "ExpressionAttributeValues": serialize(values),
            "ScanIndexForward": forward,
        }
        if consistent:
            params["ConsistentRead"] = True
        if index:
            params["IndexName"] = index
        if names:
            params["ExpressionAttributeNames"] = names
        if filter_expression:
            params["FilterExpression"] = filter_expression
        if limit:
            params["Limit"] = limit
        if projection:
            params["ProjectionExpression"] = projection
        while True:
            answer = self.dynamodb.query(**params)
            yield from (deserialize(i) for i in answer.get("Items", []))
            if "LastEvaluatedKey" not in answer or limit:
                return
            params["ExclusiveStartKey"] = answer["LastEvaluatedKey"]

    def partition(self, pk: str, prefix: str = "", consistent: bool = False) -> list[dict]:
        if prefix:
            return list(self.query("PK = :pk AND begins_with(SK, :p)", {":pk": pk, ":p": prefix}, consistent=consistent))
        return list(self.query("PK = :pk", {":pk": pk}, consistent=consistent))

    def index_partition(self, gsi1pk: str, prefix: str = "") -> list[dict]:
        if prefix:
            return list(self.query("GSI1PK = :pk AND begins_with(GSI1SK, :p)", {":pk": gsi1pk, ":p": prefix}, index=GSI1))
        return list(self.query("GSI1PK = :pk", {":pk": gsi1pk}, index=GSI1))

    def put(self, item: dict, condition: str | None = None, values: dict | None = None,
            names: dict | None = None) -> None:
        """PutItem; a failed condition raises TransactionCancelled, as in a transaction."""
        self._send(self.dynamodb.put_item, put_action(item, condition, values, names))

    def update(self, pk: str, sk: str, update: str, values: dict | None = None, condition: str | None = None,
               names: dict | None = None) -> None:
        """UpdateItem (one write, not a transaction); a failed condition raises TransactionCancelled."""
        self._send(self.dynamodb.update_item, update_action(pk, sk, update, values, condition, names))

    def _send(self, request, action: dict) -> None:
        (_, params), = self._wire(action).items()
        try:
            request(**params)
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise TransactionCancelled(["ConditionalCheckFailed"]) from None
            raise

    def transact(self, actions: list[dict]) -> None:
        """TransactWriteItems with actions in the client's shape, minus TableName and with plain
        Python values; raises TransactionCancelled with the per-action reasons."""
        if not actions:
            return
        if len(actions) > TRANSACTION_LIMIT:
            raise Conflict(f"a change may touch at most {TRANSACTION_LIMIT} records at once", code="too_large")
        request = [self._wire(action) for action in actions]
        try:
            self.dynamodb.transact_write_items(TransactItems=request)
        except ClientError as error:
            if error.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            reasons = [r.get("Code", "None") for r in error.response.get("CancellationReasons", [])]
            raise TransactionCancelled(reasons) from None

    def batch_write(self, puts: Iterable[dict] = (), deletes: Iterable[tuple[str, str]] = ()) -> None:
        """Unconditional writes of read-model items, 25 per request, retrying unprocessed ones."""
        requests = [{"PutRequest": {"Item": serialize(i)}} for i in puts]
        requests += [{"DeleteRequest": {"Key": serialize({"PK": pk, "SK": sk})}} for pk, sk in deletes]
        for start in range(0, len(requests), 25):
            pending = {self.name: requests[start : start + 25]}
            while pending:
                answer = self.dynamodb.batch_write_item(RequestItems=pending)
                pending = answer.get("UnprocessedItems") or {}

    def _wire(self, action: dict) -> dict:
        (kind, body), = action.items()
        wired = {"TableName": self.name}
        for key, value in body.items():
            if key in ("Item", "Key", "ExpressionAttributeValues"):
                wired[key] = serialize(value)
            else:
                wired[key] = value
        return {kind: wired}


def _action(kind: str, body: dict, condition: str | None, values: dict | None, names: dict | None) -> dict:
    """One transaction action in the client's shape, with only the expression parts given."""
    optional = {"ConditionExpression": condition, "ExpressionAttributeValues": values,
                "ExpressionAttributeNames": names}
    return {kind: {**body, **{key: part for key, part in optional.items() if part}}}


def put_action(item: dict, condition: str | None = None, values: dict | None = None,
               names: dict | None = None) -> dict:
    return _action("Put", {"Item": item}, condition, values, names)


def update_action(pk: str, sk: str, update: str, values: dict | None = None, condition: str | None = None,
                  names: dict | None = None) -> dict:
    return _action("Update", {"Key": {"PK": pk, "SK": sk}, "UpdateExpression": update}, condition, values, names)


def delete_action(pk: str, sk: str, condition: str | None = None, values: dict | None = None) -> dict:
    return _action("Delete", {"Key": {"PK": pk, "SK": sk}}, condition, values, None)


def condition_check_action(pk: str, sk: str, condition: str, values: dict | None = None,
                           names: dict | None = None) -> dict:
    return _action("ConditionCheck", {"Key": {"PK": pk, "SK": sk}}, condition, values, names)
