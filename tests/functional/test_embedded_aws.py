"""The embedded AWS's DynamoDB (issue 15 point 6): a cancelled transaction is undone item by item,
exactly as DynamoDB leaves it (nothing it wrote, everything else kept), without the copy of the
whole table that moto makes before each TransactWriteItems."""
from moto.core import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models import dynamodb_backends

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
