"""The single table: its definition lives here and only here. The local system and the tests
create it from `TABLE_DEFINITION`; infra/ renders the same dict into CloudFormation."""
from __future__ import annotations

import os

GSI1 = "GSI1"
TIME_TO_LIVE_ATTRIBUTE = "expires_at"
"""DynamoDB deletes an item some time after this epoch second (the rate-limit counters): infra/
enables it on AWS; nothing reads an item as gone because of it alone."""

TABLE_DEFINITION: dict = {
    "KeySchema": [
        {"AttributeName": "PK", "KeyType": "HASH"},
        {"AttributeName": "SK", "KeyType": "RANGE"},
    ],
    "AttributeDefinitions": [
        {"AttributeName": "PK", "AttributeType": "S"},
        {"AttributeName": "SK", "AttributeType": "S"},
        {"AttributeName": "GSI1PK", "AttributeType": "S"},
        {"AttributeName": "GSI1SK", "AttributeType": "S"},
    ],
    "GlobalSecondaryIndexes": [
        {
            "IndexName": GSI1,
            "KeySchema": [
                {"AttributeName": "GSI1PK", "KeyType": "HASH"},
                {"AttributeName": "GSI1SK", "KeyType": "RANGE"},
            ],
            "Projection": {"ProjectionType": "ALL"},
        }
    ],
    "BillingMode": "PAY_PER_REQUEST",
}

def table_name() -> str:
    return os.environ.get("HUBCYCLE_TABLE", "hubcycle")


def create_table(dynamodb_client, name: str | None = None) -> None:
    """Create the table if missing; used by the local system and the tests."""
    name = name or table_name()
    existing = dynamodb_client.list_tables().get("TableNames", [])
    if name not in existing:
        dynamodb_client.create_table(TableName=name, **TABLE_DEFINITION)
        dynamodb_client.get_waiter("table_exists").wait(TableName=name)
