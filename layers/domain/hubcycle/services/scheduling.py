"""Arming the opening and closing of order cycles (EventBridge Scheduler) and processing them.
Interface used by the admin function; implemented by the scheduler work (issue 5)."""
from __future__ import annotations

from hubcycle.order_cycles import OrderCycle


def arm(cycle: OrderCycle) -> None:
    """Make the cycle's one-time schedules match its dates and processing records."""
    raise NotImplementedError


def disarm(cycle_id: str) -> None:
    """Delete the cycle's schedules (the cycle was deleted)."""
    raise NotImplementedError
