"""The shopper's order confirmation. Seed 003: the pickup instructions go into "l'email de
confirmation de commande envoyé au client, juste en-dessous de la méthode de livraison". Written in
the shop's language, times in the shop's timezone; the HTML escapes every text a person typed."""
from __future__ import annotations

from decimal import Decimal
from html import escape

from hubcycle.adapters.mail import OutgoingEmail
from hubcycle.enterprises import Enterprise, Language, PaymentMethod, ShippingMethod
from hubcycle.notifications import date_text, money_text
from hubcycle.orders import Order

TEXTS = {
    Language.en: {
        "subject": "Order {number} confirmed: {shop}",
        "greeting": "Hello {name},",
        "intro": "thank you for your order at {shop}.",
        "number": "Order number",
        "placed": "Placed on",
        "ready_for": "Ready for",
        "items": "Your order",
        "each": "each",
        "products": "Products",
        "total": "Total",
        "fees_included": "Fees included in the total",
        "shipping": "Shipping",
        "pickup": "Pickup instructions",
        "payment": "Payment",
        "reply": "Any question? Reply to this email to reach {shop}.",
        "manage": "See, change or cancel your order until the order cycle closes (keep this link to yourself)",
    },
    Language.fr: {
        "subject": "Commande {number} confirmée : {shop}",
        "greeting": "Bonjour {name},",
        "intro": "merci pour votre commande chez {shop}.",
        "number": "Numéro de commande",
        "placed": "Passée le",
        "ready_for": "Prêt pour",
        "items": "Votre commande",
        "each": "l'unité",
        "products": "Produits",
        "total": "Total",
        "fees_included": "Dont frais",
        "shipping": "Livraison ou retrait",
        "pickup": "Modalités de retrait",
        "payment": "Paiement",
        "reply": "Une question ? Répondez à cet email pour joindre {shop}.",
        "manage": "Voir, modifier ou annuler votre commande jusqu'à la clôture du cycle (lien personnel, ne le partagez pas)",
    },
    "es": {
        "subject": "Pedido {number} confirmado: {shop}",
        "greeting": "Hola {name}:",
        "intro": "gracias por tu pedido en {shop}.",
        "number": "Número de pedido",
        "placed": "Realizado el",
        "ready_for": "Listo para",
        "items": "Tu pedido",
        "each": "la unidad",
        "products": "Productos",
        "total": "Total",
        "fees_included": "Gastos incluidos en el total",
        "shipping": "Entrega o recogida",
        "pickup": "Instrucciones de recogida",
        "payment": "Pago",
        "reply": "¿Alguna pregunta? Responde a este correo para contactar con {shop}.",
        "manage": "Ver, cambiar o cancelar tu pedido hasta el cierre del ciclo (enlace personal, no lo compartas)",
    },
}


def order_confirmation(order: Order, shop: Enterprise, shipping: ShippingMethod, payment: PaymentMethod,
                       manage_url: str) -> OutgoingEmail:
    """The email to the shopper once the order is stored, in the language they ordered in, with
    their private link to the order; replies go to the shop."""
    language = order.language or shop.language
    words = TEXTS[language]

    def money(amount: Decimal) -> str:
        return money_text(amount, language)

    facts = [(words["number"], order.number), (words["placed"], f"{date_text(order.created_at, shop.zone, language, year=True)} ({shop.timezone})")]
    if order.ready_for:
        facts.append((words["ready_for"], order.ready_for))
    lines = [
        (f"{line.quantity} × {line.product_name}, {line.variant_name}",
         f"{money(line.price)} {words['each']}", money(line.total))
        for line in order.items
    ]
    totals = [(words["products"], money(sum((line.total for line in order.items), Decimal(0))))]
    totals += [(adjustment.label, money(adjustment.amount)) for adjustment in order.adjustments]
    totals.append((words["total"], money(order.total)))
    delivery = [(words["shipping"], shipping.name)]
    if order.pickup_instructions.strip():
        delivery.append((words["pickup"], order.pickup_instructions.strip()))
    delivery.append((words["payment"], f"{payment.name}\n{payment.description}" if payment.description else payment.name))

    greeting = words["greeting"].format(name=order.customer.name)
    intro = words["intro"].format(shop=shop.name)
    fees = f"{words['fees_included']}: {money(order.fee_total)}"
    reply = words["reply"].format(shop=shop.name)
    text = "\n".join([
        greeting, intro, "",
        *[f"{label}: {value}" for label, value in facts], "",
        words["items"],
        *[f"  {name} ({each}): {total}" for name, each, total in lines], "",
        *[f"{label}: {value}" for label, value in totals],
        fees, "",
        *[f"{label}:\n{value}" if "\n" in value else f"{label}: {value}" for label, value in delivery], "",
        f"{words['manage']}:", manage_url, "",
        reply, "",
    ])
    html = "".join([
        "<!doctype html><html><body style=\"font-family: sans-serif; color: #222\">",
        f"<p>{escape(greeting)}<br>{escape(intro)}</p>",
        _table(facts),
        f"<h2>{escape(words['items'])}</h2>",
        "<table cellpadding=\"4\">",
        *[f"<tr><td>{escape(name)}</td><td>{escape(each)}</td><td align=\"right\">{escape(total)}</td></tr>"
          for name, each, total in lines],
        "</table>",
        _table(totals, bold_last=True),
        f"<p><small>{escape(fees)}</small></p>",
        _table(delivery),
        f"<p><a href=\"{escape(manage_url)}\">{escape(words['manage'])}</a></p>",
        f"<p>{escape(reply)}</p>",
        "</body></html>",
    ])
    return OutgoingEmail(
        to=[order.customer.email],
        subject=words["subject"].format(number=order.number, shop=shop.name),
        text=text,
        html=html,
        reply_to=[shop.email],
        sender_name=shop.name,
    )


def _table(rows: list[tuple[str, str]], bold_last: bool = False) -> str:
    cells = []
    for index, (label, value) in enumerate(rows):
        value_html = escape(value).replace("\n", "<br>")
        if bold_last and index == len(rows) - 1:
            value_html = f"<strong>{value_html}</strong>"
        cells.append(f"<tr><th align=\"left\" valign=\"top\">{escape(label)}</th><td>{value_html}</td></tr>")
    return f"<table cellpadding=\"4\">{''.join(cells)}</table>"
