"""The customer reminders: "shop open", "closing soon", "ready for pickup" (issue 16). In the
customer's language (else the shop's), times in its timezone, plain text and HTML (every text a person typed escaped),
no image and no tracking. Each carries its one-click unsubscribe link twice: in the text, and in
the List-Unsubscribe header with List-Unsubscribe-Post (RFC 8058)."""
from __future__ import annotations

from decimal import Decimal
from html import escape

from hubcycle.adapters.mail import OutgoingEmail
from hubcycle.enterprises import Enterprise, Language
from hubcycle.notifications import date_text, money_text
from hubcycle.order_cycles import OrderCycle
from hubcycle.orders import Order

SHOP_OPEN, CLOSING_SOON, READY = "shop_open", "closing_soon", "ready"
KINDS = (SHOP_OPEN, CLOSING_SOON, READY)

TEXTS = {
    Language.en: {
        SHOP_OPEN: "{shop} is open for orders until {closes}",
        CLOSING_SOON: "{shop} closes soon: order by {closes}",
        READY: "Your order {number} from {shop} is ready",
        "greeting": "Hello {name},",
        "open_intro": "{shop} is open for orders.",
        "soon_intro": "{shop} closes for orders soon, and you have not ordered yet.",
        "ready_intro": "your order from {shop} is ready for pickup.",
        "closes": "Orders close",
        "ready_for": "Ready for",
        "order_link": "Order here",
        "pickup": "Pickup instructions",
        "your_order": "Your order",
        "total": "Total",
        "why": "You get this email as a customer of {shop}.",
        "unsubscribe": "Stop these emails",
        "page_title": "Reminders from {shop}",
        "page_ask": "Stop the \"{kind}\" emails of {shop} to {email}?",
        "page_done": "{email} gets no more \"{kind}\" emails from {shop}.",
        "page_button": "Unsubscribe",
        SHOP_OPEN + "_name": "shop open", CLOSING_SOON + "_name": "closing soon", READY + "_name": "ready for pickup",
    },
    Language.fr: {
        SHOP_OPEN: "{shop} est ouvert aux commandes jusqu'au {closes}",
        CLOSING_SOON: "{shop} ferme bientôt : commandez avant le {closes}",
        READY: "Votre commande {number} chez {shop} est prête",
        "greeting": "Bonjour {name},",
        "open_intro": "{shop} est ouvert aux commandes.",
        "soon_intro": "{shop} ferme bientôt ses commandes, et vous n'avez pas encore commandé.",
        "ready_intro": "votre commande chez {shop} est prête à être retirée.",
        "closes": "Fin des commandes",
        "ready_for": "Prêt pour",
        "order_link": "Commander ici",
        "pickup": "Modalités de retrait",
        "your_order": "Votre commande",
        "total": "Total",
        "why": "Vous recevez cet email en tant que client de {shop}.",
        "unsubscribe": "Ne plus recevoir ces emails",
        "page_title": "Rappels de {shop}",
        "page_ask": "Ne plus envoyer les emails « {kind} » de {shop} à {email} ?",
        "page_done": "{email} ne recevra plus les emails « {kind} » de {shop}.",
        "page_button": "Se désabonner",
        SHOP_OPEN + "_name": "boutique ouverte", CLOSING_SOON + "_name": "fermeture proche",
        READY + "_name": "commande prête",
    },
    # A shopper's language, never a shop's: no unsubscribe page texts (that page is in the shop's).
    "es": {
        SHOP_OPEN: "{shop} está abierta para pedidos hasta el {closes}",
        CLOSING_SOON: "{shop} cierra pronto: haz tu pedido antes del {closes}",
        READY: "Tu pedido {number} de {shop} está listo",
        "greeting": "Hola {name}:",
        "open_intro": "{shop} está abierta para pedidos.",
        "soon_intro": "{shop} cierra pronto los pedidos y aún no has hecho el tuyo.",
        "ready_intro": "tu pedido de {shop} está listo para recoger.",
        "closes": "Cierre de pedidos",
        "ready_for": "Listo para",
        "order_link": "Haz tu pedido aquí",
        "pickup": "Instrucciones de recogida",
        "your_order": "Tu pedido",
        "total": "Total",
        "why": "Recibes este correo como cliente de {shop}.",
        "unsubscribe": "No recibir más estos correos",
    },
}


def reminder_email(kind: str, cycle: OrderCycle, shop: Enterprise, to: str, name: str, shop_link: str,
                   unsubscribe_link: str, orders: list[Order] = (), language: str | None = None) -> OutgoingEmail:
    """One reminder to one customer; `orders`: theirs at this shop in this cycle (for READY);
    `language`: the customer's (None: the shop's)."""
    language = language or shop.language
    words = TEXTS[language]
    exchange = cycle.outgoing_of(shop.id)
    closes = date_text(cycle.closes_at, shop.zone, language) if cycle.closes_at else ""
    number = ", ".join(o.number for o in orders)
    subject = words[kind].format(shop=shop.name, closes=closes, number=number)
    intro = {SHOP_OPEN: "open_intro", CLOSING_SOON: "soon_intro", READY: "ready_intro"}[kind]
    paragraphs: list[list[str]] = [[words["greeting"].format(name=name), words[intro].format(shop=shop.name)]]
    facts: list[tuple[str, str]] = []
    if exchange and exchange.ready_for:
        facts.append((words["ready_for"], exchange.ready_for))
    if kind == READY:
        if exchange and exchange.pickup_instructions.strip():
            facts.append((words["pickup"], exchange.pickup_instructions.strip()))
        lines = [f"{line.quantity} × {line.product_name}, {line.variant_name}: {money_text(line.total, language)}"
                 for order in orders for line in order.items]
        total = money_text(sum((order.total for order in orders), Decimal(0)), language)
        paragraphs.append([f"{words['your_order']} {number}", *lines, f"{words['total']}: {total}"])
    else:
        facts.append((words["closes"], closes))
        if kind == SHOP_OPEN and exchange and exchange.reminder_message.strip():
            paragraphs.append([exchange.reminder_message.strip()])
    footer = [words["why"].format(shop=shop.name), f"{words['unsubscribe']}: {unsubscribe_link}"]
    text = "\n\n".join([
        "\n".join(paragraphs[0]),
        "\n".join(f"{label}: {value}" for label, value in facts),
        *("\n".join(p) for p in paragraphs[1:]),
        *([] if kind == READY else [f"{words['order_link']}: {shop_link}"]),
        "\n".join(footer),
    ]) + "\n"
    html = "".join([
        "<!doctype html><html><body style=\"font-family: sans-serif; color: #222\">",
        _paragraph(paragraphs[0]),
        "<table cellpadding=\"4\">",
        *(f"<tr><th align=\"left\" valign=\"top\">{escape(label)}</th><td>{escape(value).replace(chr(10), '<br>')}</td></tr>"
          for label, value in facts),
        "</table>",
        *(_paragraph(p) for p in paragraphs[1:]),
        "" if kind == READY else f"<p><a href=\"{escape(shop_link)}\">{escape(words['order_link'])}</a></p>",
        f"<p><small>{escape(footer[0])}<br><a href=\"{escape(unsubscribe_link)}\">{escape(words['unsubscribe'])}</a>"
        "</small></p></body></html>",
    ])
    return OutgoingEmail(
        to=[to], subject=subject, text=text, html=html, reply_to=[shop.email], sender_name=shop.name,
        headers=(("List-Unsubscribe", f"<{unsubscribe_link}>"), ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")),
    )


def unsubscribe_page(shop_name: str, kind: str, email: str, unsubscribed: bool, language: Language) -> str:
    """What a person who follows the link sees: a button that POSTs the one-click body, or that
    it is done. No script, nothing loaded from elsewhere."""
    words = TEXTS[language]
    facts = {"shop": shop_name, "kind": words[kind + "_name"], "email": email}
    body = (f"<p>{escape(words['page_done'].format(**facts))}</p>" if unsubscribed else
            f"<form method=\"post\"><p>{escape(words['page_ask'].format(**facts))}</p>"
            "<input type=\"hidden\" name=\"List-Unsubscribe\" value=\"One-Click\">"
            f"<button type=\"submit\">{escape(words['page_button'])}</button></form>")
    return (f"<!doctype html><html lang=\"{language.value}\"><head><meta charset=\"utf-8\">"
            f"<title>{escape(words['page_title'].format(**facts))}</title></head>"
            f"<body style=\"font-family: sans-serif\"><h1>{escape(words['page_title'].format(**facts))}</h1>{body}</body></html>")


def _paragraph(lines: list[str]) -> str:
    return f"<p>{'<br>'.join(escape(line).replace(chr(10), '<br>') for line in lines)}</p>"
