"""Stored items read as views (docs/architecture.md, "Views for the first requests"). An item is
its model's JSON form, written through the model; but an item written before a field existed
lacks it, where the model would fill in the field's default. A view fills in the same defaults,
written here because the views must not import the models: tests/unit/test_views.py keeps them
equal to the models'."""
from __future__ import annotations

import copy

from hubcycle.repository.base import fields_of

ENTERPRISE = {"is_producer": False, "timezone": "UTC", "language": "en", "manager_emails": [],
              "customer_names_to_suppliers": False, "cycle_sort": "closes_at", "hide_sold_out": False,
              "description": "", "address": "", "phone": "", "logo_url": "",
              "reminders": {"shop_open": False, "closing_soon_hours": None}}
SHIPPING_METHOD = {"pickup": True, "fee": "0.00", "description": ""}
PAYMENT_METHOD = {"fee": "0.00", "description": ""}


def view_of(item: dict, defaults: dict) -> dict:
    """The item without its keys, with the defaults of the fields it lacks."""
    fields = fields_of(item)
    return {**fields, **{name: copy.deepcopy(value) for name, value in defaults.items() if name not in fields}}
