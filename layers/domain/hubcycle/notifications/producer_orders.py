"""The producer email of seed 003 ("Notifier les producteurs"): what a hub ordered from one
producer in one order cycle, in the producer's language, with the hub's delivery details.

The unit price is the line's `base_price`, what the producer is paid: hub fees are the hub's.
Cancelled orders are not counted. Every amount carries the currency. The producer's own fees
(from its incoming exchange) are listed: what the hub charges shoppers on its behalf. Customer
names, with what each ordered, appear only when the coordinator lets suppliers see them
(`customer_names_to_suppliers`). A link opens its packing list in the console."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from html import escape

from hubcycle.adapters.mail import OutgoingEmail
from hubcycle.enterprises import Enterprise, Language
from hubcycle.money import ZERO, to_cents
from hubcycle.notifications import console_link, money_text
from hubcycle.order_cycles import OrderCycle
from hubcycle.orders import Order, OrderState
from hubcycle.settings import settings

TEXTS = {
    Language.en: {
        "subject": "Orders for {producer} – {cycle}",
        "hello": "Hello {producer},",
        "intro": "Here is what {hub} has ordered from you in the order cycle “{cycle}” (as of {time}).",
        "ready_for": "{distributor}: ready for {ready_for}",
        "instructions": "Delivery instructions",
        "columns": ("Product", "Variant", "Quantity", "Unit price", "Subtotal"),
        "total": "Total",
        "customers": "Orders by customer",
        "customer_columns": ("Customer", "Product", "Variant", "Quantity"),
        "fees": "Your fees, charged to the shoppers",
        "packing": "Your packing list",
        "contact": "Questions? Contact {hub}: {email} (or reply to this email).",
        "colon": ":",
    },
    Language.fr: {
        "subject": "Commandes pour {producer} – {cycle}",
        "hello": "Bonjour {producer},",
        "intro": "Voici ce que {hub} vous a commandé pour le cycle de vente « {cycle} » (au {time}).",
        "ready_for": "{distributor} : prêt pour {ready_for}",
        "instructions": "Détails de livraison produits",
        "columns": ("Produit", "Variante", "Quantité", "Prix unitaire", "Sous-total"),
        "total": "Total",
        "customers": "Commandes par client",
        "customer_columns": ("Client", "Produit", "Variante", "Quantité"),
        "fees": "Vos frais, facturés aux clients",
        "packing": "Votre liste de préparation",
        "contact": "Une question ? Contactez {hub} : {email} (ou répondez à cet e-mail).",
        "colon": " :",
    },
}


@dataclass(frozen=True)
class Row:
    """One variant at one price: quantities of every completed order added up."""

    product_name: str
    variant_name: str
    quantity: int
    unit_price: Decimal

    @property
    def subtotal(self) -> Decimal:
        return to_cents(self.unit_price * self.quantity)


def suppliers_with_orders(orders: list[Order]) -> list[str]:
    """Suppliers with at least one item in a completed order: the ones to notify."""
    return sorted({line.supplier_id for order in placed_orders(orders) for line in order.items})


def placed_orders(orders: list[Order]) -> list[Order]:
    return [order for order in orders if order.state == OrderState.placed]


def rows_for(supplier_id: str, orders: list[Order]) -> list[Row]:
    """Grouped by variant and price (a price change during the cycle gives two rows)."""
    names: dict[tuple, tuple[str, str]] = {}
    quantities: dict[tuple, int] = defaultdict(int)
    for order in placed_orders(orders):
        for line in order.items:
            if line.supplier_id == supplier_id:
                key = (line.variant_id, line.base_price)
                names.setdefault(key, (line.product_name, line.variant_name))
                quantities[key] += line.quantity
    rows = [Row(*names[key], quantity, key[1]) for key, quantity in quantities.items()]
    return sorted(rows, key=lambda r: (r.product_name, r.variant_name, r.unit_price))


def own_fees(producer_id: str, orders: list[Order]) -> list[tuple[str, Decimal]]:
    """The producer's own fees charged in these orders (per item on its lines, and per order),
    added up by fee."""
    amounts: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for order in orders:
        charged = [fee for line in order.items for fee in line.fees] + order.adjustments
        for fee in charged:
            if fee.enterprise_id == producer_id:
                amounts[fee.label] += fee.amount
    return sorted(amounts.items())


def producer_orders_email(cycle: OrderCycle, producer: Enterprise, coordinator: Enterprise,
                          distributors: dict[str, Enterprise], orders: list[Order],
                          now: datetime) -> OutgoingEmail | None:
    """The email for `producer`, or None when nothing was ordered from them."""
    rows = rows_for(producer.id, orders)
    if not rows:
        return None
    language = producer.language
    words = TEXTS[language]
    mine = [o for o in placed_orders(orders) if any(line.supplier_id == producer.id for line in o.items)]
    ready_for = []
    for distributor_id in sorted({o.distributor_id for o in mine}):
        exchange = cycle.outgoing_of(distributor_id)
        name = distributors[distributor_id].name if distributor_id in distributors else distributor_id
        when = exchange.ready_for if exchange else next(o.ready_for for o in mine if o.distributor_id == distributor_id)
        ready_for.append(words["ready_for"].format(distributor=name, ready_for=when))
    incoming = cycle.incoming_of(producer.id)
    instructions = incoming.receival_instructions.strip() if incoming else ""
    currency = settings().currency
    table = [(r.product_name, r.variant_name, str(r.quantity), money_text(r.unit_price, language, currency),
              money_text(r.subtotal, language, currency)) for r in rows]
    total = money_text(sum((r.subtotal for r in rows), ZERO), language, currency)
    fees = [(label, money_text(amount, language, currency)) for label, amount in own_fees(producer.id, mine)]
    packing = console_link(f"order-cycles/{cycle.id}/reports/pack-by-supplier?supplier_id={producer.id}")
    customers = []
    if coordinator.customer_names_to_suppliers:
        customers = sorted(
            (order.customer.name, line.product_name, line.variant_name, str(line.quantity))
            for order in mine for line in order.items if line.supplier_id == producer.id
        )
    fill = {"producer": producer.name, "cycle": cycle.name, "hub": coordinator.name, "email": coordinator.email,
            "time": now.astimezone(coordinator.zone).strftime("%Y-%m-%d %H:%M %Z")}
    parts = _Parts(words, fill, ready_for, instructions, table, total, customers, fees, packing)
    cc = [coordinator.email] if coordinator.email != producer.email else []
    return OutgoingEmail(
        to=[producer.email], subject=words["subject"].format(**fill), text=parts.text(), html=parts.html(),
        cc=cc, reply_to=[coordinator.email], sender_name=coordinator.name,
    )


@dataclass(frozen=True)
class _Parts:
    """The email's content once, written out as plain text and as HTML (user text escaped)."""

    words: dict
    fill: dict
    ready_for: list[str]
    instructions: str
    table: list[tuple]
    total: str
    customers: list[tuple]
    fees: list[tuple]
    packing: str

    def text(self) -> str:
        w, colon = self.words, self.words["colon"]
        lines = [w["hello"].format(**self.fill), "", w["intro"].format(**self.fill), "", *self.ready_for]
        if self.instructions:
            lines += ["", f"{w['instructions']}{colon}", self.instructions]
        lines += ["", " | ".join(w["columns"]), *(" | ".join(row) for row in self.table), f"{w['total']}{colon} {self.total}"]
        if self.fees:
            lines += ["", f"{w['fees']}{colon}", *(" | ".join(r) for r in self.fees)]
        if self.customers:
            lines += ["", f"{w['customers']}{colon}", " | ".join(w["customer_columns"]), *(" | ".join(r) for r in self.customers)]
        lines += ["", f"{w['packing']}{colon} {self.packing}", "", w["contact"].format(**self.fill)]
        return "\n".join(lines) + "\n"

    def html(self) -> str:
        w = self.words
        safe = {key: escape(str(value)) for key, value in self.fill.items()}
        parts = [f"<p>{w['hello'].format(**safe)}</p>", f"<p>{w['intro'].format(**safe)}</p>"]
        parts.append("<ul>" + "".join(f"<li>{escape(line)}</li>" for line in self.ready_for) + "</ul>")
        if self.instructions:
            parts.append(f"<h3>{w['instructions']}</h3><p>{escape(self.instructions)}</p>")
        footer = f"<tr><th colspan=\"4\" align=\"left\">{w['total']}</th><th align=\"right\">{self.total}</th></tr>"
        parts.append(html_table(w["columns"], self.table, footer))
        if self.fees:
            parts.append(f"<h3>{w['fees']}</h3><ul>" + "".join(f"<li>{escape(label)}: {escape(amount)}</li>"
                                                             for label, amount in self.fees) + "</ul>")
        if self.customers:
            parts.append(f"<h3>{w['customers']}</h3>" + html_table(w["customer_columns"], self.customers, ""))
        parts.append(f"<p><a href=\"{escape(self.packing)}\">{w['packing']}</a></p>")
        parts.append(f"<p>{w['contact'].format(**safe)}</p>")
        return "<html><body>" + "\n".join(parts) + "</body></html>\n"


def html_table(columns: tuple, rows: list[tuple], footer: str) -> str:
    head = "".join(f"<th align=\"left\">{escape(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table border=\"1\" cellpadding=\"4\" cellspacing=\"0\"><thead><tr>{head}</tr></thead><tbody>{body}</tbody><tfoot>{footer}</tfoot></table>"
