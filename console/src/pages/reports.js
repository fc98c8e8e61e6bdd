// A cycle's reports (packing lists and totals): on screen, printed on A4 (console.css's print
// rules start each customer's or supplier's group on a new page), and as the API's CSV.
// The address keeps the report's own filters (?supplier_id=…, ?distributor_id=…): the emails'
// links open the report they name (docs/admin-api.md, "Console links").
import { asList } from "../../../web/shared/api.js";
import { api, apiFile } from "../api.js";
import { i18n, t } from "../lang.js";
import { describe, FormError, html, LoadFailed, Loading, Page, useLoad } from "../ui.js";
import { useState } from "preact/hooks";
import { CycleLinks, loadCycleSummary } from "./orders.js";

/** Each report: its columns, and the column whose value starts a new group (a new printed page). */
const SPECS = {
  "supplier-totals": { columns: ["product_name", "variant_name", "quantity", "total"], group: "supplier_id" },
  "pack-by-customer": { columns: ["order_number", "supplier_id", "product_name", "variant_name", "quantity"], group: "customer" },
  "pack-by-supplier": { columns: ["product_name", "variant_name", "distributor_id", "customer_name", "order_number", "quantity"], group: "supplier_id" },
  "customer-totals": { columns: ["distributor_id", "customer_name", "customer_email", "orders", "item_total", "fee_total", "total", "paid", "unpaid"] },
  "totals-by-shipping-method": { columns: ["distributor_id", "shipping_method", "ready_for", "orders", "item_total", "fee_total", "total"] },
};
export const REPORTS = Object.keys(SPECS);
const MONEY = new Set(["total", "item_total", "fee_total", "paid", "unpaid"]);
const ENTERPRISE = new Set(["supplier_id", "distributor_id"]);

/** The report's filters, from the address's query (only those the API takes). */
function filters() {
  const query = new URLSearchParams(window.location.hash.split("?")[1] || "");
  return Object.fromEntries(["supplier_id", "distributor_id"].filter((k) => query.get(k)).map((k) => [k, query.get(k)]));
}

/** Enterprise names the caller may know: its own, and those that granted them something. */
async function loadNames() {
  const mine = await api("GET", ["enterprises"]).then(asList);
  const granted = await Promise.all(mine.map((e) => api("GET", ["enterprises", e.id, "granted-to-me"]).then(asList).catch(() => [])));
  return new Map([...mine.map((e) => [e.id, e.name]), ...granted.flat().map((g) => [g.enterprise_id, g.name])]);
}

function cell(row, column, names) {
  const value = row[column];
  if (MONEY.has(column)) return i18n.formatMoney(value);
  if (ENTERPRISE.has(column)) return names.get(value) || value;
  return value == null ? "" : String(value);
}

const groupKey = (spec, row) => (spec.group === "customer" ? `${row.distributor_id}|${row.customer_name}|${row.customer_email}` : row[spec.group]);

function groupTitle(spec, row, names) {
  if (spec.group === "customer") return [row.customer_name, row.customer_email].filter(Boolean).join(" · ") || t("report.anonymous");
  return names.get(row[spec.group]) || row[spec.group];
}

/** A table that scrolls sideways on a phone (a focusable region, so the keyboard scrolls it too). */
function Table({ spec, rows, names, caption }) {
  return html`<div class="report-wrap" role="region" tabindex="0" aria-label=${caption}><table class="report">
    <caption class="visually-hidden">${caption}</caption>
    <thead><tr>${spec.columns.map((c) => html`<th scope="col" class=${MONEY.has(c) || c === "quantity" ? "num" : ""}>${t(`report.column.${c}`)}</th>`)}</tr></thead>
    <tbody>${rows.map((row) => html`<tr data-testid="report-row">${spec.columns.map((c) =>
      html`<td class=${MONEY.has(c) || c === "quantity" ? "num" : ""}>${cell(row, c, names)}</td>`)}</tr>`)}</tbody>
  </table></div>`;
}

/** Rows in groups (one printed page each) where the report has groups, else one table. */
function Rows({ name, rows, names }) {
  const spec = SPECS[name];
  if (!spec.group) return html`<${Table} spec=${spec} rows=${rows} names=${names} caption=${t(`report.${name}`)} />`;
  const groups = new Map();
  rows.forEach((row) => {
    const key = groupKey(spec, row);
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(row);
  });
  return html`${[...groups.values()].map((group) => html`<section class="report-group" data-testid="report-group">
    <h2>${groupTitle(spec, group[0], names)}</h2>
    <${Table} spec=${spec} rows=${group} names=${names} caption=${`${t(`report.${name}`)}: ${groupTitle(spec, group[0], names)}`} />
  </section>`)}`;
}

function TooBig({ link }) {
  return html`<p class="panel" data-testid="report-download">${t("report.tooBig", { size: Math.ceil(link.bytes / 1e6) })}
    <a href=${link.download_url} rel="noopener">${t("report.downloadLink")}</a>
    <span class="card__meta">${t("report.until", { time: i18n.formatDate(link.expires_at) })}</span></p>`;
}

/** The CSV, fetched with the token and handed to the browser as a file. */
function CsvButton({ cycleId, name, query }) {
  const [state, setState] = useState({ busy: false, error: null, link: null });
  const download = async () => {
    setState({ busy: true, error: null, link: null });
    try {
      const file = await apiFile(["order-cycles", cycleId, "reports", name], { ...query, format: "csv" });
      if (!(file instanceof Blob)) return setState({ busy: false, error: null, link: file });
      const anchor = document.createElement("a");
      anchor.href = URL.createObjectURL(file);
      anchor.download = `${name}.csv`;
      document.body.append(anchor);
      anchor.click();
      anchor.remove();
      setTimeout(() => URL.revokeObjectURL(anchor.href), 60000);
      setState({ busy: false, error: null, link: null });
    } catch (err) {
      setState({ busy: false, error: describe(err), link: null });
    }
  };
  return html`<button type="button" class="button" disabled=${state.busy} onClick=${download} data-testid="download-csv">${t("report.csv")}</button>
    ${state.link && html`<${TooBig} link=${state.link} />`}
    <${FormError} error=${state.error} />`;
}

export function Report({ cycleId, name }) {
  const query = filters();
  const queryKey = new URLSearchParams(query).toString();
  const [answer, reportError] = useLoad(() => api("GET", ["order-cycles", cycleId, "reports", name], undefined, query),
    [cycleId, name, queryKey]);
  // The names and the cycle depend on the cycle only: not read again for each report's tab.
  const [context, contextError] = useLoad(() => Promise.all([loadNames(), loadCycleSummary(cycleId)]), [cycleId]);
  const [names, summary] = context || [];
  const error = reportError || contextError;
  const title = summary && summary.name ? `${t(`report.${name}`)} · ${summary.name}` : t(`report.${name}`);
  return html`<${Page} title=${title} wide>
    <div class="no-print"><${CycleLinks} cycleId=${cycleId} current=${name} /></div>
    ${Object.entries(query).map(([k, v]) => html`<p class="card__meta" data-testid="report-filter">${t(`report.column.${k}`)}: ${names ? names.get(v) || v : v}</p>`)}
    <div class="actions no-print">
      <button type="button" class="button" onClick=${() => window.print()} data-testid="print">${t("report.print")}</button>
      <${CsvButton} cycleId=${cycleId} name=${name} query=${query} />
    </div>
    ${error ? html`<${LoadFailed} error=${error} />` : !answer || !context ? html`<${Loading} />`
      : answer && answer.download_url ? html`<${TooBig} link=${answer} />`
      : asList(answer).length === 0 ? html`<p class="empty" data-testid="report-empty">${t("report.empty")}</p>`
      : html`<${Rows} name=${name} rows=${asList(answer)} names=${names} />`}
  <//>`;
}
