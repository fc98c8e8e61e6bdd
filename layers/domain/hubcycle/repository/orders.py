"""Orders, in their cycle's partition (SK ORDER#{id}) with their lines embedded: the reports, the
producer notifications and the delete check read them with one Query on the cycle."""
from __future__ import annotations

from hubcycle.orders import Order
from hubcycle.repository import keys
from hubcycle.repository.base import Repository, from_item


class OrderRepository(Repository):
    def orders_of_cycle(self, cycle_id: str) -> list[Order]:
        items = self.partition(keys.order_cycle(cycle_id), keys.ORDER_PREFIX)
        return sorted((from_item(Order, i) for i in items), key=lambda o: (o.created_at, o.id))
