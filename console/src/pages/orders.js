// After a cycle closes, the hub's week (issue 13): the cycles a manager takes part in, each
// cycle's orders with bulk marking (paid, unpaid, collected), and the routes of these pages.
// What each role may do is the API's rule; the pages offer what the answers show it may see.
import { asList } from "../../../web/shared/api.js";
import { api } from "../api.js";
import { i18n, t } from "../lang.js";
import { announce, FormError, describe, href, html, LoadFailed, Loading, Page, Select, useLoad } from "../ui.js";
import { useState } from "preact/hooks";
import { OrderPage, PhoneOrder } from "./order.js";
import { Report, REPORTS } from "./reports.js";

/** The pages of this file's routes, or null for a route that is not theirs. */
export function ordersPage(route) {
  const [first, id, section, sub] = route;
  if (first === "orders" && !id) return html`<${OrderCycles} />`;
  if (first === "orders") return html`<${OrderPage} key=${id} id=${id} />`;
  if (first !== "order-cycles" || !id) return null;
  if (section === "orders") return sub === "new" ? html`<${PhoneOrder} cycleId=${id} />` : html`<${Orders} cycleId=${id} />`;
  if (section === "reports") return html`<${Report} cycleId=${id} name=${REPORTS.includes(sub) ? sub : REPORTS[0]} />`;
  return null;
}

/** The cycle's summary from the listing (with the caller's `roles`), found in the 90-day list;
 * one closed longer ago is not listed: then no name and no roles. */
export const loadCycleSummary = (cycleId) => api("GET", ["order-cycles"], undefined, { closed_within_days: "90" })
  .then((list) => asList(list).find((c) => c.id === cycleId) || { id: cycleId, roles: {} });

/** Whether the caller's enterprises coordinate or distribute in the cycle (they see orders whole). */
export const runsOrders = (summary) => !!summary && Object.values(summary.roles || {})
  .some((roles) => roles.includes("coordinator") || roles.includes("distributor"));

/** The links of a cycle: its orders, and its reports. */
export function CycleLinks({ cycleId, current }) {
  return html`<nav class="tabs" aria-label=${t("orders.cycleSections")}><ul>
    <li><a href=${href("order-cycles", cycleId, "orders")} aria-current=${current === "orders" ? "page" : undefined}
      data-testid="tab-orders">${t("orders.title")}</a></li>
    ${REPORTS.map((name) => html`<li><a href=${href("order-cycles", cycleId, "reports", name)} data-testid=${`tab-report-${name}`}
      aria-current=${current === name ? "page" : undefined}>${t(`report.${name}`)}</a></li>`)}
  </ul></nav>`;
}

function OrderCycles() {
  const [list, error] = useLoad(() => api("GET", ["order-cycles"], undefined, { closed_within_days: "90" }).then(asList), []);
  return html`<${Page} title=${t("orders.cycles")}>
    <p class="lead">${t("orders.cyclesIntro")}</p>
    ${error ? html`<${LoadFailed} error=${error} />` : !list ? html`<${Loading} />` : list.length === 0
      ? html`<p class="empty">${t("orders.noCycles")}</p>`
      : html`<ul class="cards" data-testid="order-cycle-list">${list.map((c) => html`<li class="card" key=${c.id} data-testid="order-cycle">
          <span class="card__title">${c.name}</span>
          <span class="card__meta">${t(`orders.status.${c.status}`)}${c.closes_at ? ` · ${i18n.formatDate(c.closes_at)}` : ""}</span>
          <span class="actions">
            <a href=${href("order-cycles", c.id, "orders")} data-testid="cycle-orders">${t("orders.ordersOf", { name: c.name })}</a>
            <a href=${href("order-cycles", c.id, "reports", REPORTS[0])} data-testid="cycle-reports">${t("orders.reportsOf", { name: c.name })}</a>
          </span>
        </li>`)}</ul>`}
  <//>`;
}

const yesNo = (value) => (value ? t("orders.yes") : t("orders.no"));

/** What the list shows: the API's own filters. */
const SHOW = { all: {}, unpaid: { paid: "false", state: "placed" }, paid: { paid: "true" }, cancelled: { state: "cancelled" } };

function Orders({ cycleId }) {
  const [show, setShow] = useState("all");
  const [summary] = useLoad(() => loadCycleSummary(cycleId), [cycleId]);
  const [orders, error, reload] = useLoad(() => api("GET", ["order-cycles", cycleId, "orders"], undefined, SHOW[show]).then(asList), [cycleId, show]);
  const [chosen, setChosen] = useState([]);
  const [failure, setFailure] = useState(null);
  const [busy, setBusy] = useState(false);
  const whole = runsOrders(summary);

  const mark = (changes, doneText) => async () => {
    setBusy(true);
    setFailure(null);
    try {
      await api("POST", ["order-cycles", cycleId, "orders", "bulk"], { order_ids: chosen, ...changes });
      announce(t(doneText, { count: chosen.length }));
      setChosen([]);
      reload();
    } catch (err) {
      setFailure(describe(err));
    } finally {
      setBusy(false);
    }
  };
  const toggle = (id) => setChosen((c) => (c.includes(id) ? c.filter((x) => x !== id) : [...c, id]));
  const title = summary && summary.name ? t("orders.ordersOf", { name: summary.name }) : t("orders.title");

  return html`<${Page} title=${title} wide>
    <p class="crumbs"><a href=${href("orders")}>${t("orders.cycles")}</a></p>
    <${CycleLinks} cycleId=${cycleId} current="orders" />
    ${whole && html`<div class="actions list-tools">
        <a class="button" href=${href("order-cycles", cycleId, "orders", "new")} data-testid="phone-order">${t("orders.takeOrder")}</a>
        <${Select} name="show" label=${t("orders.show")} value=${show} onInput=${(e) => { setChosen([]); setShow(e.currentTarget.value); }}
          options=${Object.keys(SHOW).map((k) => [k, t(`orders.show.${k}`)])} testid="orders-show" />
      </div>`}
    ${error ? html`<${LoadFailed} error=${error} />` : !orders || !summary ? html`<${Loading} />` : html`
      ${orders.length === 0 ? html`<p class="empty" data-testid="no-orders">${t("orders.empty")}</p>` : html`
      <div class="table-wrap"><table class="bulk orders" data-testid="order-list">
        <caption class="visually-hidden">${title}</caption>
        <thead><tr>
          ${whole && html`<th scope="col">${t("orders.choose")}</th>`}
          <th scope="col">${t("orders.number")}</th>
          ${whole && html`<th scope="col">${t("orders.customer")}</th><th scope="col">${t("orders.total")}</th><th scope="col">${t("orders.paid")}</th>`}
          <th scope="col">${t("orders.collected")}</th><th scope="col">${t("orders.state")}</th>
        </tr></thead>
        <tbody>${orders.map((o) => html`<tr key=${o.id} data-testid="order-row" class=${chosen.includes(o.id) ? "is-dirty" : ""}>
          ${whole && html`<td data-label=${t("orders.choose")}><input type="checkbox" checked=${chosen.includes(o.id)} onChange=${() => toggle(o.id)}
            aria-label=${t("orders.chooseOrder", { number: o.number })} data-testid="choose-order" /></td>`}
          <th scope="row" data-label=${t("orders.number")}><a href=${href("orders", o.id)} data-testid="order-link">${t("orders.orderNumber", { number: o.number })}</a></th>
          ${whole && html`<td data-label=${t("orders.customer")}>${o.customer && o.customer.name}</td>
            <td data-label=${t("orders.total")}>${i18n.formatMoney(o.total)}</td>
            <td data-label=${t("orders.paid")} data-testid="order-paid">${yesNo(o.paid)}</td>`}
          <td data-label=${t("orders.collected")} data-testid="order-collected">${yesNo(o.collected)}</td>
          <td data-label=${t("orders.state")}>${t(`orders.stateName.${o.state}`)}</td>
        </tr>`)}</tbody>
      </table></div>
      ${whole && html`<div class=${chosen.length ? "actions actions--sticky no-print" : "actions no-print"} role="group" aria-label=${t("orders.bulk")}>
        <${FormError} error=${failure} />
        <span>${t("orders.chosen", { count: chosen.length })}</span>
        <button type="button" class="button button--small" disabled=${busy || !chosen.length} onClick=${mark({ paid: true }, "orders.markedPaid")}
          data-testid="bulk-paid">${t("orders.markPaid")}</button>
        <button type="button" class="button button--small" disabled=${busy || !chosen.length} onClick=${mark({ paid: false }, "orders.markedUnpaid")}
          data-testid="bulk-unpaid">${t("orders.markUnpaid")}</button>
        <button type="button" class="button button--small" disabled=${busy || !chosen.length} onClick=${mark({ collected: true }, "orders.markedCollected")}
          data-testid="bulk-collected">${t("orders.markCollected")}</button>
      </div>`}`}`}
  <//>`;
}
