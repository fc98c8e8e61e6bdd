"""The customer's email about a manager's correction of their order: which lines changed (a
shortage) or that the order was cancelled, and the new total. Written in the shop's language,
from the outbox item's detail (what was true at that change, whatever happened since)."""
from __future__ import annotations

from decimal import Decimal
from html import escape

from hubcycle.adapters.mail import OutgoingEmail
from hubcycle.enterprises import Enterprise, Language
from hubcycle.notifications import money_text
from hubcycle.settings import settings

TEXTS = {
    Language.en: {
        "subject": "Order {number} changed: {shop}",
        "cancelled_subject": "Order {number} cancelled: {shop}",
        "greeting": "Hello {name},",
        "intro": "{shop} had to change your order {number}:",
        "cancelled": "{shop} has cancelled your order {number}.",
        "line": "{product} ({variant}): {before} → {after}",
        "removed": "{product} ({variant}): removed (you had ordered {before})",
        "total": "New total: {total}",
        "reply": "Any question? Reply to this email to reach {shop}.",
        "own_subject": "Order {number} changed as you asked: {shop}",
        "own_intro": "your order {number} at {shop} is changed as you asked:",
        "own_cancelled": "your order {number} at {shop} is cancelled as you asked.",
    },
    Language.fr: {
        "subject": "Commande {number} modifiée : {shop}",
        "cancelled_subject": "Commande {number} annulée : {shop}",
        "greeting": "Bonjour {name},",
        "intro": "{shop} a dû modifier votre commande {number} :",
        "cancelled": "{shop} a annulé votre commande {number}.",
        "line": "{product} ({variant}) : {before} → {after}",
        "removed": "{product} ({variant}) : retiré (vous en aviez commandé {before})",
        "total": "Nouveau total : {total}",
        "reply": "Une question ? Répondez à cet e-mail pour joindre {shop}.",
        "own_subject": "Commande {number} modifiée à votre demande : {shop}",
        "own_intro": "votre commande {number} chez {shop} est modifiée à votre demande :",
        "own_cancelled": "votre commande {number} chez {shop} est annulée à votre demande.",
    },
    "es": {
        "subject": "Pedido {number} modificado: {shop}",
        "cancelled_subject": "Pedido {number} cancelado: {shop}",
        "greeting": "Hola {name}:",
        "intro": "{shop} ha tenido que modificar tu pedido {number}:",
        "cancelled": "{shop} ha cancelado tu pedido {number}.",
        "line": "{product} ({variant}): {before} → {after}",
        "removed": "{product} ({variant}): retirado (habías pedido {before})",
        "total": "Nuevo total: {total}",
        "reply": "¿Alguna pregunta? Responde a este correo para contactar con {shop}.",
        "own_subject": "Pedido {number} modificado a petición tuya: {shop}",
        "own_intro": "tu pedido {number} en {shop} se ha modificado a petición tuya:",
        "own_cancelled": "tu pedido {number} en {shop} se ha cancelado a petición tuya.",
    },
}


def order_change_email(detail: dict, shop: Enterprise) -> OutgoingEmail:
    """In the language the customer ordered in (the shop's for older orders); a change the
    customer made through their link says so."""
    language = detail.get("language") or shop.language
    words = TEXTS[language]
    own = detail.get("by_customer", False)
    customer = detail["customer"]
    fill = {"shop": shop.name, "number": detail["number"], "name": customer["name"],
            "total": money_text(Decimal(detail["total"]), language, settings().currency)}
    if detail["cancelled"]:
        subject, body = words["cancelled_subject"], [words["own_cancelled" if own else "cancelled"].format(**fill)]
    else:
        subject = words["own_subject" if own else "subject"]
        body = [words["own_intro" if own else "intro"].format(**fill), *(
            words["removed" if line["after"] == 0 else "line"].format(
                product=line["product_name"], variant=line["variant_name"], before=line["before"], after=line["after"])
            for line in detail["lines"]
        ), words["total"].format(**fill)]
    paragraphs = [words["greeting"].format(**fill), *body, words["reply"].format(**fill)]
    return OutgoingEmail(
        to=[customer["email"]], subject=subject.format(**fill), text="\n\n".join(paragraphs) + "\n",
        html="<html><body>" + "".join(f"<p>{escape(p)}</p>" for p in paragraphs) + "</body></html>\n",
        reply_to=[shop.email], sender_name=shop.name,
    )
