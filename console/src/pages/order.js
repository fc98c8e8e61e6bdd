// One order (its customer, lines, fees, totals, methods, payment, collection and history), its
// corrections (a shortage: lower or remove lines; cancel), and an order taken by phone.
// The API reprices, moves the stock and emails the customer; a supplier's answer has no totals,
// so the page then offers only what a supplier may do: lower its own lines.
import { asList } from "../../../web/shared/api.js";
import { addressLines } from "../../../web/shared/format.js";
import { api } from "../api.js";
import { i18n, t } from "../lang.js";
import { announce, describe, Field, FormError, go, href, html, LoadFailed, Loading, Page, Select, Submit, useForm, useLoad } from "../ui.js";
import { useRef, useState } from "preact/hooks";
import { CycleLinks } from "./orders.js";

const money = (value) => i18n.formatMoney(value);

function Address({ address }) {
  return html`<address data-testid="delivery-address">${addressLines(address).map((line) => html`${line}<br />`)}</address>`;
}

function Facts({ order, whole }) {
  const row = (label, value, testid) => html`<div><dt>${label}</dt><dd data-testid=${testid}>${value}</dd></div>`;
  return html`<dl class="facts">
    ${order.customer && row(t("orders.customer"), [order.customer.name, order.customer.email].filter(Boolean).join(" · "), "order-customer")}
    ${row(t("orders.state"), t(`orders.stateName.${order.state}`), "order-state")}
    ${order.ready_for && row(t("orders.readyFor"), order.ready_for)}
    ${order.shipping_method && row(t("orders.shipping"), order.shipping_method.name, "order-shipping")}
    ${order.delivery_address && row(t("orders.deliveryAddress"), html`<${Address} address=${order.delivery_address} />`)}
    ${order.payment_method && row(t("orders.payment"), order.payment_method.name)}
    ${whole && row(t("orders.paid"), order.paid ? t("orders.yes") : t("orders.no"), "order-paid")}
    ${"collected" in order && row(t("orders.collected"), order.collected ? t("orders.yes") : t("orders.no"), "order-collected")}
  </dl>`;
}

/** The lines, each quantity editable (a supplier's only downwards), then the fees and totals. */
function Lines({ order, whole, open, onSaved }) {
  const form = useForm(Object.fromEntries(order.items.map((i) => [`q-${i.variant_id}`, String(i.quantity)])));
  const changed = order.items.filter((i) => form.values[`q-${i.variant_id}`] !== String(i.quantity));
  const save = form.submit(async (values) => {
    const items = changed.map((i) => ({ variant_id: i.variant_id, quantity: Number(values[`q-${i.variant_id}`]) }));
    onSaved(await api("PATCH", ["orders", order.id], { items }));
    announce(t("common.saved"));
  }, (err) => {
    const match = /^items\.(\d+)/.exec(err.field || "");
    const line = match ? changed[Number(match[1])] : order.items.find((i) => i.variant_id === err.field);
    return line ? `q-${line.variant_id}` : null;
  });
  return html`<form class="panel form" onSubmit=${save} ref=${form.formRef} novalidate data-testid="order-lines">
    <h2>${t("orders.lines")}</h2>
    <${FormError} error=${form.errors._form} />
    ${order.items.length === 0 && html`<p class="note" data-testid="no-lines">${t("orders.noLines")}</p>`}
    <table class="bulk lines">
      <caption class="visually-hidden">${t("orders.lines")}</caption>
      <thead><tr><th scope="col">${t("orders.product")}</th><th scope="col">${t("orders.quantity")}</th>
        <th scope="col">${t("orders.price")}</th><th scope="col">${t("orders.lineTotal")}</th></tr></thead>
      <tbody>${order.items.map((i) => {
        const name = `${i.product_name} (${i.variant_name})`;
        return html`<tr key=${i.variant_id} data-testid="order-line" class=${changed.includes(i) ? "is-dirty" : ""}>
          <th scope="row" data-label=${t("orders.product")}>${name}</th>
          <td data-label=${t("orders.quantity")}>${open
            ? html`<${Field} ...${form.bind(`q-${i.variant_id}`)} type="number" min="0" max=${whole ? undefined : i.quantity}
                label=${t("orders.quantityOf", { name })} class="input input--cell" testid="line-quantity" />`
            : i.quantity}</td>
          <td data-label=${t("orders.price")}>${money(i.price)}</td>
          <td data-label=${t("orders.lineTotal")}>${money(i.total)}</td>
        </tr>`;
      })}</tbody>
    </table>
    ${open && order.items.length > 0 && html`<p class="field__hint">${whole ? t("orders.linesHint") : t("orders.linesHintSupplier")}</p>
      <${Submit} busy=${form.busy || !changed.length} testid="save-lines">${t("orders.saveLines")}<//>`}
    ${whole && html`<dl class="facts totals" data-testid="order-totals">
      <div><dt>${t("orders.itemTotal")}</dt><dd>${money(order.item_total)}</dd></div>
      ${asList(order.adjustments).map((a) => html`<div><dt>${a.label}</dt><dd>${money(a.amount)}</dd></div>`)}
      <div><dt>${t("orders.feeTotal")}</dt><dd>${money(order.fee_total)}</dd></div>
      <div class="totals__total"><dt>${t("orders.total")}</dt><dd data-testid="order-total">${money(order.total)}</dd></div>
    </dl>`}
  </form>`;
}

/** Paid / unpaid, collected, and cancelling (asked twice: it emails the customer). */
function Marks({ order, onSaved }) {
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState(null);
  const [confirming, setConfirming] = useState(false);
  const run = (call, done) => async () => {
    setBusy(true);
    setFailure(null);
    try {
      onSaved(await call());
      announce(t(done));
    } catch (err) {
      setFailure(describe(err));
    } finally {
      setBusy(false);
      setConfirming(false);
    }
  };
  const patch = (changes, done) => run(() => api("PATCH", ["orders", order.id], changes), done);
  return html`<section class="panel no-print" data-testid="order-marks">
    <h2>${t("orders.marks")}</h2>
    <${FormError} error=${failure} />
    <div class="actions">
      <button type="button" class="button" disabled=${busy} onClick=${patch({ paid: !order.paid }, order.paid ? "orders.markedUnpaid" : "orders.markedPaid")}
        data-testid="toggle-paid">${order.paid ? t("orders.markUnpaid") : t("orders.markPaid")}</button>
      <button type="button" class="button" disabled=${busy} onClick=${patch({ collected: !order.collected }, "common.saved")}
        data-testid="toggle-collected">${order.collected ? t("orders.markNotCollected") : t("orders.markCollected")}</button>
      ${!confirming
        ? html`<button type="button" class="button button--danger" disabled=${busy} onClick=${() => setConfirming(true)} data-testid="cancel-order">${t("orders.cancel")}</button>`
        : html`<span role="group" aria-label=${t("orders.cancel")} class="actions">
            <button type="button" class="button button--danger" disabled=${busy} data-testid="confirm-cancel"
              onClick=${run(() => api("POST", ["orders", order.id, "cancel"]), "orders.cancelled")}>${t("orders.confirmCancel")}</button>
            <button type="button" class="button" onClick=${() => setConfirming(false)}>${t("orders.keep")}</button>
          </span>`}
    </div>
    <p class="field__hint">${t("orders.cancelHint")}</p>
  </section>`;
}

export function OrderPage({ id }) {
  const [loaded, error] = useLoad(() => api("GET", ["orders", id]), [id]);
  const [saved, setSaved] = useState(null);
  const order = saved || loaded;
  const whole = !!order && "total" in order;
  const open = !!order && order.state === "placed";
  const title = order ? t("orders.orderNumber", { number: order.number }) : t("orders.title");
  return html`<${Page} title=${title} wide>
    ${order && html`<p class="crumbs"><a href=${href("order-cycles", order.order_cycle_id, "orders")} data-testid="back-to-orders">${t("orders.backToOrders")}</a></p>`}
    ${error ? html`<${LoadFailed} error=${error} />` : !order ? html`<${Loading} />` : html`
      <div class="columns">
        <section class="panel"><h2>${t("orders.details")}</h2><${Facts} order=${order} whole=${whole} /></section>
        ${whole && open && html`<${Marks} order=${order} onSaved=${setSaved} />`}
      </div>
      <${Lines} key=${order.items.map((i) => `${i.variant_id}:${i.quantity}`).join()} order=${order} whole=${whole} open=${open} onSaved=${setSaved} />
      ${order.history && html`<section class="panel" data-testid="order-history"><h2>${t("orders.history")}</h2>
        ${order.history.length === 0 && html`<p class="note">${t("orders.noHistory")}</p>`}
        <ol class="rows">${order.history.map((h) => html`<li class="row"><span class="row__main">${h.change}</span>
          <span class="card__meta">${h.by} · ${i18n.formatDate(h.at)}</span></li>`)}</ol>
      </section>`}`}
  <//>`;
}

/** What a phone order may offer: the distributors the caller runs, each with its products (from
 * its suppliers' catalogues, as the cycle sells them) and the methods the cycle offers. */
async function loadShopFor(cycleId) {
  const [cycle, mine] = await Promise.all([api("GET", ["order-cycles", cycleId]), api("GET", ["enterprises"]).then(asList)]);
  const myIds = new Set(mine.map((e) => e.id));
  const coordinates = myIds.has(cycle.coordinator_id);
  const shops = asList(cycle.outgoing).filter((o) => coordinates || myIds.has(o.distributor_id));
  const catalogues = await Promise.all(asList(cycle.incoming).map((i) => api("GET", ["enterprises", i.supplier_id, "products"])
    .then(asList).catch(() => [])));
  const variants = catalogues.flat().flatMap((p) => asList(p.variants).map((v) => ({ ...v, product_name: p.name })));
  const names = new Map(mine.map((e) => [e.id, e.name]));
  return Promise.all(shops.map(async (shop) => {
    const [shipping, payment] = await Promise.all(["shipping-methods", "payment-methods"]
      .map((path) => api("GET", ["enterprises", shop.distributor_id, path]).then(asList).catch(() => [])));
    const offered = (list, ids) => (ids ? list.filter((m) => ids.includes(m.id)) : list);
    return {
      id: shop.distributor_id,
      name: names.get(shop.distributor_id) || shop.distributor_id,
      variants: variants.filter((v) => asList(shop.variant_ids).includes(v.id)),
      shipping: offered(shipping, shop.shipping_method_ids),
      payment: offered(payment, shop.payment_method_ids),
    };
  }));
}

const ADDRESS_FIELDS = ["name", "line1", "line2", "postcode", "city", "phone"];

function PhoneOrderForm({ cycleId, shops }) {
  const first = shops[0];
  const form = useForm({
    distributor_id: first.id, name: "", email: "",
    shipping_method_id: first.shipping[0] ? first.shipping[0].id : "", payment_method_id: first.payment[0] ? first.payment[0].id : "",
    ...Object.fromEntries(ADDRESS_FIELDS.map((f) => [`address.${f}`, ""])),
  });
  const shop = shops.find((s) => s.id === form.values.distributor_id) || first;
  const shipping = shop.shipping.find((m) => m.id === form.values.shipping_method_id);
  const chosen = (values) => shop.variants.map((v) => ({ variant_id: v.id, quantity: Number(values[`q-${v.id}`] || 0) }))
    .filter((i) => i.quantity > 0);
  // One key per order being taken: sent again after a lost answer (network, 5xx) it takes the
  // order once; a refusal (4xx) stored nothing, so the corrected form gets a new key.
  const key = useRef(crypto.randomUUID());
  const take = form.submit(async (values) => {
    const items = chosen(values);
    const delivery = shipping && !shipping.pickup;
    const order = await api("POST", ["order-cycles", cycleId, "orders"], {
      distributor_id: shop.id, customer: { name: values.name.trim(), email: values.email.trim() }, items,
      shipping_method_id: values.shipping_method_id, payment_method_id: values.payment_method_id,
      ...(delivery ? { delivery_address: Object.fromEntries(ADDRESS_FIELDS.map((f) => [f, values[`address.${f}`].trim()])) } : {}),
    }, undefined, { "Idempotency-Key": key.current }).catch((err) => {
      if (err.status >= 400 && err.status < 500) key.current = crypto.randomUUID();
      throw err;
    });
    announce(t("orders.taken", { number: order.number }));
    go("orders", order.id);
  }, (err) => {
    const field = (err.field || "").replace(/^customer\./, "").replace(/^delivery_address\./, "address.");
    if (field.startsWith("address.") || ["name", "email", "shipping_method_id", "payment_method_id"].includes(field)) return field;
    const line = /^items\.(\d+)/.exec(field);
    const variantId = line ? (chosen(form.values)[Number(line[1])] || {}).variant_id : err.field;
    return shop.variants.some((v) => v.id === variantId) ? `q-${variantId}` : null;
  });
  return html`<form class="panel form" onSubmit=${take} ref=${form.formRef} novalidate data-testid="phone-order-form">
    <${FormError} error=${form.errors._form} />
    ${shops.length > 1 && html`<${Select} ...${form.bind("distributor_id")} label=${t("orders.shop")} options=${shops.map((s) => [s.id, s.name])} />`}
    <div class="form__row">
      <${Field} ...${form.bind("name")} label=${t("orders.customerName")} autocomplete="off" />
      <${Field} ...${form.bind("email")} type="email" label=${t("auth.email")} autocomplete="off" />
    </div>
    <fieldset class="variants"><legend>${t("orders.lines")}</legend>
      ${shop.variants.length === 0 && html`<p class="note">${t("orders.noProducts")}</p>`}
      <div class="form__row phone-lines">${shop.variants.map((v) => html`<${Field} ...${form.bind(`q-${v.id}`)} type="number" min="0" inputmode="numeric"
        label=${`${v.product_name} (${v.name})`} testid="phone-quantity" />`)}</div>
    </fieldset>
    <div class="form__row">
      <${Select} ...${form.bind("shipping_method_id")} label=${t("orders.shipping")} options=${shop.shipping.map((m) => [m.id, m.name])} />
      <${Select} ...${form.bind("payment_method_id")} label=${t("orders.payment")} options=${shop.payment.map((m) => [m.id, m.name])} />
    </div>
    ${shipping && !shipping.pickup && html`<fieldset class="variants"><legend>${t("orders.deliveryAddress")}</legend>
      <div class="form__row">${ADDRESS_FIELDS.map((f) => html`<${Field} ...${form.bind(`address.${f}`)} label=${t(`orders.address.${f}`)} />`)}</div>
    </fieldset>`}
    <p class="field__hint">${t("orders.takeHint")}</p>
    <${Submit} busy=${form.busy} testid="take-order">${t("orders.takeOrder")}<//>
  </form>`;
}

export function PhoneOrder({ cycleId }) {
  const [shops, error] = useLoad(() => loadShopFor(cycleId), [cycleId]);
  return html`<${Page} title=${t("orders.takeOrder")} wide>
    <${CycleLinks} cycleId=${cycleId} current="orders" />
    ${error ? html`<${LoadFailed} error=${error} />` : !shops ? html`<${Loading} />` : shops.length === 0
      ? html`<p class="empty">${t("orders.notYourShop")}</p>`
      : html`<${PhoneOrderForm} cycleId=${cycleId} shops=${shops} />`}
  <//>`;
}
