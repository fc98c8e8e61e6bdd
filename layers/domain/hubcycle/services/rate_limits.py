"""How many orders one source address, and one customer email, may place per clock hour: the public
checkout needs no sign-in and emails whatever address it is given, so without a bound anyone could
make the hub's SES identity send thousands of emails and hold its stock with fake orders.
`HUBCYCLE_CHECKOUT_ORDERS_PER_HOUR` sets the bound (the stack's CheckoutOrdersPerHour, 10 by
default); 0, the local default, turns it off. Every attempt that passes validation counts, placed or
not, so that refused attempts cannot probe the stock for free."""
from __future__ import annotations

import math
from datetime import datetime, timedelta

from hubcycle.errors import TooManyRequests, Unavailable
from hubcycle.repository.base import TransactionCancelled
from hubcycle.repository.rate_limits import RateLimitRepository
from hubcycle.settings import settings

WINDOW = timedelta(hours=1)


def admit_order(source_address: str | None, customer_email: str, now: datetime) -> None:
    """Count this attempt against its address and its email, or raise TooManyRequests (429) with the
    seconds until the window ends, counting nothing."""
    limit = settings().checkout_orders_per_hour
    if limit <= 0:
        return
    window = now.replace(minute=0, second=0, microsecond=0)
    subjects = [f"checkout#email#{customer_email.strip().lower()}"]
    if source_address:
        subjects.insert(0, f"checkout#address#{source_address}")
    try:
        refused = RateLimitRepository().count(subjects, window, limit, expires_at=window + 2 * WINDOW)
    except TransactionCancelled:
        raise Unavailable("too many orders at the same moment: try again") from None
    if refused is None:
        return
    retry_after = max(1, math.ceil((window + WINDOW - now).total_seconds()))
    by_email = subjects[refused].startswith("checkout#email#")
    raise TooManyRequests(
        f"at most {limit} orders an hour {'for one email address' if by_email else 'from one address'}: "
        f"try again in {math.ceil(retry_after / 60)} minutes",
        field="customer.email" if by_email else None, retry_after=retry_after)
