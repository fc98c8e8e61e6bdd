"""The embedded AWS's DynamoDB (issue 15 point 6): a cancelled transaction is undone item by item,
exactly as DynamoDB leaves it (nothing it wrote, everything else kept), without the copy of the
whole table that moto makes before each TransactWriteItems; and its two speed-ups
(hubcycle.local.dynamodb_speed) answer exactly what moto's own code answers."""
import json

from moto.core import DEFAULT_ACCOUNT_ID
from moto.core.serialize import JSONSerializer
from moto.dynamodb.models import dynamodb_backends
from moto.dynamodb.models.table import Table

from hubcycle.adapters.aws import client
from hubcycle.settings import settings


def item(pk: str, sk: str, **values) -> dict:
    return {"PK": {"S": pk}, "SK": {"S": sk}, **{k: {"N": str(v)} for k, v in values.items()}}


def read(pk: str, sk: str) -> dict | None:
    return client("dynamodb").get_item(TableName=settings().table, Key=item(pk, sk)).get("Item")


def test_a_cancelled_transaction_restores_the_items_it_named_and_keeps_the_table(aws):
    dynamodb, table = client("dynamodb"), settings().table
    dynamodb.put_item(TableName=table, Item=item("STOCK", "A", left=5))
    dynamodb.put_item(TableName=table, Item=item("STOCK", "GONE", left=1))
    dynamodb.put_item(TableName=table, Item=item("OTHER", "X", left=7))
    stored = dynamodb_backends[DEFAULT_ACCOUNT_ID]["eu-west-1"].tables[table]

    key = {"PK": {"S": "STOCK"}, "SK": {"S": "A"}}
    cancelled = dynamodb.exceptions.TransactionCanceledException
    try:
        dynamodb.transact_write_items(TransactItems=[
            {"Update": {"TableName": table, "Key": key, "UpdateExpression": "SET #l = #l - :one",
                        "ExpressionAttributeNames": {"#l": "left"}, "ExpressionAttributeValues": {":one": {"N": "1"}}}},
            {"Put": {"TableName": table, "Item": item("ORDER", "1", lines=1)}},
            {"Delete": {"TableName": table, "Key": {"PK": {"S": "STOCK"}, "SK": {"S": "GONE"}}}},
            {"ConditionCheck": {"TableName": table, "Key": {"PK": {"S": "OTHER"}, "SK": {"S": "X"}},
                                "ConditionExpression": "#l > :ten", "ExpressionAttributeNames": {"#l": "left"},
                                "ExpressionAttributeValues": {":ten": {"N": "10"}}}},
        ])
    except cancelled:
        pass
    else:
        raise AssertionError("the condition on OTHER should have cancelled the transaction")

    assert read("STOCK", "A")["left"] == {"N": "5"}
    assert read("ORDER", "1") is None
    assert read("STOCK", "GONE")["left"] == {"N": "1"}
    assert read("OTHER", "X")["left"] == {"N": "7"}
    assert dynamodb_backends[DEFAULT_ACCOUNT_ID]["eu-west-1"].tables[table] is stored  # not a restored copy

    dynamodb.transact_write_items(TransactItems=[
        {"Put": {"TableName": table, "Item": item("ORDER", "1", lines=1)}},
        {"Delete": {"TableName": table, "Key": {"PK": {"S": "STOCK"}, "SK": {"S": "GONE"}}}},
    ])
    assert read("ORDER", "1")["lines"] == {"N": "1"} and read("STOCK", "GONE") is None


NESTED = {"S": "x"}, {"N": "12.50"}, {"BOOL": False}, {"NULL": True}, {"SS": ["a", "b"]}, {"NS": ["1", "2"]}


def test_a_query_reads_its_partition_as_moto_would_read_the_whole_table(aws, monkeypatch):
    """Each Query is answered twice, by the partition-only path and by moto's own (`all_items` is
    the whole table again); pages, order, conditions, filters and an index give the same."""
    dynamodb, table = client("dynamodb"), settings().table
    for pk in ("OC#a", "OC#b", "OC#c"):
        for n in range(30):
            values = {"PK": {"S": pk}, "SK": {"S": f"OFFER#{n:03}"}, "n": {"N": str(n)},
                      "nested": {"M": {"list": {"L": list(NESTED)}, "n": {"N": str(n)}}}}
            if n % 7 == 0:
                values |= {"GSI1PK": {"S": "SCHEDULE"}, "GSI1SK": {"S": f"2026-11-{n % 28 + 1:02}#{pk}"}}
            dynamodb.put_item(TableName=table, Item=values)
    dynamodb.put_item(TableName=table, Item=item("OC#b", "#CYCLE", version=3))
    queries = [
        {"KeyConditionExpression": "PK = :p", "ExpressionAttributeValues": {":p": {"S": "OC#b"}}},
        {"KeyConditionExpression": "PK = :p", "ExpressionAttributeValues": {":p": {"S": "OC#b"}}, "Limit": 7},
        {"KeyConditionExpression": "PK = :p AND begins_with(SK, :o)", "ScanIndexForward": False,
         "ExpressionAttributeValues": {":p": {"S": "OC#b"}, ":o": {"S": "OFFER#01"}}},
        {"KeyConditionExpression": "PK = :p AND SK < :o", "FilterExpression": "n > :five", "Limit": 9,
         "ExpressionAttributeValues": {":p": {"S": "OC#c"}, ":o": {"S": "OFFER#020"}, ":five": {"N": "5"}}},
        {"KeyConditionExpression": "PK = :p", "ExpressionAttributeValues": {":p": {"S": "OC#none"}}},
        {"IndexName": "GSI1", "KeyConditionExpression": "GSI1PK = :s AND GSI1SK <= :now",
         "ExpressionAttributeValues": {":s": {"S": "SCHEDULE"}, ":now": {"S": "2026-11-20"}}},
    ]

    def pages(query: dict) -> list[dict]:
        answers, start = [], {}
        while True:
            answer = dynamodb.query(TableName=table, **query, **start)
            answers.append({k: v for k, v in answer.items() if k != "ResponseMetadata"})
            if "LastEvaluatedKey" not in answer:
                return answers
            start = {"ExclusiveStartKey": answer["LastEvaluatedKey"]}

    fast = [pages(q) for q in queries]
    assert [len(p) for p in fast] == [1, 5, 1, 3, 1, 1]
    assert [i["SK"]["S"] for p in fast[0] for i in p["Items"]][:2] == ["#CYCLE", "OFFER#000"]
    monkeypatch.setattr(Table, "query", Table.query.moto)
    monkeypatch.setattr(JSONSerializer, "_serialize_type_structure", JSONSerializer._serialize_type_structure.moto)
    assert [pages(q) for q in queries] == fast


def test_an_item_comes_back_as_written_through_the_shortcut(aws):
    dynamodb, table = client("dynamodb"), settings().table
    stored = {"PK": {"S": "OC#a"}, "SK": {"S": "#CYCLE"},
              "exchanges": {"L": [{"M": {"ids": {"L": [{"S": f"v{n}"} for n in range(500)]}, "all": {"L": list(NESTED)}}}]}}
    dynamodb.put_item(TableName=table, Item=stored)
    assert dynamodb.get_item(TableName=table, Key=item("OC#a", "#CYCLE"))["Item"] == stored
    answer = dynamodb.batch_get_item(RequestItems={table: {"Keys": [item("OC#a", "#CYCLE")]}})
    assert json.dumps(answer["Responses"][table][0], sort_keys=True) == json.dumps(stored, sort_keys=True)

