"""Producer notifications (seed 003, "Notifier les producteurs"). Interface used by the admin
function; implemented by the scheduler work (issue 5)."""
from __future__ import annotations


def notify_producers(cycle_id: str, *, automatic: bool) -> int:
    """Email every supplier with ordered items their orders; returns the number of emails sent."""
    raise NotImplementedError
