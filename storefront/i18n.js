// Every string the storefront shows, in English and French, in one dictionary.
// The language comes from the browser (navigator.languages): the first preferred language we
// support wins, English otherwise. Placeholders are written {name}; a plural entry is an object
// keyed by Intl.PluralRules categories ("one", "other", ...) and takes its count from {count}.
// French typography: U+202F (narrow no-break space) before ; : ! ? and U+00A0 where needed.

const NNBSP = "\u202f";

export const DICTIONARIES = {
  en: {
    "app.name": "hubcycle",
    "app.tagline": "Local food, ordered together",
    "app.noscript": "This shop needs JavaScript.",
    "nav.skip": "Skip to main content",
    "nav.shops": "All shops",
    "nav.main": "Site",
    "loading": "Loading…",
    "common.retry": "Try again",
    "common.dismiss": "Dismiss message",

    "shops.title": "Open shops",
    "shops.intro": "Choose a shop to see what you can order in its current order cycle.",
    "shops.empty": "No shop is taking orders right now. Please come back soon!",
    "kind.shop": "Shop",
    "kind.hub": "Hub",
    "kind.profile": "Profile",

    "shop.readyFor": "Ready for",
    "shop.closes": "Orders close {date}",
    "shop.cycleLabelFallback": "Orders close {date}",
    "shop.noCycle": "This shop is not taking orders right now.",
    "shop.notFound": "We could not find this shop.",
    "shop.cycleGone": "The order cycle in this link is no longer open, so we are showing the current one.",
    "shop.cycleChanged": "Now showing products ready for {readyFor}.",

    "products.title": "Products",
    "products.empty": "There are no products in this order cycle yet.",
    "product.add": "Add to cart",
    "product.soldOut": "Sold out",
    "product.price": "Price",
    "product.inCart": { one: "{count} in your cart", other: "{count} in your cart" },
    "product.added": "Added {name} to your cart ({count} in cart).",
    "unit.item": { one: "{count} item", other: "{count} items" },

    "cart.title": "Your cart",
    "cart.for": "Ready for {readyFor}",
    "cart.empty": "Your cart is empty.",
    "cart.quantity": "Quantity",
    "cart.remove": "Remove",
    "cart.each": "{price} each",
    "cart.lineTotal": "Line total",
    "cart.total": "Total",
    "cart.count": { one: "{count} item", other: "{count} items" },
    "cart.feesNote": "Prices include the per-item fees. Shipping and payment fees are added at checkout.",
    "cart.removed": "Removed {name} from your cart.",
    "cart.updated": "{name}: quantity set to {count}.",
    "cart.invalidQuantity": "Enter a whole number of at least 1.",
    "cart.jump": "View cart",
    "cart.problem.insufficient_stock": "Out of stock: not enough left for this quantity. Lower the quantity or remove it; the rest of your cart is kept.",
    "cart.problem.sold_out": "Sold out. Remove it to order the rest of your cart.",
    "cart.problem.unavailable": "No longer offered in this order cycle. Remove it to order the rest of your cart.",

    "checkout.title": "Checkout",
    "checkout.name": "Name",
    "checkout.email": "Email",
    "checkout.shipping": "Shipping method",
    "checkout.payment": "Payment method",
    "checkout.free": "free",
    "checkout.methodWithFee": "{name} (+{fee})",
    "checkout.methodFree": "{name} (free)",
    "checkout.items": "Products",
    "checkout.shippingFee": "Shipping fee",
    "checkout.paymentFee": "Payment fee",
    "checkout.estimate": "Estimated total",
    "checkout.estimateNote": "Any other order fees will be shown on your confirmation.",
    "checkout.place": "Place order",
    "checkout.placing": "Placing your order…",
    "checkout.noMethods": "This shop has no shipping or payment method set up yet, so it cannot take orders.",

    "error.nameRequired": "Enter your name.",
    "error.emailRequired": "Enter your email address.",
    "error.emailInvalid": "Enter a valid email address, like name@example.com.",
    "error.formInvalid": "Please correct the highlighted fields.",
    "error.cartEmpty": "Your cart is empty: add some products before placing an order.",
    "error.cartBlocked": "Remove the products marked as unavailable before placing your order.",
    "error.order_cycle_closed": "This order cycle has closed, so your order could not be placed. Your cart is kept.",
    "error.insufficient_stock": "Not enough stock left for {name}. We marked it in your cart; the rest of your cart is kept.",
    "error.insufficient_stock_generic": "A product in your cart is out of stock. The rest of your cart is kept.",
    "error.network": "Could not reach the shop. Check your connection and try again.",
    "error.networkOrder": "Could not reach the shop, so we don't know if your order went through. Your cart is kept: placing the order again is safe and will not order twice.",
    "error.server": "The shop is having trouble (error {status}). Please try again in a moment.",
    "error.serverOrder": "The shop is having trouble (error {status}). Your cart is kept: placing the order again is safe and will not order twice.",
    "error.rejected": "The order was refused: {detail}",
    "error.unknownVariant": "{name} is no longer offered. Remove it and try again.",
    "error.shippingInvalid": "This shipping method is not available. Please choose another one.",
    "error.paymentInvalid": "This payment method is not available. Please choose another one.",
    "error.quantityInvalid": "Quantities must be whole numbers of at least 1.",
    "error.loadShops": "Could not load the shops.",
    "error.loadShop": "Could not load this shop.",
    "error.loadProducts": "Could not load the products.",
    "error.generic": "Something went wrong: {detail}",

    "notFound.title": "Page not found",
    "notFound.text": "This page does not exist.",

    "confirmation.title": "Thank you! Your order is placed.",
    "confirmation.number": "Order number",
    "confirmation.readyFor": "Ready for",
    "confirmation.pickup": "Pickup instructions",
    "confirmation.noPickup": "The shop has not given pickup instructions yet; it will get in touch with you.",
    "confirmation.items": "Your order",
    "confirmation.product": "Product",
    "confirmation.quantity": "Qty",
    "confirmation.price": "Price",
    "confirmation.lineTotal": "Total",
    "confirmation.itemTotal": "Products",
    "confirmation.feeTotal": "Of which fees (all, per-item included)",
    "confirmation.total": "Total to pay",
    "confirmation.back": "Back to the shop",
    "confirmation.missing": "This order confirmation is no longer available in this browser.",
    "confirmation.unknownProduct": "Product {id}",
  },

  fr: {
    "app.name": "hubcycle",
    "app.tagline": "Des produits locaux, commandés ensemble",
    "app.noscript": "Cette boutique a besoin de JavaScript.",
    "nav.skip": "Aller au contenu principal",
    "nav.shops": "Toutes les boutiques",
    "nav.main": "Site",
    "loading": "Chargement…",
    "common.retry": "Réessayer",
    "common.dismiss": "Fermer le message",

    "shops.title": "Boutiques ouvertes",
    "shops.intro": "Choisissez une boutique pour voir ce que vous pouvez commander dans son cycle de vente en cours.",
    "shops.empty": `Aucune boutique ne prend de commandes pour le moment. Revenez bientôt${NNBSP}!`,
    "kind.shop": "Boutique",
    "kind.hub": "Hub",
    "kind.profile": "Profil",

    "shop.readyFor": "Prêt pour",
    "shop.closes": "Commandes jusqu'au {date}",
    "shop.cycleLabelFallback": "Commandes jusqu'au {date}",
    "shop.noCycle": "Cette boutique ne prend pas de commandes pour le moment.",
    "shop.notFound": "Boutique introuvable.",
    "shop.cycleGone": `Le cycle de vente de ce lien n'est plus ouvert${NNBSP}; voici le cycle en cours.`,
    "shop.cycleChanged": "Produits prêts pour {readyFor}.",

    "products.title": "Produits",
    "products.empty": "Il n'y a pas encore de produits dans ce cycle de vente.",
    "product.add": "Ajouter au panier",
    "product.soldOut": "Épuisé",
    "product.price": "Prix",
    "product.inCart": { one: "{count} dans votre panier", other: "{count} dans votre panier" },
    "product.added": `Ajouté au panier${NNBSP}: {name} ({count} dans le panier).`,
    "unit.item": { one: "{count}\u00a0pièce", other: "{count}\u00a0pièces" },

    "cart.title": "Votre panier",
    "cart.for": "Prêt pour {readyFor}",
    "cart.empty": "Votre panier est vide.",
    "cart.quantity": "Quantité",
    "cart.remove": "Retirer",
    "cart.each": "{price} l'unité",
    "cart.lineTotal": "Sous-total",
    "cart.total": "Total",
    "cart.count": { one: "{count}\u00a0article", other: "{count}\u00a0articles" },
    "cart.feesNote": "Les prix incluent les commissions par article. Les frais de livraison et de paiement s'ajoutent lors de la commande.",
    "cart.removed": `Retiré du panier${NNBSP}: {name}.`,
    "cart.updated": `{name}${NNBSP}: quantité {count}.`,
    "cart.invalidQuantity": "Saisissez un nombre entier supérieur ou égal à 1.",
    "cart.jump": "Voir le panier",
    "cart.problem.insufficient_stock": `Rupture de stock${NNBSP}: il n'en reste pas assez pour cette quantité. Réduisez la quantité ou retirez ce produit${NNBSP}; le reste de votre panier est conservé.`,
    "cart.problem.sold_out": "Épuisé. Retirez-le pour commander le reste de votre panier.",
    "cart.problem.unavailable": "N'est plus proposé dans ce cycle de vente. Retirez-le pour commander le reste de votre panier.",

    "checkout.title": "Commander",
    "checkout.name": "Nom",
    "checkout.email": "E-mail",
    "checkout.shipping": "Mode de livraison",
    "checkout.payment": "Mode de paiement",
    "checkout.free": "gratuit",
    "checkout.methodWithFee": "{name} (+{fee})",
    "checkout.methodFree": "{name} (gratuit)",
    "checkout.items": "Produits",
    "checkout.shippingFee": "Frais de livraison",
    "checkout.paymentFee": "Frais de paiement",
    "checkout.estimate": "Total estimé",
    "checkout.estimateNote": "D'éventuels autres frais de commande figureront sur votre confirmation.",
    "checkout.place": "Passer la commande",
    "checkout.placing": "Envoi de votre commande…",
    "checkout.noMethods": `Cette boutique n'a pas encore de mode de livraison ou de paiement${NNBSP}: elle ne peut pas prendre de commandes.`,

    "error.nameRequired": "Indiquez votre nom.",
    "error.emailRequired": "Indiquez votre adresse e-mail.",
    "error.emailInvalid": "Saisissez une adresse e-mail valide, par exemple nom@exemple.fr.",
    "error.formInvalid": "Veuillez corriger les champs signalés.",
    "error.cartEmpty": `Votre panier est vide${NNBSP}: ajoutez des produits avant de commander.`,
    "error.cartBlocked": "Retirez les produits signalés comme indisponibles avant de commander.",
    "error.order_cycle_closed": `Ce cycle de vente est fermé${NNBSP}: votre commande n'a pas pu être passée. Votre panier est conservé.`,
    "error.insufficient_stock": `Stock insuffisant pour {name}. Nous l'avons signalé dans votre panier${NNBSP}; le reste de votre panier est conservé.`,
    "error.insufficient_stock_generic": "Un produit de votre panier est en rupture de stock. Le reste de votre panier est conservé.",
    "error.network": "Impossible de joindre la boutique. Vérifiez votre connexion et réessayez.",
    "error.networkOrder": `Impossible de joindre la boutique${NNBSP}: nous ne savons pas si votre commande est passée. Votre panier est conservé${NNBSP}; vous pouvez réessayer sans risque, la commande ne sera pas passée deux fois.`,
    "error.server": "La boutique rencontre un problème (erreur {status}). Réessayez dans un instant.",
    "error.serverOrder": `La boutique rencontre un problème (erreur {status}). Votre panier est conservé${NNBSP}; vous pouvez réessayer sans risque, la commande ne sera pas passée deux fois.`,
    "error.rejected": `La commande a été refusée${NNBSP}: {detail}`,
    "error.unknownVariant": "{name} n'est plus proposé. Retirez-le et réessayez.",
    "error.shippingInvalid": "Ce mode de livraison n'est pas disponible. Choisissez-en un autre.",
    "error.paymentInvalid": "Ce mode de paiement n'est pas disponible. Choisissez-en un autre.",
    "error.quantityInvalid": "Les quantités doivent être des nombres entiers supérieurs ou égaux à 1.",
    "error.loadShops": "Impossible de charger les boutiques.",
    "error.loadShop": "Impossible de charger cette boutique.",
    "error.loadProducts": "Impossible de charger les produits.",
    "error.generic": `Un problème est survenu${NNBSP}: {detail}`,

    "notFound.title": "Page introuvable",
    "notFound.text": "Cette page n'existe pas.",

    "confirmation.title": `Merci${NNBSP}! Votre commande est passée.`,
    "confirmation.number": "Numéro de commande",
    "confirmation.readyFor": "Prêt pour",
    "confirmation.pickup": "Modalités de retrait",
    "confirmation.noPickup": `La boutique n'a pas encore précisé les modalités de retrait${NNBSP}; elle vous contactera.`,
    "confirmation.items": "Votre commande",
    "confirmation.product": "Produit",
    "confirmation.quantity": "Qté",
    "confirmation.price": "Prix",
    "confirmation.lineTotal": "Total",
    "confirmation.itemTotal": "Produits",
    "confirmation.feeTotal": "Dont frais (tous, y compris par article)",
    "confirmation.total": "Total à payer",
    "confirmation.back": "Retour à la boutique",
    "confirmation.missing": "Cette confirmation de commande n'est plus disponible dans ce navigateur.",
    "confirmation.unknownProduct": "Produit {id}",
  },
};

export const SUPPORTED_LANGUAGES = Object.keys(DICTIONARIES);
export const DEFAULT_LANGUAGE = "en";

function canonical(tag) {
  try {
    return Intl.getCanonicalLocales(tag)[0] || null;
  } catch {
    return null;
  }
}

/** First supported language among the browser's preferences: {lang: "fr", locale: "fr-CA"}. */
export function pickLanguage(preferred) {
  for (const raw of preferred || []) {
    const tag = canonical(String(raw || ""));
    if (!tag) continue;
    const base = tag.split("-")[0].toLowerCase();
    if (SUPPORTED_LANGUAGES.includes(base)) return { lang: base, locale: tag };
  }
  return { lang: DEFAULT_LANGUAGE, locale: DEFAULT_LANGUAGE };
}

export function createI18n(preferred) {
  const { lang, locale } = pickLanguage(preferred);
  const dict = DICTIONARIES[lang];
  const fallback = DICTIONARIES[DEFAULT_LANGUAGE];
  const plurals = new Intl.PluralRules(locale);

  function t(key, params = {}) {
    let entry = key in dict ? dict[key] : fallback[key];
    if (entry === undefined) return key;
    if (typeof entry === "object") {
      entry = entry[plurals.select(Number(params.count) || 0)] ?? entry.other;
    }
    return entry.replace(/\{(\w+)\}/g, (match, name) =>
      Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : match);
  }

  return { lang, locale, t };
}
