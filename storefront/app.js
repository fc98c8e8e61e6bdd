// hubcycle storefront: plain ES module, no build step, no framework.
// Routes (hash):
//   #/                                  open shops            GET /shops
//   #/shops/{id}[/cycles/{cycle_id}]    shop, products, cart  GET /shops/{id}, GET .../products
//   #/shops/{id}/orders/{order_id}      confirmation          (from the POST answer, kept in sessionStorage)
//   #/shops/{id}/producers/{producer}   a producer's page     GET /producers/{id}, the shop's products
//   #/my-orders/{secret}                the shopper's order   GET, PATCH /my-orders/{secret}, POST .../cancel
//                                       (a hash route: the secret never reaches a server log or a Referer)
// The API base URL is read from window.HUBCYCLE_CONFIG.shopApiUrl (config.js, rewritten at deploy
// time) and nowhere else; without it, requests go to the page's own origin.

import { DICTIONARIES } from "./i18n.js";
import { apiBase, apiUrl as joinUrl, asList, request } from "./shared/api.js";
import { addressLines, createFormat, toCents } from "./shared/format.js";
import { browserLanguages, createI18n } from "./shared/i18n.js";

// ---------------------------------------------------------------------------------------------
// Configuration, language, formatting
// ---------------------------------------------------------------------------------------------

const CONFIG = (typeof window.HUBCYCLE_CONFIG === "object" && window.HUBCYCLE_CONFIG) || {};
const API_BASE = apiBase(CONFIG.shopApiUrl);

const LANGUAGE_KEY = "hubcycle.language";
const chosenLanguage = (() => { try { return window.localStorage.getItem(LANGUAGE_KEY); } catch { return null; } })();
const { lang, locale, t, supported } = createI18n(DICTIONARIES, [chosenLanguage, ...browserLanguages()].filter(Boolean));
const LANGUAGE_NAMES = { en: "English", fr: "Français", es: "Español" };
const { formatMoney, formatDate, formatUnit } = createFormat({ locale, currency: CONFIG.currency, t });
const collator = new Intl.Collator(locale, { sensitivity: "base", numeric: true });

// ---------------------------------------------------------------------------------------------
// Small DOM helpers
// ---------------------------------------------------------------------------------------------

/** h("p", {class: "x", "data-testid": "y", onclick: fn}, "text", child) — text is never parsed as HTML. */
function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value == null || value === false) continue;
    if (key === "class") el.className = value;
    else if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (value === true) el.setAttribute(key, "");
    else el.setAttribute(key, String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child == null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

let idCounter = 0;
const uid = (prefix) => `${prefix}-${++idCounter}`;

const $main = () => document.getElementById("main");

function setTitle(...parts) {
  document.title = [...parts.filter(Boolean), t("app.name")].join(" · ");
}

/** Replace the main content; move focus to its heading unless this is the first page load. */
let firstRender = true;
function render(...nodes) {
  const main = $main();
  main.removeAttribute("aria-busy");
  main.replaceChildren(...nodes.flat(Infinity).filter(Boolean));
  const heading = main.querySelector("h1");
  if (!firstRender) {
    window.scrollTo(0, 0);
    if (heading) {
      heading.setAttribute("tabindex", "-1");
      heading.focus({ preventScroll: true });
    }
  }
  firstRender = false;
}

function renderLoading() {
  const main = $main();
  main.setAttribute("aria-busy", "true");
  main.replaceChildren(h("p", { class: "loading" }, t("loading")));
}

// ---------------------------------------------------------------------------------------------
// Messages (the one aria-live region)
// ---------------------------------------------------------------------------------------------

let messageSeq = 0;
let messageTimer = null;

/** Show and announce a message. kind: "info" (auto-hides), "success", "error" (stays). */
function say(text, kind = "info") {
  const region = document.getElementById("message");
  const bar = document.getElementById("message-bar");
  const dismiss = document.getElementById("message-dismiss");
  const seq = ++messageSeq;
  clearTimeout(messageTimer);
  region.setAttribute("aria-live", kind === "error" ? "assertive" : "polite");
  region.textContent = "";
  // Set the text on the next tick so that the same message twice in a row is announced again.
  setTimeout(() => {
    if (seq !== messageSeq) return;
    region.textContent = text;
    bar.dataset.kind = kind;
    bar.classList.add("message-bar--visible");
    dismiss.hidden = false;
    document.documentElement.style.setProperty("--sticky-top", `${bar.offsetHeight + 8}px`);
    if (kind === "info") messageTimer = setTimeout(() => { if (seq === messageSeq) clearMessage(); }, 6000);
  }, 30);
}

function clearMessage() {
  messageSeq++;
  clearTimeout(messageTimer);
  const region = document.getElementById("message");
  const bar = document.getElementById("message-bar");
  region.textContent = "";
  delete bar.dataset.kind;
  bar.classList.remove("message-bar--visible");
  document.getElementById("message-dismiss").hidden = true;
  document.documentElement.style.removeProperty("--sticky-top");
}

// ---------------------------------------------------------------------------------------------
// HTTP
// ---------------------------------------------------------------------------------------------

const apiUrl = (...segments) => joinUrl(API_BASE, ...segments);

function loadErrorText(err, fallbackKey) {
  if (err.kind === "network") return t("error.network");
  if (err.status >= 500) return t("error.server", { status: err.status });
  return t(fallbackKey);
}

// ---------------------------------------------------------------------------------------------
// Storage (localStorage for carts, sessionStorage for confirmations), tolerant of failures
// ---------------------------------------------------------------------------------------------

function makeStore(getStorage) {
  const memory = new Map();
  const storage = (() => {
    try {
      const s = getStorage();
      const probe = "__hubcycle_probe__";
      s.setItem(probe, probe);
      s.removeItem(probe);
      return s;
    } catch {
      return null;
    }
  })();
  return {
    get(key) {
      let raw = null;
      try { raw = storage ? storage.getItem(key) : memory.get(key) ?? null; } catch { raw = memory.get(key) ?? null; }
      if (raw == null) return null;
      try { return JSON.parse(raw); } catch { return null; }
    },
    set(key, value) {
      const raw = JSON.stringify(value);
      try {
        if (storage) storage.setItem(key, raw);
        else memory.set(key, raw);
      } catch {
        memory.set(key, raw);
      }
    },
    remove(key) {
      try { if (storage) storage.removeItem(key); } catch { /* ignore */ }
      memory.delete(key);
    },
  };
}

const local = makeStore(() => window.localStorage);
const session = makeStore(() => window.sessionStorage);

// ---------------------------------------------------------------------------------------------
// Cart: one per shop + order cycle, in localStorage
//   {lines: [{variant_id, quantity, product_name, variant_name, supplier_name, unit, unit_value, price}],
//    problems: {variant_id: "insufficient_stock"}, attempt: {key, body} | null}
// ---------------------------------------------------------------------------------------------

const CART_PREFIX = "hubcycle.cart.v1:";
const cartStorageKey = (shopId, cycleId) => CART_PREFIX + JSON.stringify([shopId, cycleId]);

function loadCart(shopId, cycleId) {
  const raw = local.get(cartStorageKey(shopId, cycleId));
  const cart = { lines: [], problems: {}, attempt: null };
  if (!raw || typeof raw !== "object") return cart;
  const seen = new Set();
  for (const line of Array.isArray(raw.lines) ? raw.lines : []) {
    if (!line || typeof line.variant_id !== "string" || seen.has(line.variant_id)) continue;
    const quantity = Number(line.quantity);
    if (!Number.isInteger(quantity) || quantity < 1) continue;
    seen.add(line.variant_id);
    cart.lines.push({ ...line, quantity });
  }
  if (raw.problems && typeof raw.problems === "object") {
    for (const [id, problem] of Object.entries(raw.problems)) if (seen.has(id)) cart.problems[id] = String(problem);
  }
  if (raw.attempt && typeof raw.attempt.key === "string" && typeof raw.attempt.body === "string") {
    cart.attempt = { key: raw.attempt.key, body: raw.attempt.body };
  }
  return cart;
}

function saveCart(shopId, cycleId, cart) {
  const key = cartStorageKey(shopId, cycleId);
  if (!cart.lines.length && !cart.attempt) local.remove(key);
  else local.set(key, cart);
}

function cartItemCount(cart) {
  return cart.lines.reduce((sum, line) => sum + line.quantity, 0);
}

/** Sum of displayed prices × quantities, in integer cents. */
function cartTotalCents(cart) {
  return cart.lines.reduce((sum, line) => sum + (toCents(line.price) ?? 0) * line.quantity, 0);
}

/** A v4 UUID; crypto.randomUUID needs a secure context, getRandomValues does not. */
function uuid() {
  if (window.crypto && typeof window.crypto.randomUUID === "function") {
    try { return window.crypto.randomUUID(); } catch { /* insecure context */ }
  }
  const bytes = new Uint8Array(16);
  window.crypto.getRandomValues(bytes);
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function lineName(line) {
  return [line.product_name, line.variant_name].filter(Boolean).join(", ") || line.variant_id;
}

// ---------------------------------------------------------------------------------------------
// Router
// ---------------------------------------------------------------------------------------------

let routeToken = 0;
let shopView = null; // state of the shop page while it is displayed

function decodeSegment(segment) {
  try { return decodeURIComponent(segment); } catch { return segment; }
}

function parseRoute(hash) {
  const path = (hash || "").replace(/^#/, "");
  if (path === "" || path === "/") return { name: "shops" };
  if (!path.startsWith("/")) return { name: "ignore" };
  const parts = path.split("/").filter(Boolean).map(decodeSegment);
  if (parts[0] === "shops" && parts.length === 2) return { name: "shop", shopId: parts[1] };
  if (parts[0] === "shops" && parts.length === 4 && parts[2] === "cycles") {
    return { name: "shop", shopId: parts[1], cycleId: parts[3] };
  }
  if (parts[0] === "shops" && parts.length === 4 && parts[2] === "orders") {
    return { name: "confirmation", shopId: parts[1], orderId: parts[3] };
  }
  if (parts[0] === "shops" && parts.length === 4 && parts[2] === "producers") {
    return { name: "producer", shopId: parts[1], producerId: parts[3] };
  }
  if (parts[0] === "my-orders" && parts.length === 2) return { name: "myOrder", secret: parts[1] };
  return { name: "notfound" };
}

const shopHash = (shopId, cycleId) =>
  `#/shops/${encodeURIComponent(shopId)}${cycleId ? `/cycles/${encodeURIComponent(cycleId)}` : ""}`;

function route() {
  const current = parseRoute(window.location.hash);
  if (current.name === "ignore") return;
  const token = ++routeToken;
  shopView = null;
  updateCartJump();
  if (current.name !== "confirmation") clearMessage();
  if (current.name === "shops") return showShops(token);
  if (current.name === "shop") return showShop(token, current.shopId, current.cycleId);
  if (current.name === "confirmation") return showConfirmation(current.shopId, current.orderId);
  if (current.name === "producer") return showProducer(token, current.shopId, current.producerId);
  if (current.name === "myOrder") return showMyOrder(token, current.secret);
  setTitle(t("notFound.title"));
  render(h("h1", {}, t("notFound.title")), h("p", {}, t("notFound.text")),
    h("p", {}, h("a", { href: "#/" }, t("nav.shops"))));
}

// ---------------------------------------------------------------------------------------------
// Shops list
// ---------------------------------------------------------------------------------------------

async function showShops(token) {
  setTitle(t("shops.title"));
  renderLoading();
  let shops;
  try {
    shops = asList(await request(apiUrl("shops")), "shops");
  } catch (err) {
    if (token !== routeToken) return;
    renderFailure(t("shops.title"), loadErrorText(err, "error.loadShops"));
    return;
  }
  if (token !== routeToken) return;
  shops = shops.filter((shop) => shop && shop.id != null);
  shops.sort((a, b) => collator.compare(String(a.name || ""), String(b.name || "")));
  render(
    h("h1", {}, t("shops.title")),
    shops.length
      ? [
          h("p", { class: "lead" }, t("shops.intro")),
          h("ul", { class: "shop-list", "data-testid": "shop-list" },
            shops.map((shop) =>
              h("li", { class: "shop-card" },
                h("a", { class: "shop-card__link", href: shopHash(String(shop.id)), "data-testid": "shop-link", "data-shop-id": shop.id },
                  String(shop.name || shop.id)),
                shop.kind ? h("span", { class: "shop-card__kind" }, t(`kind.${shop.kind}`) === `kind.${shop.kind}` ? shop.kind : t(`kind.${shop.kind}`)) : null))),
        ]
      : h("p", { class: "empty", "data-testid": "shops-empty" }, t("shops.empty")),
  );
}

function renderFailure(title, text) {
  render(
    h("h1", {}, title),
    h("p", { class: "failure" }, text),
    h("p", {}, h("button", { type: "button", class: "button button--secondary", onclick: () => route() }, t("common.retry"))),
  );
  say(text, "error");
}

// ---------------------------------------------------------------------------------------------
// Shop page: cycle selector, products by producer, cart, checkout form
// ---------------------------------------------------------------------------------------------

/** A page's first read: its answer, or null once the page says why there is none (404: `missing`). */
async function loadPage(token, url, missing, failure) {
  renderLoading();
  try {
    return await request(url);
  } catch (err) {
    if (token !== routeToken) return null;
    setTitle(missing);
    if (err.kind === "http" && err.status === 404) {
      render(h("h1", {}, missing), h("p", {}, h("a", { href: "#/" }, t("nav.shops"))));
      say(missing, "error");
    } else {
      renderFailure(t(failure), loadErrorText(err, failure));
    }
    return null;
  }
}

async function showShop(token, shopId, requestedCycleId) {
  const shop = await loadPage(token, apiUrl("shops", shopId), t("shop.notFound"), "error.loadShop");
  if (!shop || token !== routeToken) return;

  const cycles = asList(shop && shop.cycles).filter((c) => c && c.id != null).map((c) => ({ ...c, id: String(c.id) }));
  const shopName = String((shop && shop.name) || shopId);
  setTitle(shopName);

  if (!cycles.length) {
    render(
      h("h1", {}, shopName),
      h("p", { class: "empty", "data-testid": "no-cycle" }, t("shop.noCycle")),
      h("p", {}, h("a", { href: "#/" }, t("nav.shops"))),
    );
    return;
  }

  let cycle = cycles.find((c) => c.id === requestedCycleId);
  let cycleGone = false;
  if (!cycle) {
    cycleGone = requestedCycleId != null;
    cycle = cycles[0];
    if (cycleGone) history.replaceState(null, "", shopHash(shopId));
  }

  const methods = (list) => asList(list).filter((m) => m && m.id != null);
  const view = {
    token,
    shopId,
    shopName,
    shop,
    cycles,
    cycle,
    shipping: methods(shop.shipping_methods), // the shop's; offered(view, kind): the current cycle's
    payment: methods(shop.payment_methods),
    filters: { text: "", category: "", producer: "" },
    products: null, // Map variant_id -> product, for the current cycle
    productsCycleId: null,
    cart: loadCart(shopId, cycle.id),
    submitting: false,
    els: {},
    lineEls: new Map(),
    productEls: new Map(),
  };
  shopView = view;

  render(buildShopPage(view));
  renderCart(view);
  updateEstimate(view);
  if (cycleGone) say(t("shop.cycleGone"), "info");
  await loadProducts(view);
}

function buildShopPage(view) {
  const els = view.els;
  const multi = view.cycles.length > 1;

  els.readyFor = h("strong", { class: "ready-for", "data-testid": "ready-for" });
  els.closes = h("span", { class: "cycle-closes", "data-testid": "cycle-closes" });
  let cycleBox;
  if (multi) {
    els.cycleSelect = h("select", { id: "cycle-select", name: "cycle", class: "select", "data-testid": "cycle-select", onchange: (e) => changeCycle(view, e.target.value) },
      view.cycles.map((c) => h("option", { value: c.id }, cycleLabel(c))));
    els.cycleSelect.value = view.cycle.id;
    cycleBox = h("div", { class: "cycle-box" },
      h("label", { for: "cycle-select", class: "cycle-box__label" }, t("shop.readyFor")),
      els.cycleSelect,
      h("p", { class: "cycle-box__summary" }, els.readyFor, h("span", { class: "sep", "aria-hidden": "true" }, " · "), els.closes));
  } else {
    cycleBox = h("div", { class: "cycle-box" },
      h("p", { class: "cycle-box__single" },
        h("span", { class: "cycle-box__label" }, t("shop.readyFor")), " ", els.readyFor),
      h("p", { class: "cycle-box__summary" }, els.closes));
  }
  updateCycleTexts(view);

  els.products = h("div", { class: "products__body" }, h("p", { class: "loading" }, t("loading")));
  const productsSection = h("section", { class: "products", "aria-labelledby": "products-heading", "data-testid": "products" },
    h("h2", { id: "products-heading" }, t("products.title")),
    els.products);

  return h("div", { class: "shop" },
    h("p", { class: "breadcrumb" }, h("a", { href: "#/" }, h("span", { "aria-hidden": "true" }, "← "), t("nav.shops"))),
    h("div", { class: "shop__head" },
      view.shop.logo_url ? h("img", { class: "shop__logo", alt: "", width: "64", height: "64", decoding: "async", ...fitted(view.shop.logo_url, view.shop.logo_copies, "64px") }) : null,
      h("h1", { class: "shop__name" }, view.shopName), cycleBox),
    (els.shopInfo = buildShopInfo(view)),
    h("div", { class: "shop__layout" },
      productsSection,
      h("div", { class: "shop__side" }, buildCart(view), buildCheckout(view))));
}

/** The hub's page before anything is ordered: who it is, where, and how orders are collected or delivered. */
function buildShopInfo(view) {
  const shop = view.shop;
  const contact = [
    shop.address ? h("div", {}, h("dt", {}, t("shop.address")), h("dd", { class: "pre-line" }, String(shop.address))) : null,
    shop.phone ? h("div", {}, h("dt", {}, t("shop.phone")), h("dd", {}, h("a", { href: `tel:${String(shop.phone).replace(/\s+/g, "")}` }, String(shop.phone)))) : null,
  ].filter(Boolean);
  const method = (m) => h("li", { class: "method", "data-testid": "shop-method" },
    h("strong", {}, methodLabel(m)),
    m.description ? h("p", { class: "pre-line note" }, String(m.description)) : null);
  const shipping = offered(view, "shipping");
  const pickups = shipping.filter((m) => m.pickup !== false);
  const deliveries = shipping.filter((m) => m.pickup === false);
  const about = shop.description || contact.length ? h("div", { class: "shop-info__about" },
    shop.description ? h("p", { class: "pre-line", "data-testid": "shop-description" }, String(shop.description)) : null,
    contact.length ? h("dl", { class: "shop-info__contact" }, contact) : null) : null;
  // Two columns only when there is something on each side: no empty column beside the methods.
  const both = about && shipping.length;
  return h("section", { class: both ? "shop-info shop-info--two" : "shop-info", "aria-labelledby": "shop-info-heading", "data-testid": "shop-info" },
    h("h2", { id: "shop-info-heading", class: "visually-hidden" }, t("shop.about")),
    about,
    shipping.length ? h("div", { class: "shop-info__methods" },
      h("h3", {}, t("shop.methods")),
      pickups.length ? [h("h4", {}, t("shop.pickup")), h("ul", { class: "methods" }, pickups.map(method))] : null,
      deliveries.length ? [h("h4", {}, t("shop.delivery")), h("ul", { class: "methods" }, deliveries.map(method))] : null) : null);
}

function cycleLabel(cycle) {
  return cycle.ready_for ? String(cycle.ready_for) : t("shop.cycleLabelFallback", { date: formatDate(cycle.closes_at) });
}

function updateCycleTexts(view) {
  const { cycle, els } = view;
  els.readyFor.textContent = cycle.ready_for ? String(cycle.ready_for) : "—";
  els.closes.textContent = cycle.closes_at ? t("shop.closes", { date: formatDate(cycle.closes_at) }) : "";
  if (els.cartFor) els.cartFor.textContent = t("cart.for", { readyFor: cycleLabel(cycle) });
}

async function changeCycle(view, cycleId) {
  const cycle = view.cycles.find((c) => c.id === cycleId);
  if (!cycle || cycle === view.cycle) return;
  view.cycle = cycle;
  history.replaceState(null, "", shopHash(view.shopId, cycle.id));
  view.cart = loadCart(view.shopId, cycle.id);
  updateCycleTexts(view);
  renderCart(view, { rebuild: true });
  view.els.shopInfo.replaceWith((view.els.shopInfo = buildShopInfo(view)));
  view.els.shipping.replaceChildren(...methodOptions(view, "shipping"));
  view.els.payment.replaceChildren(...methodOptions(view, "payment"));
  updateEstimate(view);
  say(`${t("shop.cycleChanged", { readyFor: cycleLabel(cycle) })} ${t("cart.otherCycle")}`, "info");
  await loadProducts(view);
}

async function loadProducts(view) {
  const cycle = view.cycle;
  view.products = null;
  view.productEls.clear();
  view.els.products.setAttribute("aria-busy", "true");
  view.els.products.replaceChildren(h("p", { class: "loading" }, t("loading")));
  let list;
  try {
    list = asList(await request(apiUrl("shops", view.shopId, "cycles", cycle.id, "products")), "products");
  } catch (err) {
    if (shopView !== view || view.cycle !== cycle) return;
    const text = err.kind === "http" && err.code === "order_cycle_closed" ? t("error.order_cycle_closed") : loadErrorText(err, "error.loadProducts");
    view.els.products.removeAttribute("aria-busy");
    view.els.products.replaceChildren(
      h("p", { class: "failure" }, text),
      h("button", { type: "button", class: "button button--secondary", onclick: () => loadProducts(view) }, t("common.retry")));
    say(text, "error");
    return;
  }
  if (shopView !== view || view.cycle !== cycle) return;
  view.products = new Map();
  for (const p of list) if (p && p.variant_id != null) view.products.set(String(p.variant_id), { ...p, variant_id: String(p.variant_id) });
  view.els.products.removeAttribute("aria-busy");
  view.els.products.replaceChildren(...[buildProducts(view)].flat());
  refreshCartFromProducts(view);
}

function isAvailable(product) {
  // `available` is a boolean in practice; a number is read as the quantity left.
  if (typeof product.available === "number") return product.available > 0;
  return product.available !== false && product.available != null;
}

/** The products of the cycle, one card per product (its variants chosen inside), with a search
 * and category and producer filters applied in the page as one types. */
function buildProducts(view) {
  if (!view.products.size) return h("p", { class: "empty", "data-testid": "products-empty" }, t("products.empty"));
  const cards = new Map();
  for (const variant of view.products.values()) {
    const key = String(variant.product_id ?? variant.variant_id);
    if (!cards.has(key)) cards.set(key, []);
    cards.get(key).push(variant);
  }
  const waiting = [...cards.values()];
  const distinct = (pick) => [...new Map(waiting.map((variants) => [pick(variants[0]).id, pick(variants[0])])).values()]
    .filter((x) => x.id).sort((a, b) => collator.compare(a.name, b.name));
  const categories = distinct((p) => ({ id: String(p.category || ""), name: String(p.category || "") }));
  const producers = distinct((p) => ({ id: String(p.supplier?.id ?? ""), name: String(p.supplier?.name ?? "") }));
  const select = (id, label, options, key) => {
    const control = h("select", { id, class: "select", "data-testid": id, onchange: (e) => { view.filters[key] = e.target.value; applyFilters(view); } },
      h("option", { value: "" }, t("products.all")), options.map((o) => h("option", { value: o.id }, o.name)));
    return h("div", { class: "field filters__field" }, h("label", { for: id, class: "field__label" }, label), control);
  };
  const search = h("input", { id: "product-search", type: "search", class: "input", "data-testid": "product-search", autocomplete: "off",
    oninput: (e) => { view.filters.text = e.target.value; applyFilters(view); } });
  view.els.shown = h("p", { class: "note filters__count", "aria-live": "polite", "data-testid": "products-shown" });
  view.els.noMatch = h("p", { class: "empty", "data-testid": "products-no-match", hidden: true }, t("products.noMatch"));
  const filters = h("div", { class: "filters", role: "search" },
    h("div", { class: "field filters__field filters__search" }, h("label", { for: "product-search", class: "field__label" }, t("products.search")), search),
    categories.length > 1 ? select("category-filter", t("products.category"), categories, "category") : null,
    producers.length > 1 ? select("producer-filter", t("products.producer"), producers, "producer") : null,
    view.els.shown);
  const list = h("ul", { class: "product-list" });
  // Cards are made a few milliseconds at a time, then the browser gets the page back: a large
  // catalogue never blocks it, whatever the phone (a slow one simply makes fewer cards per turn).
  view.cards = [];
  const more = () => {
    if (shopView !== view) return;
    const until = performance.now() + CARDS_BUDGET_MS;
    do {
      const card = buildProduct(view, waiting.shift());
      card.el.hidden = !matches(view.filters, card);
      view.cards.push(card);
      list.append(card.el);
    } while (waiting.length && performance.now() < until);
    if (waiting.length) setTimeout(more, 0);
    else applyFilters(view);
  };
  more();
  return [filters, list, view.els.noMatch];
}

/** Lighthouse counts a task over 50 ms on a phone 4× slower than the machine as blocking. */
const CARDS_BUDGET_MS = 8;

/** Whether the card's product answers the search words and the chosen category and producer. */
function matches({ text, category, producer }, card) {
  const p = card.first;
  card.haystack ??= fold([p.product_name, p.category, p.supplier?.name, ...card.variants.map((v) => v.variant_name)].join(" "));
  return fold(text).split(/\s+/).filter(Boolean).every((w) => card.haystack.includes(w))
    && (!category || String(p.category || "") === category) && (!producer || String(p.supplier?.id ?? "") === producer);
}

const fold = (text) => String(text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();

function applyFilters(view) {
  let shown = 0;
  for (const card of view.cards) {
    const visible = matches(view.filters, card);
    card.el.hidden = !visible;
    if (visible) shown++;
  }
  view.els.shown.textContent = t("products.shown", { count: shown });
  view.els.noMatch.hidden = shown > 0;
}

const variantLabel = (variant) => {
  const squash = (text) => String(text || "").replace(/\s+/g, "").toLowerCase();
  const unitText = formatUnit(variant.unit, variant.unit_value);
  return [variant.variant_name ? String(variant.variant_name) : "",
    unitText && !squash(variant.variant_name).includes(squash(unitText)) ? unitText : ""].filter(Boolean).join(" · ");
};

function unitPriceText(variant) {
  const up = variant.unit_price;
  if (!up || !up.amount || !up.per) return "";
  return t("product.unitPrice", { price: formatMoney(up.amount), per: t(`per.${up.per}`) });
}

/** Loaded lazily, its box reserved (width, height, CSS aspect-ratio) so that nothing moves when it comes.
 * `sizes`: the card's width, for browsers that cannot measure a lazy image themselves ("auto"): the
 * screen less its margins on a phone (one column), at most 28rem beside other cards. */
function photo(url, copies, alt, width) {
  return h("img", { class: "product__photo", alt, width: String(width), height: String(Math.round(width * 0.75)), loading: "lazy",
    decoding: "async", ...fitted(url, copies, "auto, (min-width: 31rem) 28rem, calc(100vw - 3.625rem)") });
}

/** `src`, and the smaller copies made at upload (the API's `image_copies`/`logo_copies`) for the
 * browser to choose from at the size shown; an image without copies is shown as it is. */
function fitted(url, copies, sizes) {
  const list = Array.isArray(copies) ? copies.filter((c) => c && c.url && c.width > 0) : [];
  if (!list.length) return { src: url };
  return { sizes, srcset: list.map((c) => `${c.url} ${c.width}w`).join(", "), src: url };
}

function buildProduct(view, variants) {
  const first = variants[0];
  const card = { first, variants, selected: variants.find(isAvailable) || first };
  const nameId = uid("product");
  const inCart = h("p", { class: "product__in-cart", "data-testid": "in-cart" });
  const price = h("p", { class: "product__price", "data-testid": "price" });
  const unitPrice = h("p", { class: "product__unit-price", "data-testid": "unit-price" });
  const left = h("p", { class: "product__left", "data-testid": "stock-left" });
  const soldOut = h("p", { class: "product__sold-out", "data-testid": "sold-out" }, t("product.soldOut"));
  const button = h("button", { type: "button", class: "button product__add", "data-testid": "add-to-cart", "aria-describedby": nameId,
    onclick: () => addToCart(view, card.selected.variant_id) });
  let chooser = null;
  if (variants.length > 1) {
    const selectId = uid("variant");
    const control = h("select", { id: selectId, class: "select", "data-testid": "variant-select",
      onchange: (e) => { card.selected = variants.find((v) => v.variant_id === e.target.value) || first; show(); } },
      variants.map((v) => h("option", { value: v.variant_id }, `${variantLabel(v)} — ${formatMoney(v.price)}${isAvailable(v) ? "" : ` (${t("product.soldOut")})`}`)));
    control.value = card.selected.variant_id;
    chooser = h("div", { class: "field product__variant-field" }, h("label", { for: selectId, class: "field__label" }, t("product.variant")), control);
  }
  const producerLink = first.supplier?.id
    ? h("a", { class: "product__producer", href: `#/shops/${encodeURIComponent(view.shopId)}/producers/${encodeURIComponent(first.supplier.id)}`, "data-testid": "producer-link" },
      t("product.by", { name: String(first.supplier.name || "") }))
    : null;
  card.el = h("li", { class: "product", "data-testid": "product", "data-product-id": String(first.product_id ?? ""),
    "data-variant-ids": variants.map((v) => v.variant_id).join(" ") },
    first.image_url ? photo(first.image_url, first.image_copies, "", 320) : null,
    h("div", { class: "product__info" },
      h("h3", { class: "product__name", id: nameId }, String(first.product_name || ""),
        variants.length === 1 && variantLabel(first) ? h("span", { class: "product__variant" }, variantLabel(first)) : null),
      producerLink,
      first.category ? h("p", { class: "product__category" }, String(first.category)) : null,
      first.description ? h("p", { class: "product__description" }, String(first.description)) : null,
      chooser,
      h("div", { class: "product__prices" }, price, unitPrice),
      left, soldOut),
    h("div", { class: "product__actions" }, button, inCart));

  function show() {
    const v = card.selected;
    const available = isAvailable(v);
    card.el.dataset.variantId = v.variant_id;
    card.el.dataset.available = String(available);
    card.el.classList.toggle("product--sold-out", !available);
    price.replaceChildren(h("span", { class: "visually-hidden" }, `${t("product.price")} `), formatMoney(v.price));
    unitPrice.textContent = unitPriceText(v);
    left.textContent = v.low_stock && available ? t("product.left", { count: v.stock }) : "";
    left.hidden = !left.textContent;
    soldOut.hidden = available;
    button.disabled = !available;
    button.textContent = available ? t("product.add") : t("product.soldOut");
    updateProductCount(view, v.variant_id);
  }
  card.show = show;
  for (const v of variants) view.productEls.set(v.variant_id, { card, inCart });
  show();
  return card;
}

function updateProductCount(view, variantId) {
  const entry = view.productEls.get(variantId);
  if (!entry || entry.card.selected.variant_id !== variantId) return;
  const line = view.cart.lines.find((l) => l.variant_id === variantId);
  entry.inCart.textContent = line ? t("product.inCart", { count: line.quantity }) : "";
}

/** After products load: update cart snapshots (names, current prices) and flag lines that can't be ordered. */
function refreshCartFromProducts(view) {
  const cart = view.cart;
  for (const line of cart.lines) {
    const product = view.products.get(line.variant_id);
    if (!product) {
      cart.problems[line.variant_id] = "unavailable";
      continue;
    }
    Object.assign(line, snapshot(product));
    if (!isAvailable(product)) cart.problems[line.variant_id] = "sold_out";
    else if (cart.problems[line.variant_id] === "sold_out" || cart.problems[line.variant_id] === "unavailable") delete cart.problems[line.variant_id];
  }
  saveCart(view.shopId, view.cycle.id, cart);
  renderCart(view, { rebuild: true });
  updateEstimate(view);
}

function snapshot(product) {
  return {
    product_name: product.product_name == null ? "" : String(product.product_name),
    variant_name: product.variant_name == null ? "" : String(product.variant_name),
    supplier_name: product.supplier && product.supplier.name ? String(product.supplier.name) : "",
    unit: product.unit ?? null,
    unit_value: product.unit_value ?? null,
    price: product.price == null ? "0.00" : String(product.price),
  };
}

// --- cart mutations -----------------------------------------------------------------------------

function addToCart(view, variantId) {
  const product = view.products && view.products.get(variantId);
  if (!product || !isAvailable(product)) return;
  const cart = view.cart;
  let line = cart.lines.find((l) => l.variant_id === variantId);
  if (typeof product.stock === "number" && (line ? line.quantity : 0) + 1 > product.stock) {
    say(t("product.tooMany", { count: product.stock, name: lineName({ ...snapshot(product) }) }), "error");
    return;
  }
  if (line) {
    line.quantity += 1;
    Object.assign(line, snapshot(product));
  } else {
    line = { variant_id: variantId, quantity: 1, ...snapshot(product) };
    cart.lines.push(line);
  }
  delete cart.problems[variantId];
  commitCart(view);
  say(t("product.added", { name: lineName(line), count: line.quantity }), "info");
}

function setQuantity(view, variantId, quantity) {
  const cart = view.cart;
  const line = cart.lines.find((l) => l.variant_id === variantId);
  if (!line) return;
  if (quantity === 0) return removeFromCart(view, variantId);
  const product = view.products && view.products.get(variantId);
  if (product && typeof product.stock === "number" && quantity > product.stock) {
    view.lineEls.get(variantId).qty.value = String(line.quantity);
    say(t("product.tooMany", { count: product.stock, name: lineName(line) }), "error");
    return;
  }
  line.quantity = quantity;
  if (cart.problems[variantId] === "insufficient_stock") delete cart.problems[variantId];
  commitCart(view);
  say(t("cart.updated", { name: lineName(line), count: quantity }), "info");
}

function removeFromCart(view, variantId) {
  const cart = view.cart;
  const index = cart.lines.findIndex((l) => l.variant_id === variantId);
  if (index < 0) return;
  const [line] = cart.lines.splice(index, 1);
  delete cart.problems[variantId];
  // Keep keyboard focus nearby: the next line's remove button, else the previous one, else the heading.
  const next = cart.lines[index] || cart.lines[index - 1];
  commitCart(view);
  const target = next ? view.lineEls.get(next.variant_id)?.remove : view.els.cartHeading;
  if (target) target.focus();
  say(t("cart.removed", { name: lineName(line) }), "info");
}

function commitCart(view) {
  saveCart(view.shopId, view.cycle.id, view.cart);
  renderCart(view);
  updateEstimate(view);
}

// --- cart rendering (lines are patched in place so that keyboard focus is never lost) ----------

function buildCart(view) {
  const els = view.els;
  els.cartHeading = h("h2", { id: "cart-heading", tabindex: "-1" }, t("cart.title"));
  els.cartFor = h("p", { class: "cart__for" }, t("cart.for", { readyFor: cycleLabel(view.cycle) }));
  els.cartEmpty = h("p", { class: "cart__empty", "data-testid": "cart-empty" }, t("cart.empty"));
  els.cartLines = h("ul", { class: "cart__lines" });
  els.cartTotal = h("strong", { class: "cart__total-amount", "data-testid": "cart-total" });
  els.cartCount = h("span", { class: "cart__count", "data-testid": "cart-count" });
  els.cartFooter = h("div", { class: "cart__footer" },
    h("p", { class: "cart__total" }, h("span", {}, t("cart.total"), " ", els.cartCount), els.cartTotal),
    h("p", { class: "note" }, t("cart.feesNote")));
  els.cart = h("section", { class: "cart panel", id: "cart", "data-testid": "cart", "aria-labelledby": "cart-heading" },
    els.cartHeading, els.cartFor, els.cartEmpty, els.cartLines, els.cartFooter);
  return els.cart;
}

function buildCartLine(view, line) {
  const nameId = uid("line");
  const qtyId = uid("qty");
  const problemId = uid("problem");
  const refs = {};
  refs.name = h("p", { class: "cart-line__name", id: nameId });
  refs.each = h("p", { class: "cart-line__each" });
  refs.qty = h("input", {
    id: qtyId, class: "input cart-line__qty", type: "number", inputmode: "numeric", min: "1", step: "1",
    "data-testid": "cart-quantity", "aria-describedby": `${nameId} ${problemId}`,
  });
  refs.qty.addEventListener("change", () => {
    const raw = refs.qty.value.trim();
    const quantity = /^\d+$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(quantity) || quantity < 0) {
      const current = view.cart.lines.find((l) => l.variant_id === line.variant_id);
      refs.qty.value = current ? String(current.quantity) : "1";
      say(t("cart.invalidQuantity"), "error");
      return;
    }
    setQuantity(view, line.variant_id, quantity);
  });
  refs.remove = h("button", {
    type: "button", class: "button button--link cart-line__remove", "data-testid": "remove-from-cart",
    "aria-describedby": nameId, onclick: () => removeFromCart(view, line.variant_id),
  }, t("cart.remove"));
  refs.total = h("p", { class: "cart-line__total", "data-testid": "line-total" });
  refs.problem = h("p", { class: "cart-line__problem", id: problemId, "data-testid": "line-problem", hidden: true });
  refs.el = h("li", { class: "cart-line", "data-testid": "cart-line", "data-variant-id": line.variant_id },
    h("div", { class: "cart-line__info" }, refs.name, refs.each),
    h("div", { class: "cart-line__controls" },
      h("label", { for: qtyId, class: "cart-line__qty-label" }, t("cart.quantity")),
      refs.qty,
      refs.remove),
    refs.total,
    refs.problem);
  return refs;
}

function renderCart(view, { rebuild = false } = {}) {
  const { cart, els, lineEls } = view;
  if (rebuild) {
    lineEls.clear();
    els.cartLines.replaceChildren();
  }
  const ids = new Set(cart.lines.map((l) => l.variant_id));
  for (const [id, refs] of lineEls) {
    if (!ids.has(id)) {
      refs.el.remove();
      lineEls.delete(id);
    }
  }
  for (const line of cart.lines) {
    let refs = lineEls.get(line.variant_id);
    if (!refs) {
      refs = buildCartLine(view, line);
      lineEls.set(line.variant_id, refs);
      els.cartLines.append(refs.el);
    }
    refs.name.replaceChildren(...[
      h("span", { class: "cart-line__product" }, line.product_name || line.variant_id),
      line.variant_name ? h("span", { class: "cart-line__variant" }, line.variant_name) : null,
    ].filter(Boolean));
    refs.each.textContent = t("cart.each", { price: formatMoney(line.price) });
    if (document.activeElement !== refs.qty || refs.qty.value !== String(line.quantity)) refs.qty.value = String(line.quantity);
    refs.total.replaceChildren(
      h("span", { class: "visually-hidden" }, `${t("cart.lineTotal")} `),
      formatMoney((toCents(line.price) ?? 0) * line.quantity));
    const problem = cart.problems[line.variant_id];
    refs.el.classList.toggle("cart-line--problem", Boolean(problem));
    if (problem) {
      refs.el.dataset.problem = problem;
      refs.el.dataset.outOfStock = String(problem === "insufficient_stock" || problem === "sold_out");
      refs.qty.setAttribute("aria-invalid", "true");
      refs.problem.textContent = t(`cart.problem.${problem}`);
      refs.problem.hidden = false;
    } else {
      delete refs.el.dataset.problem;
      delete refs.el.dataset.outOfStock;
      refs.qty.removeAttribute("aria-invalid");
      refs.problem.textContent = "";
      refs.problem.hidden = true;
    }
  }
  const empty = cart.lines.length === 0;
  els.cartEmpty.hidden = !empty;
  els.cartLines.hidden = empty;
  const count = cartItemCount(cart);
  els.cartCount.textContent = `(${t("cart.count", { count })})`;
  els.cartTotal.textContent = formatMoney(cartTotalCents(cart));
  if (els.form) els.form.hidden = empty;
  for (const variantId of view.productEls.keys()) updateProductCount(view, variantId);
  updateCartJump();
}

/** Small-screen shortcut to the cart, shown while the shop page has a non-empty cart. */
function updateCartJump() {
  const button = document.getElementById("cart-jump");
  if (!button) return;
  const view = shopView;
  const count = view ? cartItemCount(view.cart) : 0;
  button.hidden = count === 0;
  document.body.classList.toggle("has-cart-jump", count > 0);
  if (count) {
    button.textContent = `${t("cart.jump")} · ${t("cart.count", { count })} · ${formatMoney(cartTotalCents(view.cart))}`;
  }
}

// --- checkout -----------------------------------------------------------------------------------

function methodLabel(method) {
  const fee = toCents(method.fee);
  const name = String(method.name || method.id);
  if (!fee) return t("checkout.methodFree", { name });
  return t("checkout.methodWithFee", { name, fee: formatMoney(fee) });
}

function field(id, labelText, control) {
  const error = h("p", { class: "field__error", id: `${id}-error`, hidden: true });
  control.setAttribute("aria-describedby", `${id}-error`);
  return { wrap: h("div", { class: "field" }, h("label", { for: id, class: "field__label" }, labelText), control, error), error };
}

/** The shop's methods that the current cycle offers (the shop API names them per cycle). */
function offered(view, kind) {
  const chosen = view.cycle[`${kind}_method_ids`];
  return Array.isArray(chosen) ? view[kind].filter((m) => chosen.includes(m.id)) : view[kind];
}

function methodOptions(view, kind) {
  return offered(view, kind).map((m) => h("option", { value: String(m.id) }, methodLabel(m)));
}

function buildCheckout(view) {
  const els = view.els;
  els.name = h("input", { id: "customer-name", name: "name", class: "input", type: "text", autocomplete: "name", required: true, "data-testid": "customer-name" });
  els.email = h("input", { id: "customer-email", name: "email", class: "input", type: "email", autocomplete: "email", inputmode: "email", required: true, spellcheck: "false", "data-testid": "customer-email" });
  els.shipping = h("select", { id: "shipping-method", name: "shipping_method_id", class: "select", required: true, "data-testid": "shipping-method", onchange: () => updateEstimate(view) },
    methodOptions(view, "shipping"));
  els.payment = h("select", { id: "payment-method", name: "payment_method_id", class: "select", required: true, "data-testid": "payment-method", onchange: () => updateEstimate(view) },
    methodOptions(view, "payment"));

  const addressInput = (key, autocomplete, required) => h("input", { id: `address-${key}`, class: "input", type: key === "phone" ? "tel" : "text",
    autocomplete, required, "data-testid": `address-${key}` });
  els.address = {
    line1: addressInput("line1", "address-line1", true), line2: addressInput("line2", "address-line2", false),
    postcode: addressInput("postcode", "postal-code", true), city: addressInput("city", "address-level2", true),
    phone: addressInput("phone", "tel", false),
  };
  const addressFields = Object.entries(els.address).map(([key, input]) => field(`address-${key}`, t(`checkout.${key}`), input).wrap);
  els.addressError = h("p", { class: "field__error", id: "address-error", hidden: true });
  els.addressBox = h("fieldset", { class: "address", "data-testid": "delivery-address" },
    h("legend", {}, t("checkout.address")), els.addressError, addressFields);
  els.paymentInfo = h("div", { class: "payment-info", "data-testid": "payment-info", "aria-live": "polite" });
  els.breakdown = h("ul", { class: "breakdown" });
  const nameField = field("customer-name", t("checkout.name"), els.name);
  const emailField = field("customer-email", t("checkout.email"), els.email);
  const shippingField = field("shipping-method", t("checkout.shipping"), els.shipping);
  const paymentField = field("payment-method", t("checkout.payment"), els.payment);
  els.fieldErrors = { name: nameField.error, email: emailField.error, shipping: shippingField.error, payment: paymentField.error };

  els.estItems = h("dd", {});
  els.estShipping = h("dd", {});
  els.estPayment = h("dd", {});
  els.estTotal = h("dd", { "data-testid": "checkout-estimate" });
  els.placeOrder = h("button", { type: "submit", class: "button button--primary button--block", "data-testid": "place-order" }, t("checkout.place"));

  const noMethods = !offered(view, "shipping").length || !offered(view, "payment").length;
  if (noMethods) els.placeOrder.disabled = true;

  els.form = h("form", { class: "checkout panel", "data-testid": "checkout-form", novalidate: true, "aria-labelledby": "checkout-heading", onsubmit: (e) => placeOrder(e, view) },
    h("h2", { id: "checkout-heading" }, t("checkout.title")),
    nameField.wrap, emailField.wrap, shippingField.wrap, els.addressBox, paymentField.wrap, els.paymentInfo,
    h("dl", { class: "estimate" },
      h("div", {}, h("dt", {}, t("checkout.items")), els.estItems),
      h("div", {}, h("dt", {}, t("checkout.shippingFee")), els.estShipping),
      h("div", {}, h("dt", {}, t("checkout.paymentFee")), els.estPayment),
      h("div", { class: "estimate__total" }, h("dt", {}, t("checkout.estimate")), els.estTotal)),
    h("details", { class: "breakdown-box", "data-testid": "fee-breakdown" }, h("summary", {}, t("checkout.breakdown")),
      h("p", { class: "note" }, t("checkout.perItemFees")), els.breakdown),
    h("p", { class: "note" }, t("checkout.estimateNote")),
    noMethods ? h("p", { class: "failure" }, t("checkout.noMethods")) : null,
    els.placeOrder);
  for (const input of [els.name, els.email]) {
    input.addEventListener("input", () => setFieldError(view, input === els.name ? "name" : "email", null));
  }
  for (const input of Object.values(els.address)) {
    input.addEventListener("input", () => {
      input.removeAttribute("aria-invalid");
      if (["line1", "postcode", "city"].every((key) => els.address[key].value.trim())) els.addressError.hidden = true;
    });
  }
  els.form.hidden = view.cart.lines.length === 0;
  return els.form;
}

function selectedFee(methods, id) {
  const method = methods.find((m) => String(m.id) === id);
  return method ? toCents(method.fee) ?? 0 : 0;
}

function updateEstimate(view) {
  const { els } = view;
  if (!els.estTotal) return;
  const items = cartTotalCents(view.cart);
  const shipping = selectedFee(view.shipping, els.shipping.value);
  const payment = selectedFee(view.payment, els.payment.value);
  els.estItems.textContent = formatMoney(items);
  els.estShipping.textContent = shipping ? formatMoney(shipping) : t("checkout.free");
  els.estPayment.textContent = payment ? formatMoney(payment) : t("checkout.free");
  els.estTotal.textContent = formatMoney(items + shipping + payment);
  const method = (methods, id) => methods.find((m) => String(m.id) === id);
  const chosenShipping = method(view.shipping, els.shipping.value);
  const chosenPayment = method(view.payment, els.payment.value);
  els.addressBox.hidden = !chosenShipping || chosenShipping.pickup !== false;
  els.paymentInfo.replaceChildren(...(chosenPayment && chosenPayment.description
    ? [h("h3", {}, t("checkout.paymentInfo")), h("p", { class: "pre-line" }, String(chosenPayment.description))] : []));
  els.breakdown.replaceChildren(...[
    [t("checkout.items"), items],
    chosenShipping ? [chosenShipping.name, shipping] : null,
    chosenPayment ? [chosenPayment.name, payment] : null,
  ].filter(Boolean).map(([label, cents]) => h("li", {}, h("span", {}, String(label)), h("span", {}, cents ? formatMoney(cents) : t("checkout.free")))));
}

/** The delivery address when the chosen method is a delivery; null for a pickup; false when incomplete. */
function deliveryAddress(view) {
  const { els } = view;
  if (els.addressBox.hidden) return null;
  const value = Object.fromEntries(Object.entries(els.address).map(([key, input]) => [key, input.value.trim()]));
  const missing = ["line1", "postcode", "city"].filter((key) => !value[key]);
  for (const key of ["line1", "postcode", "city"]) els.address[key].toggleAttribute("aria-invalid", missing.includes(key));
  els.addressError.textContent = missing.length ? t("error.addressRequired") : "";
  els.addressError.hidden = !missing.length;
  if (missing.length) {
    els.address[missing[0]].focus();
    return false;
  }
  return { name: els.name.value.trim(), ...value };
}

function setFieldError(view, key, text) {
  const control = { name: view.els.name, email: view.els.email, shipping: view.els.shipping, payment: view.els.payment }[key];
  const error = view.els.fieldErrors[key];
  if (text) {
    error.textContent = text;
    error.hidden = false;
    control.setAttribute("aria-invalid", "true");
  } else {
    error.textContent = "";
    error.hidden = true;
    control.removeAttribute("aria-invalid");
  }
}

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function validateForm(view) {
  const { els } = view;
  const problems = [];
  const name = els.name.value.trim();
  const email = els.email.value.trim();
  setFieldError(view, "name", name ? null : t("error.nameRequired"));
  if (!name) problems.push(els.name);
  const emailError = !email ? t("error.emailRequired") : EMAIL_RE.test(email) ? null : t("error.emailInvalid");
  setFieldError(view, "email", emailError);
  if (emailError) problems.push(els.email);
  return problems;
}

async function placeOrder(event, view) {
  event.preventDefault();
  if (view.submitting) return;
  const { els, cart } = view;

  if (!cart.lines.length) {
    say(t("error.cartEmpty"), "error");
    return;
  }
  const invalid = validateForm(view);
  if (invalid.length) {
    invalid[0].focus();
    say(t("error.formInvalid"), "error");
    return;
  }
  const blocked = cart.lines.find((l) => cart.problems[l.variant_id] === "sold_out" || cart.problems[l.variant_id] === "unavailable");
  if (blocked) {
    view.lineEls.get(blocked.variant_id)?.qty.focus();
    say(t("error.cartBlocked"), "error");
    return;
  }

  const address = deliveryAddress(view);
  if (address === false) {
    say(t("error.addressRequired"), "error");
    return;
  }
  const body = {
    customer: { email: els.email.value.trim(), name: els.name.value.trim() },
    items: cart.lines.map((l) => ({ variant_id: l.variant_id, quantity: l.quantity })),
    shipping_method_id: els.shipping.value,
    payment_method_id: els.payment.value,
    language: lang,
    ...(address ? { delivery_address: address } : {}),
  };
  const bodyText = JSON.stringify(body);
  // One Idempotency-Key per checkout attempt: reused while retrying the very same request, new
  // as soon as the request changes (the server answers a reused key with the first answer).
  if (!cart.attempt || cart.attempt.body !== bodyText) cart.attempt = { key: uuid(), body: bodyText };
  const { key } = cart.attempt;
  const shopId = view.shopId;
  const cycle = view.cycle;
  saveCart(shopId, cycle.id, cart);

  view.submitting = true;
  els.placeOrder.disabled = true;
  els.placeOrder.textContent = t("checkout.placing");
  els.form.setAttribute("aria-busy", "true");
  if (els.cycleSelect) els.cycleSelect.disabled = true;
  say(t("checkout.placing"), "info");

  let order = null;
  let failure = null;
  try {
    order = await request(apiUrl("shops", shopId, "cycles", cycle.id, "orders"), {
      method: "POST",
      headers: { "Content-Type": "application/json", "Idempotency-Key": key },
      body: bodyText,
    });
  } catch (err) {
    failure = err;
  }

  view.submitting = false;
  els.placeOrder.disabled = false;
  els.placeOrder.textContent = t("checkout.place");
  els.form.removeAttribute("aria-busy");
  if (els.cycleSelect) els.cycleSelect.disabled = false;

  // The cart in storage is the source of truth (another tab may have changed it meanwhile).
  const stored = loadCart(shopId, cycle.id);

  if (!failure) {
    confirmOrder(view, cycle, order || {}, body);
    return;
  }
  if (failure.kind === "network" || failure.status >= 500) {
    // Outcome unknown: keep the key, so that retrying the same cart cannot order twice.
    if (shopView === view) say(failure.kind === "network" ? t("error.networkOrder") : t("error.serverOrder", { status: failure.status }), "error");
    return;
  }
  // A definite refusal: nothing was created, the next attempt gets a new key.
  if (stored.attempt && stored.attempt.key === key) stored.attempt = null;
  saveCart(shopId, cycle.id, stored);
  if (shopView !== view || view.cycle !== cycle) return;
  view.cart = stored;
  handleOrderError(view, failure);
}

function handleOrderError(view, err) {
  const { cart, els } = view;
  const field = err.field || "";
  const lineFor = (id) => cart.lines.find((l) => l.variant_id === id);

  if (err.code === "order_cycle_closed") {
    renderCart(view);
    say(t("error.order_cycle_closed"), "error");
    return;
  }
  if (err.code === "insufficient_stock") {
    const line = lineFor(field);
    if (line) {
      cart.problems[line.variant_id] = "insufficient_stock";
      saveCart(view.shopId, view.cycle.id, cart);
      renderCart(view);
      updateEstimate(view);
      view.lineEls.get(line.variant_id)?.qty.focus();
      say(t("error.insufficient_stock", { name: lineName(line) }), "error");
    } else {
      renderCart(view);
      say(t("error.insufficient_stock_generic"), "error");
    }
    return;
  }
  renderCart(view);
  updateEstimate(view);

  // Validation errors (422 and others): point at the field when we can tell which one.
  const line = lineFor(field) || cart.lines.find((l) => field.includes(l.variant_id));
  if (line) {
    cart.problems[line.variant_id] = "unavailable";
    saveCart(view.shopId, view.cycle.id, cart);
    renderCart(view);
    view.lineEls.get(line.variant_id)?.qty.focus();
    say(t("error.unknownVariant", { name: lineName(line) }), "error");
    return;
  }
  if (/delivery_address/i.test(field)) {
    els.addressError.textContent = t("error.addressRequired");
    els.addressError.hidden = false;
    els.address.line1.focus();
    say(t("error.addressRequired"), "error");
    return;
  }
  const checks = [
    [/shipping/i, "shipping", els.shipping, "error.shippingInvalid"],
    [/payment/i, "payment", els.payment, "error.paymentInvalid"],
    [/mail/i, "email", els.email, "error.emailInvalid"],
    [/name/i, "name", els.name, "error.nameRequired"],
  ];
  for (const [pattern, key, control, textKey] of checks) {
    if (pattern.test(field)) {
      setFieldError(view, key, t(textKey));
      control.focus();
      say(t(textKey), "error");
      return;
    }
  }
  if (/quantit/i.test(field)) {
    say(t("error.quantityInvalid"), "error");
    return;
  }
  const detail = err.message || err.code || String(err.status);
  say(err.status === 422 || err.status === 409 ? t("error.rejected", { detail }) : t("error.generic", { detail }), "error");
}

function confirmOrder(view, cycle, order, body) {
  // Names of what was bought, for the confirmation (the answer only has variant ids).
  const names = {};
  for (const line of view.cart.lines) names[line.variant_id] = { product_name: line.product_name, variant_name: line.variant_name };
  const orderId = String(order.id ?? order.number ?? uuid());
  const payment = view.payment.find((m) => String(m.id) === body.payment_method_id);
  const record = { shopId: view.shopId, shopName: view.shopName, cycleId: cycle.id, readyFor: cycle.ready_for, order, names, email: body.customer.email,
    paymentInfo: payment && payment.description ? String(payment.description) : "" };
  const confirmations = (session.get("hubcycle.confirmations.v1") || []).filter((c) => c && c.orderId !== orderId);
  confirmations.unshift({ orderId, record });
  session.set("hubcycle.confirmations.v1", confirmations.slice(0, 5));

  // The cart for this cycle is done (its idempotency key too).
  local.remove(cartStorageKey(view.shopId, cycle.id));
  window.location.hash = `#/shops/${encodeURIComponent(view.shopId)}/orders/${encodeURIComponent(orderId)}`;
}

// ---------------------------------------------------------------------------------------------
// Confirmation
// ---------------------------------------------------------------------------------------------

function showConfirmation(shopId, orderId) {
  const entry = (session.get("hubcycle.confirmations.v1") || []).find((c) => c && c.orderId === orderId && c.record && c.record.shopId === shopId);
  const back = h("p", {}, h("a", { class: "button button--secondary", href: shopHash(shopId) }, t("confirmation.back")));
  if (!entry) {
    setTitle(t("confirmation.items"));
    render(h("h1", {}, t("confirmation.items")), h("p", {}, t("confirmation.missing")), back);
    return;
  }
  const { record } = entry;
  const order = record.order || {};
  const items = asList(order.items);
  const adjustments = asList(order.adjustments);
  const readyFor = order.ready_for || record.readyFor || "";
  const pickup = typeof order.pickup_instructions === "string" ? order.pickup_instructions.trim() : "";
  const itemName = (id) => {
    const n = record.names && record.names[id];
    return n ? [n.product_name, n.variant_name].filter(Boolean).join(", ") : t("confirmation.unknownProduct", { id });
  };

  setTitle(t("confirmation.number") + " " + (order.number ?? ""), record.shopName);
  render(h("section", { class: "confirmation", "data-testid": "confirmation", "aria-labelledby": "confirmation-heading" },
    h("h1", { id: "confirmation-heading" }, t("confirmation.title")),
    h("p", { class: "confirmation__shop" }, record.shopName),
    h("dl", { class: "confirmation__facts" },
      h("div", {}, h("dt", {}, t("confirmation.number")), h("dd", { "data-testid": "order-number" }, String(order.number ?? ""))),
      readyFor ? h("div", {}, h("dt", {}, t("confirmation.readyFor")), h("dd", { "data-testid": "confirmation-ready-for" }, String(readyFor))) : null),
    order.manage_url ? h("section", { class: "panel confirmation__manage" },
      h("p", {}, h("a", { class: "button button--primary", href: order.manage_url, "data-testid": "manage-link" }, t("confirmation.manage"))),
      h("p", { class: "note" }, t("confirmation.manageNote"))) : null,
    order.delivery_address
      ? h("section", { class: "panel confirmation__pickup", "aria-labelledby": "delivery-heading" },
        h("h2", { id: "delivery-heading" }, t("checkout.address")),
        h("p", { class: "pre-line", "data-testid": "confirmation-address" }, addressText(order.delivery_address)))
      : h("section", { class: "panel confirmation__pickup", "aria-labelledby": "pickup-heading" },
        h("h2", { id: "pickup-heading" }, t("confirmation.pickup")),
        h("p", { class: "pre-line", "data-testid": "pickup-instructions" }, pickup || t("confirmation.noPickup"))),
    record.paymentInfo ? h("section", { class: "panel", "aria-labelledby": "payment-heading" },
      h("h2", { id: "payment-heading" }, t("checkout.paymentInfo")),
      h("p", { class: "pre-line", "data-testid": "confirmation-payment" }, record.paymentInfo)) : null,
    h("section", { class: "confirmation__order", "aria-labelledby": "order-items-heading" },
      h("h2", { id: "order-items-heading" }, t("confirmation.items")),
      h("table", { class: "order-table", "data-testid": "order-items" },
        orderTableHead(),
        h("tbody", {}, items.map((item) => h("tr", { "data-testid": "order-item", "data-variant-id": item.variant_id },
          h("th", { scope: "row" }, itemName(String(item.variant_id))),
          h("td", { class: "num" }, String(item.quantity ?? "")),
          h("td", { class: "num" }, formatMoney(item.price)),
          h("td", { class: "num" }, formatMoney(item.total)))))),
      h("dl", { class: "totals" },
        // The lines' prices include their per-item fees, so the subtotal is their sum (item_total
        // is the producers' prices alone); adjustments then add up to the total.
        h("div", {}, h("dt", {}, t("confirmation.itemTotal")), h("dd", { "data-testid": "order-item-total" },
          formatMoney(items.reduce((sum, item) => sum + (toCents(item.total) ?? 0), 0)))),
        adjustments.map((a) => h("div", { "data-testid": "order-adjustment" }, h("dt", {}, String(a.label ?? "")), h("dd", {}, formatMoney(a.amount)))),
        h("div", { class: "totals__grand" }, h("dt", {}, t("confirmation.total")), h("dd", { "data-testid": "order-total" }, formatMoney(order.total))),
        h("div", { class: "totals__fees" }, h("dt", {}, t("confirmation.feeTotal")), h("dd", { "data-testid": "order-fee-total" }, formatMoney(order.fee_total))))),
    back));
  say(`${t("confirmation.title")} ${t("confirmation.number")} ${order.number ?? ""}`, "success");
}

// ---------------------------------------------------------------------------------------------
// A producer's page
// ---------------------------------------------------------------------------------------------

async function showProducer(token, shopId, producerId) {
  const producer = await loadPage(token, apiUrl("producers", producerId), t("producer.notFound"), "producer.notFound");
  if (!producer || token !== routeToken) return;
  const back = h("p", { class: "breadcrumb" }, h("a", { href: shopHash(shopId) }, h("span", { "aria-hidden": "true" }, "← "), t("producer.back")));
  setTitle(String(producer.name));
  render(h("article", { class: "producer-page", "data-testid": "producer-page" },
    back,
    h("div", { class: "producer-page__head" },
      producer.logo_url ? h("img", { class: "producer-page__photo", alt: "", width: "160", height: "160", decoding: "async", ...fitted(producer.logo_url, producer.logo_copies, "160px") }) : null,
      h("div", {},
        h("h1", {}, String(producer.name)),
        producer.address ? h("p", { class: "pre-line", "data-testid": "producer-place" }, String(producer.address)) : null)),
    producer.description ? h("p", { class: "pre-line producer-page__description", "data-testid": "producer-description" }, String(producer.description)) : null));
}

// ---------------------------------------------------------------------------------------------
// The shopper's own order, by the secret of their private link
// ---------------------------------------------------------------------------------------------

async function showMyOrder(token, secret, notice = null) {
  const order = await loadPage(token, apiUrl("my-orders", secret), t("myOrder.notFound"), "myOrder.notFound");
  if (!order || token !== routeToken) return;
  renderMyOrder(token, secret, order);
  if (notice) say(notice, "success");
}

function renderMyOrder(token, secret, order) {
  const items = asList(order.items);
  const changeable = order.changeable === true;
  const inputs = new Map();
  const status = order.state === "cancelled" ? t("myOrder.cancelled")
    : changeable ? t("myOrder.until", { date: formatDate(order.closes_at) }) : t("myOrder.closed");
  const rows = items.map((item) => {
    const id = uid("my-qty");
    const name = [item.product_name, item.variant_name].filter(Boolean).join(", ");
    let quantity = String(item.quantity ?? "");
    if (changeable) {
      const input = h("input", { id, class: "input my-order__qty", type: "number", min: "0", step: "1", inputmode: "numeric", value: quantity, "data-testid": "my-order-quantity" });
      inputs.set(String(item.variant_id), { input, before: Number(item.quantity) });
      quantity = [h("label", { for: id, class: "visually-hidden" }, `${t("cart.quantity")}: ${name}`), input];
    }
    return h("tr", { "data-testid": "order-item", "data-variant-id": item.variant_id },
      h("th", { scope: "row" }, name),
      h("td", { class: "num" }, quantity),
      h("td", { class: "num" }, formatMoney(item.price)),
      h("td", { class: "num" }, formatMoney(item.total)));
  });
  const save = async (event) => {
    event.preventDefault();
    const changes = [...inputs].map(([variant_id, { input, before }]) => ({ variant_id, quantity: Number(input.value) }))
      .filter((c, i) => c.quantity !== [...inputs.values()][i].before);
    if (changes.some((c) => !Number.isInteger(c.quantity) || c.quantity < 0)) return say(t("cart.invalidQuantity"), "error");
    if (!changes.length) return say(t("myOrder.nothing"), "error");
    await act(token, secret, { method: "PATCH", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ items: changes }) }, "", t("myOrder.saved"));
  };
  const cancel = async () => {
    if (!window.confirm(t("myOrder.cancelConfirm"))) return;
    await act(token, secret, { method: "POST" }, "/cancel", t("myOrder.cancelledNow"));
  };
  setTitle(t("myOrder.title", { number: order.number ?? "" }));
  const address = order.delivery_address;
  render(h("section", { class: "my-order", "data-testid": "my-order" },
    h("h1", {}, t("myOrder.title", { number: order.number ?? "" })),
    h("p", { class: `my-order__status${changeable ? "" : " my-order__status--locked"}`, "data-testid": "my-order-status" }, status),
    h("dl", { class: "confirmation__facts" },
      order.ready_for ? h("div", {}, h("dt", {}, t("confirmation.readyFor")), h("dd", {}, String(order.ready_for))) : null,
      order.shipping_method ? h("div", {}, h("dt", {}, t("checkout.shipping")), h("dd", {}, String(order.shipping_method.name))) : null,
      address ? h("div", {}, h("dt", {}, t("checkout.address")), h("dd", { class: "pre-line", "data-testid": "my-order-address" }, addressText(address))) : null,
      order.payment_method ? h("div", {}, h("dt", {}, t("checkout.payment")), h("dd", { class: "pre-line" },
        [order.payment_method.name, order.payment_method.description].filter(Boolean).join("\n"))) : null),
    h("form", { class: "my-order__form", onsubmit: save },
      h("table", { class: "order-table", "data-testid": "order-items" },
        orderTableHead(),
        h("tbody", {}, rows)),
      h("dl", { class: "totals" },
        asList(order.adjustments).map((a) => h("div", { "data-testid": "order-adjustment" }, h("dt", {}, String(a.label ?? "")), h("dd", {}, formatMoney(a.amount)))),
        h("div", { class: "totals__grand" }, h("dt", {}, t("confirmation.total")), h("dd", { "data-testid": "order-total" }, formatMoney(order.total)))),
      changeable ? h("div", { class: "my-order__actions" },
        h("button", { type: "submit", class: "button button--primary", "data-testid": "save-order" }, t("myOrder.save")),
        h("button", { type: "button", class: "button button--secondary", "data-testid": "cancel-order", onclick: cancel }, t("myOrder.cancel"))) : null)));
}

function orderTableHead() {
  return h("thead", {}, h("tr", {},
    h("th", { scope: "col" }, t("confirmation.product")),
    h("th", { scope: "col", class: "num" }, t("confirmation.quantity")),
    h("th", { scope: "col", class: "num" }, t("confirmation.price")),
    h("th", { scope: "col", class: "num" }, t("confirmation.lineTotal"))));
}

function addressText(address) {
  return addressLines(address).join("\n");
}

async function act(token, secret, options, suffix, done) {
  try {
    await request(apiUrl("my-orders", secret) + suffix, options);
  } catch (err) {
    if (token !== routeToken) return;
    if (err.code === "order_cycle_closed") {
      await showMyOrder(token, secret); // its status now says the cycle closed
    } else if (err.code === "insufficient_stock") {
      say(t("error.insufficient_stock_generic"), "error");
    } else {
      say(err.kind === "network" ? t("error.network") : t("error.rejected", { detail: err.message || err.code }), "error");
    }
    return;
  }
  if (token === routeToken) await showMyOrder(token, secret, done);
}

// ---------------------------------------------------------------------------------------------
// Start
// ---------------------------------------------------------------------------------------------

/** English, French, Spanish: the choice is kept in this browser and sent with the order (its emails follow it). */
function languageSwitch() {
  const select = h("select", { id: "language", class: "select select--small", "data-testid": "language",
    onchange: (e) => {
      try { window.localStorage.setItem(LANGUAGE_KEY, e.target.value); } catch { /* private mode: this page only */ }
      window.location.reload();
    } }, supported.map((code) => h("option", { value: code, lang: code }, LANGUAGE_NAMES[code] || code)));
  select.value = lang;
  return h("div", { class: "language" }, h("label", { for: "language", class: "visually-hidden" }, t("lang.label")), select);
}

function translateShell() {
  document.documentElement.lang = lang;
  document.querySelector(".site-header__inner").append(languageSwitch());
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  document.getElementById("message-dismiss").addEventListener("click", () => {
    clearMessage();
    $main().focus();
  });
  // The skip link must not change the hash (the hash is the route).
  document.getElementById("skip-link").addEventListener("click", (e) => {
    e.preventDefault();
    const main = $main();
    const target = main.querySelector("h1") || main;
    if (target !== main) target.setAttribute("tabindex", "-1");
    target.focus();
  });
  document.getElementById("cart-jump").addEventListener("click", () => {
    if (!shopView) return;
    shopView.els.cart.scrollIntoView({ block: "start" });
    shopView.els.cartHeading.focus({ preventScroll: true });
  });
  // Another tab changed the cart being displayed: follow it.
  window.addEventListener("storage", (e) => {
    const view = shopView;
    if (!view || e.key !== cartStorageKey(view.shopId, view.cycle.id) || view.submitting) return;
    view.cart = loadCart(view.shopId, view.cycle.id);
    renderCart(view, { rebuild: true });
    updateEstimate(view);
  });
}

translateShell();
window.addEventListener("hashchange", route);
route();
