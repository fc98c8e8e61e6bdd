"""The cold-start baseline (issue #7, part 2): the least any real function does, a Chalice app
that creates a boto3 DynamoDB client and answers one GetItem. hubcycle's functions are measured
against it, in the same run, on the same machine."""
import os

import boto3
from chalice import Chalice

app = Chalice(app_name="bench-bare")
dynamodb = boto3.client("dynamodb")


@app.route("/enterprises/{enterprise_id}")
def enterprise(enterprise_id):
    answer = dynamodb.get_item(TableName=os.environ.get("HUBCYCLE_TABLE", "hubcycle"),
                               Key={"PK": {"S": f"ENT#{enterprise_id}"}, "SK": {"S": "ENT"}})
    return {"found": "Item" in answer}
