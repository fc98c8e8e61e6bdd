"""Every setting the functions read, by its environment variable. infra/ sets the same names on
Lambda; the local system sets them for its processes. Read on each call so tests can change them."""
from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    table: str
    event_bus: str
    schedule_group: str
    scheduler_target_arn: str
    scheduler_role_arn: str
    sender: str
    ses_configuration_set: str
    user_pool_id: str
    user_pool_client_id: str
    user_pool_arn: str
    """Only the admin API's Cognito authorizer declaration needs it (at packaging time)."""
    api_gateway_verifies_tokens: bool
    """True on AWS, where API Gateway's Cognito authorizer stands in front of every admin route
    and passes the verified claims; the admin then does not verify the token again."""
    storefront_origin: str
    uploads_bucket: str
    """Where managers' images are uploaded (under `uploads/`): on AWS the storefront's bucket."""
    uploads_url: str
    """Where that bucket's objects are served: on AWS the storefront's CloudFront address."""
    dead_letter_queue_arn: str
    """Where EventBridge Scheduler puts a schedule's invocation once its retries are spent (empty
    locally unless a test sets it: the schedules then have no dead-letter queue)."""
    checkout_orders_per_hour: int
    """Orders one source address, and one customer email, may place per hour; 0 (the local default) is
    no limit (services/rate_limits.py)."""
    console_url: str
    """Where managers open the console (`<storefront origin>/console/`): emails link into it."""
    currency: str
    """Written beside every amount in the hub's emails (ISO 4217)."""
    reports_bucket: str
    """Where a report too large for a Lambda response is written, to be fetched by a presigned link."""
    response_limit_bytes: int
    """A report answer larger than this goes through reports_bucket (Lambda answers at most 6 MB)."""
    endpoint_url: str
    """Set only locally: the embedded AWS (moto server) every client talks to."""


def settings() -> Settings:
    env = os.environ.get
    return Settings(
        table=env("HUBCYCLE_TABLE", "hubcycle"),
        event_bus=env("HUBCYCLE_EVENT_BUS", "hubcycle"),
        schedule_group=env("HUBCYCLE_SCHEDULE_GROUP", "hubcycle"),
        scheduler_target_arn=env("HUBCYCLE_SCHEDULER_TARGET_ARN", "arn:aws:lambda:eu-west-1:123456789012:function:hubcycle-scheduler"),
        scheduler_role_arn=env("HUBCYCLE_SCHEDULER_ROLE_ARN", "arn:aws:iam::123456789012:role/hubcycle-scheduler-invoke"),
        sender=env("HUBCYCLE_SENDER", "orders@hubcycle.local"),
        ses_configuration_set=env("HUBCYCLE_SES_CONFIGURATION_SET", ""),
        user_pool_id=env("HUBCYCLE_USER_POOL_ID", ""),
        user_pool_client_id=env("HUBCYCLE_USER_POOL_CLIENT_ID", ""),
        user_pool_arn=env("HUBCYCLE_USER_POOL_ARN", ""),
        api_gateway_verifies_tokens=env("HUBCYCLE_API_GATEWAY_VERIFIES_TOKENS", "false") == "true",
        storefront_origin=env("HUBCYCLE_STOREFRONT_ORIGIN", "*"),
        uploads_bucket=env("HUBCYCLE_UPLOADS_BUCKET", "hubcycle-uploads"),
        uploads_url=env("HUBCYCLE_UPLOADS_URL", "https://hubcycle-uploads.s3.amazonaws.com"),
        dead_letter_queue_arn=env("HUBCYCLE_DEAD_LETTER_QUEUE_ARN", ""),
        checkout_orders_per_hour=int(env("HUBCYCLE_CHECKOUT_ORDERS_PER_HOUR", "0")),
        console_url=env("HUBCYCLE_CONSOLE_URL", "http://127.0.0.1:8000/console/"),
        currency=env("HUBCYCLE_CURRENCY", "EUR"),
        reports_bucket=env("HUBCYCLE_REPORTS_BUCKET", "hubcycle-reports"),
        response_limit_bytes=int(env("HUBCYCLE_RESPONSE_LIMIT_BYTES", str(5 * 1024 * 1024))),
        endpoint_url=env("AWS_ENDPOINT_URL", ""),
    )
