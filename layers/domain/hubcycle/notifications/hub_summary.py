"""The hub's closing summary: when an order cycle closes, its coordinator (every order) and each
other distributor (its own orders) get the orders' count and totals, what each producer was asked
for, and links to the packing reports in the console. One outbox item per hub and closing run,
written with the closing (docs/scheduling.md), so it goes exactly once per closing."""
from __future__ import annotations

from datetime import datetime
from html import escape

from hubcycle.adapters.mail import OutgoingEmail
from hubcycle.enterprises import Enterprise, Language
from hubcycle.money import ZERO
from hubcycle.notifications import console_link, money_text
from hubcycle.notifications.producer_orders import html_table, placed_orders, rows_for
from hubcycle.order_cycles import OrderCycle
from hubcycle.orders import Order
from hubcycle.settings import settings

REPORTS = ("pack-by-customer", "pack-by-supplier", "customer-totals", "supplier-totals", "totals-by-shipping-method")

TEXTS = {
    Language.en: {
        "subject": "{cycle} has closed: {count} orders",
        "intro": "The order cycle “{cycle}” closed on {time}. {scope}",
        "everyone": "Every shop's orders:",
        "own": "The orders of your shop:",
        "totals": ("Orders", "Products", "Fees", "Total"),
        "asked": "Asked of each producer",
        "columns": ("Product", "Variant", "Quantity"),
        "reports": "Packing reports",
        "colon": ":",
    },
    Language.fr: {
        "subject": "{cycle} est clos : {count} commandes",
        "intro": "Le cycle de vente « {cycle} » a fermé le {time}. {scope}",
        "everyone": "Les commandes de toutes les boutiques :",
        "own": "Les commandes de votre boutique :",
        "totals": ("Commandes", "Produits", "Frais", "Total"),
        "asked": "Demandé à chaque producteur",
        "columns": ("Produit", "Variante", "Quantité"),
        "reports": "Rapports de préparation",
        "colon": " :",
    },
}


def hubs_to_tell(cycle: OrderCycle, orders: list[Order]) -> list[str]:
    """The coordinator, and each other distributor with orders."""
    return [cycle.coordinator_id, *sorted({o.distributor_id for o in placed_orders(orders)} - {cycle.coordinator_id})]


def hub_summary_email(cycle: OrderCycle, hub: Enterprise, enterprises: dict[str, Enterprise], orders: list[Order],
                      now: datetime) -> OutgoingEmail:
    words, language, currency = TEXTS[hub.language], hub.language, settings().currency
    coordinating = hub.id == cycle.coordinator_id
    mine = [o for o in placed_orders(orders) if coordinating or o.distributor_id == hub.id]
    amounts = [sum((getattr(o, field) for o in mine), ZERO) for field in ("item_total", "fee_total", "total")]
    totals = [(words["totals"][0], str(len(mine))),
              *((label, money_text(amount, language, currency)) for label, amount in zip(words["totals"][1:], amounts))]
    asked = []
    for supplier_id in sorted({line.supplier_id for o in mine for line in o.items}):
        name = enterprises[supplier_id].name if supplier_id in enterprises else supplier_id
        asked.append((name, [(r.product_name, r.variant_name, str(r.quantity)) for r in rows_for(supplier_id, mine)]))
    only = "" if coordinating else f"?distributor_id={hub.id}"
    links = [(name, console_link(f"order-cycles/{cycle.id}/reports/{name}{only}")) for name in REPORTS]
    fill = {"cycle": cycle.name, "count": len(mine), "time": now.astimezone(hub.zone).strftime("%Y-%m-%d %H:%M %Z"),
            "scope": words["everyone" if coordinating else "own"]}

    colon = words["colon"]
    text = [words["intro"].format(**fill), "", *(f"{label}{colon} {value}" for label, value in totals)]
    html = [f"<p>{escape(words['intro'].format(**fill))}</p>",
            "<ul>" + "".join(f"<li>{escape(label)}{colon} {escape(value)}</li>" for label, value in totals) + "</ul>"]
    if asked:
        text += ["", words["asked"]]
        html.append(f"<h3>{escape(words['asked'])}</h3>")
        for name, rows in asked:
            text += ["", name, *(" | ".join(row) for row in rows)]
            html += [f"<h4>{escape(name)}</h4>", html_table(words["columns"], rows, "")]
    text += ["", words["reports"], *(f"{name}{colon} {url}" for name, url in links)]
    html += [f"<h3>{escape(words['reports'])}</h3>",
             "<ul>" + "".join(f"<li><a href=\"{escape(url)}\">{escape(name)}</a></li>" for name, url in links) + "</ul>"]
    return OutgoingEmail(to=[hub.email], subject=words["subject"].format(**fill), text="\n".join(text) + "\n",
                         html="<html><body>" + "\n".join(html) + "</body></html>\n", sender_name=hub.name)
