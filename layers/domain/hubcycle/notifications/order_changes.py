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
    },
}


def order_change_email(detail: dict, shop: Enterprise) -> OutgoingEmail:
    words = TEXTS[shop.language]
    customer = detail["customer"]
    fill = {"shop": shop.name, "number": detail["number"], "name": customer["name"],
            "total": money_text(Decimal(detail["total"]), shop.language, settings().currency)}
    if detail["cancelled"]:
        subject, body = words["cancelled_subject"], [words["cancelled"].format(**fill)]
    else:
        subject = words["subject"]
        body = [words["intro"].format(**fill), *(
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
