"""The project's EventBridge bus, where integrations subscribe to what happens to order cycles."""
from __future__ import annotations

import json

from hubcycle.adapters.aws import client
from hubcycle.settings import settings

SOURCE = "hubcycle"


class PublishFailed(Exception):
    """EventBridge accepted the request but not the entry (it answers 200 with FailedEntryCount)."""


def publish(detail_type: str, detail: dict) -> str:
    """Put one event on the bus; returns EventBridge's event id."""
    answer = client("events").put_events(Entries=[{
        "Source": SOURCE,
        "DetailType": detail_type,
        "Detail": json.dumps(detail),
        "EventBusName": settings().event_bus,
    }])
    entry = answer["Entries"][0]
    if answer.get("FailedEntryCount") or "EventId" not in entry:
        raise PublishFailed(f"{entry.get('ErrorCode')}: {entry.get('ErrorMessage')}")
    return entry["EventId"]
