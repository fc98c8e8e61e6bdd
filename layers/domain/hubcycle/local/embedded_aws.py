"""Start moto's server on 127.0.0.1 and create what the system expects to find in an account:
the table, the managers' user pool, the SES sender, the scheduler group and the event bus."""
from __future__ import annotations

import copy
import json
import logging
import os
import threading
from dataclasses import dataclass

from hubcycle.adapters.aws import client, region, reset_clients
from hubcycle.local.cognito_like_aws import answer_cognito_as_aws
from hubcycle.local.dynamodb_speed import speed_up_dynamodb
from hubcycle.local.invitations import deliver_cognito_invitations
from hubcycle.repository.table import create_table
from hubcycle.settings import settings

POOL_NAME = "hubcycle-managers"
CLIENT_NAME = "hubcycle-admin"
LOCAL_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
    "AWS_DEFAULT_REGION": "eu-west-1",
    "AWS_REGION": "eu-west-1",
}


@dataclass(frozen=True)
class LocalAccount:
    endpoint: str
    user_pool_id: str
    user_pool_client_id: str


def point_at(endpoint: str) -> None:
    """Every boto3 client of this process talks to the embedded AWS from now on."""
    os.environ.update(LOCAL_CREDENTIALS)
    if os.environ.get("AWS_ENDPOINT_URL") != endpoint:
        os.environ["AWS_ENDPOINT_URL"] = endpoint
        reset_clients()


def isolate_dynamodb() -> None:
    """moto answers requests on parallel threads without DynamoDB's isolation: a failed
    transaction restores a snapshot of the whole table, undoing what other requests wrote
    meanwhile. Handling one DynamoDB request at a time gives back DynamoDB's guarantees (each
    request atomic); clients still interleave their requests freely.

    With that lock held, a failed transaction is also undone item by item: moto deep-copies each
    table a TransactWriteItems names before running it (`DynamoDBBackend.transact_write_items`),
    which cost a second per transaction at 2,000 variants and grew the process by gigabytes over
    a few thousand orders. Here the items it names are saved instead, and put back if it fails."""
    from moto.dynamodb import models
    from moto.dynamodb.responses import DynamoHandler

    if getattr(DynamoHandler.call_action, "isolated", False):
        return
    lock = threading.Lock()
    handle = DynamoHandler.call_action

    def one_at_a_time(self):
        with lock:
            return handle(self)

    transact = models.DynamoDBBackend.transact_write_items

    def transact_restoring_items(self, transact_items):
        saved = _items_named(self, transact_items)
        try:
            return transact(self, transact_items)
        except Exception:
            _restore(saved)
            raise

    one_at_a_time.isolated = True
    DynamoHandler.call_action = one_at_a_time
    models.copy = _TablesNotCopied()
    models.DynamoDBBackend.transact_write_items = transact_restoring_items


class _TablesNotCopied:
    """What moto's DynamoDB backend sees as the `copy` module: a deep copy of anything but a whole
    table, which stays itself (its items are saved one by one instead)."""

    def __getattr__(self, name: str):
        return getattr(copy, name)

    @staticmethod
    def deepcopy(value, memo=None):
        from moto.dynamodb.models.table import Table

        return value if isinstance(value, Table) else copy.deepcopy(value, memo)


def _items_named(backend, transact_items: list) -> list[tuple]:
    """(table, hash key, range key, a copy of the item or None) for each item a transaction names."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    saved = []
    for operation in transact_items:
        for kind, details in operation.items():
            table = backend.tables.get(details.get("TableName"))
            key = details.get("Item" if kind == "Put" else "Key") or {}
            if table is None or table.hash_key_attr not in key:
                continue  # moto refuses such an operation before writing anything
            hash_key = DynamoType(key[table.hash_key_attr])
            range_key = DynamoType(key[table.range_key_attr]) if table.range_key_attr in key else None
            if table.has_range_key and range_key is None:
                continue
            saved.append((table, hash_key, range_key, copy.deepcopy(table.get_item(hash_key, range_key))))
    return saved


def _restore(saved: list[tuple]) -> None:
    for table, hash_key, range_key, item in reversed(saved):  # the first copy of an item named twice wins
        if item is None:
            table.delete_item(hash_key, range_key)
        elif range_key is None:
            table.items[hash_key] = item
        else:
            table.items[hash_key][range_key] = item


def start_moto(port: int):
    from moto.server import ThreadedMotoServer

    from hubcycle.local.mailbox import MAILBOX

    isolate_dynamodb()
    speed_up_dynamodb()
    answer_cognito_as_aws()
    deliver_cognito_invitations()
    MAILBOX.follow()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    return server


def find_user_pool() -> LocalAccount | None:
    cognito = client("cognito-idp")
    for pool in cognito.list_user_pools(MaxResults=60)["UserPools"]:
        if pool["Name"] == POOL_NAME:
            clients = cognito.list_user_pool_clients(UserPoolId=pool["Id"], MaxResults=60)["UserPoolClients"]
            match = next((c for c in clients if c["ClientName"] == CLIENT_NAME), None)
            if match:
                return LocalAccount(os.environ.get("AWS_ENDPOINT_URL", ""), pool["Id"], match["ClientId"])
    return None


def _provision_uploads(bucket: str) -> None:
    """The bucket managers' images are uploaded to, served by the embedded AWS itself (anyone may
    read `uploads/`, as CloudFront serves the storefront's bucket on AWS)."""
    s3 = client("s3")
    if bucket not in {b["Name"] for b in s3.list_buckets()["Buckets"]}:
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region()})
    public = {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/uploads/*"}
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [public]}))
    os.environ["HUBCYCLE_UPLOADS_URL"] = f"{settings().endpoint_url}/{bucket}"


def provision() -> LocalAccount:
    """Idempotent: safe to call against a server that is already provisioned."""
    config = settings()
    create_table(client("dynamodb"), config.table)
    client("ses").verify_email_identity(EmailAddress=config.sender)
    scheduler = client("scheduler")
    groups = {g["Name"] for g in scheduler.list_schedule_groups()["ScheduleGroups"]}
    if config.schedule_group not in groups:
        scheduler.create_schedule_group(Name=config.schedule_group)
    if config.reports_bucket not in {b["Name"] for b in client("s3").list_buckets()["Buckets"]}:
        where = {} if region() == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region()}}
        client("s3").create_bucket(Bucket=config.reports_bucket, **where)
    events = client("events")
    if config.event_bus not in {b["Name"] for b in events.list_event_buses()["EventBuses"]}:
        events.create_event_bus(Name=config.event_bus)
    _provision_uploads(config.uploads_bucket)
    account = find_user_pool()
    if account is None:
        cognito = client("cognito-idp")
        pool = cognito.create_user_pool(
            PoolName=POOL_NAME,
            UsernameAttributes=["email"],
            AutoVerifiedAttributes=["email"],
            Schema=[{"Name": "email", "AttributeDataType": "String", "Required": True, "Mutable": True}],
        )["UserPool"]
        app_client = cognito.create_user_pool_client(
            UserPoolId=pool["Id"],
            ClientName=CLIENT_NAME,
            # USER_PASSWORD_AUTH: the console's sign-in (moto's SRP accepts any password, docs/console.md)
            ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            ReadAttributes=["email", "email_verified"],
        )["UserPoolClient"]
        account = LocalAccount(os.environ.get("AWS_ENDPOINT_URL", ""), pool["Id"], app_client["ClientId"])
    os.environ["HUBCYCLE_USER_POOL_ID"] = account.user_pool_id
    os.environ["HUBCYCLE_USER_POOL_CLIENT_ID"] = account.user_pool_client_id
    return account
