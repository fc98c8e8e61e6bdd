// Shipping methods (pickup or delivery), payment methods and enterprise fees: create, edit,
// delete. Each item is a small form of its own, so a refusal shows next to its field.
import { asList } from "../../../web/shared/api.js";
import { api } from "../api.js";
import { t } from "../lang.js";
import { announce, Checkbox, Field, FormError, html, LoadFailed, Loading, Select, Submit, useForm, useLoad } from "../ui.js";
import { EnterpriseFrame, useEnterprise } from "./enterprises.js";

/** What each kind of item is: its route, its fields, and how a form's values become a body. */
const KINDS = {
  shipping: { path: "shipping-methods", blank: { name: "", pickup: true, fee: "0.00", description: "" } },
  payment: { path: "payment-methods", blank: { name: "", fee: "0.00", description: "" } },
};

/** Save (or Add, for a new item) and Delete, under an item's form. */
function ItemActions({ form, item, onDelete, testid }) {
  return html`<div class="actions">
    <${Submit} busy=${form.busy} testid=${`save-${testid}`}>${item ? t("common.save") : t("common.add")}<//>
    ${item && html`<button type="button" class="button button--danger" onClick=${onDelete} disabled=${form.busy}
      aria-label=${t("common.deleteLabel", { name: item.name })} data-testid=${`delete-${testid}`}>${t("common.delete")}</button>`}
  </div>`;
}

function MethodForm({ id, kind, method, onDone }) {
  const spec = KINDS[kind];
  const form = useForm(method ? Object.fromEntries(Object.keys(spec.blank).map((k) => [k, method[k] ?? spec.blank[k]])) : spec.blank);
  const save = form.submit(async (values) => {
    const body = { ...values, fee: values.fee.trim().replace(",", ".") };
    if (method) await api("PATCH", ["enterprises", id, spec.path, method.id], body);
    else await api("POST", ["enterprises", id, spec.path], body);
    announce(t("common.saved"));
    if (!method) form.setValues(spec.blank);
    onDone();
  });
  const remove = form.submit(async () => {
    await api("DELETE", ["enterprises", id, spec.path, method.id]);
    announce(t("common.deleted", { name: method.name }));
    onDone();
  });
  return html`<form class=${method ? "item form" : "item item--new form"} onSubmit=${save} ref=${form.formRef} novalidate
      data-testid=${method ? `${kind}-method` : `new-${kind}-method`}>
    ${!method && html`<h3>${t(`methods.new.${kind}`)}</h3>`}
    <${FormError} error=${form.errors._form} />
    <div class="form__row">
      <${Field} ...${form.bind("name")} label=${t("methods.name")} testid="method-name" />
      <${Field} ...${form.bind("fee")} label=${t("methods.fee")} inputmode="decimal" testid="method-fee" />
    </div>
    ${kind === "shipping" && html`<${Checkbox} ...${form.bind("pickup")} label=${t("methods.pickup")} testid="method-pickup" />`}
    <${Field} ...${form.bind("description")} type="textarea" label=${t(`methods.description.${kind}`)} testid="method-description" />
    <${ItemActions} form=${form} item=${method} onDelete=${remove} testid="method" />
  </form>`;
}

function MethodList({ id, kind }) {
  const [list, error, reload] = useLoad(() => api("GET", ["enterprises", id, KINDS[kind].path]).then(asList), [id, kind]);
  return html`<section class="panel" data-testid=${`${kind}-methods`}>
    <h2>${t(`methods.title.${kind}`)}</h2>
    ${error ? html`<${LoadFailed} error=${error} />` : !list ? html`<${Loading} />` : html`
      ${list.length === 0 && html`<p class="note">${t("methods.empty")}</p>`}
      ${list.map((m) => html`<${MethodForm} key=${`${m.id}:${m.name}:${m.fee}:${m.pickup}:${m.description}`} id=${id} kind=${kind} method=${m} onDone=${reload} />`)}
      <${MethodForm} id=${id} kind=${kind} onDone=${reload} />`}
  </section>`;
}

export function Methods({ id }) {
  const [enterprise] = useEnterprise(id);
  return html`<${EnterpriseFrame} id=${id} enterprise=${enterprise} section="methods" title=${t("nav.methods")}>
    <p class="lead">${t("methods.intro")}</p>
    <div class="columns">
      <${MethodList} id=${id} kind="shipping" />
      <${MethodList} id=${id} kind="payment" />
    </div>
  <//>`;
}

/** Every calculator of api-v1 with its fields: money amounts, percentages, a count. */
export const CALCULATORS = {
  flat_rate_per_item: ["amount"],
  flat_percent_per_item: ["percent"],
  flat_percent_item_total: ["percent"],
  weight: ["per_kg"],
  flat_rate: ["amount"],
  flexi_rate: ["first_item", "additional_item", "max_items"],
  price_sack: ["minimal_amount", "normal_amount", "discount_amount"],
};
const FEE_TYPES = ["packing", "transport", "admin", "sales", "fundraising"];
const CALCULATOR_FIELDS = [...new Set(Object.values(CALCULATORS).flat())];

function feeValues(fee) {
  const calculator = (fee && fee.calculator) || { type: "flat_rate_per_item" };
  return {
    name: fee ? fee.name : "",
    fee_type: fee ? fee.fee_type : "admin",
    type: calculator.type,
    ...Object.fromEntries(CALCULATOR_FIELDS.map((f) => [f, calculator[f] == null ? "" : String(calculator[f])])),
  };
}

function feeBody(values) {
  const number = (v) => String(v).trim().replace(",", ".");
  const calculator = { type: values.type };
  for (const f of CALCULATORS[values.type]) calculator[f] = f === "max_items" ? Number(values[f] || 0) : number(values[f]);
  return { name: values.name, fee_type: values.fee_type, calculator };
}

function FeeForm({ id, fee, onDone }) {
  const form = useForm(feeValues(fee));
  // The API names a calculator field "calculator.amount": the input is named "amount".
  const fieldOf = (err) => (err.field ? err.field.replace(/^calculator\./, "").replace(/^calculator$/, "type") : null);
  const save = form.submit(async (values) => {
    if (fee) await api("PATCH", ["enterprises", id, "fees", fee.id], feeBody(values));
    else await api("POST", ["enterprises", id, "fees"], feeBody(values));
    announce(t("common.saved"));
    if (!fee) form.setValues(feeValues(null));
    onDone();
  }, fieldOf);
  const remove = form.submit(async () => {
    await api("DELETE", ["enterprises", id, "fees", fee.id]);
    announce(t("common.deleted", { name: fee.name }));
    onDone();
  });
  return html`<form class=${fee ? "item form" : "panel form"} onSubmit=${save} ref=${form.formRef} novalidate data-testid=${fee ? "fee" : "new-fee"}>
    ${!fee && html`<h2>${t("fees.new")}</h2>`}
    <${FormError} error=${form.errors._form} />
    <div class="form__row">
      <${Field} ...${form.bind("name")} label=${t("fees.name")} testid="fee-name" />
      <${Select} ...${form.bind("fee_type")} label=${t("fees.type")} options=${FEE_TYPES.map((f) => [f, t(`feeType.${f}`)])} testid="fee-type" />
    </div>
    <${Select} ...${form.bind("type")} label=${t("fees.calculator")} options=${Object.keys(CALCULATORS).map((c) => [c, t(`calculator.${c}`)])} testid="fee-calculator" />
    <div class="form__row">
      ${CALCULATORS[form.values.type].map((f) => html`<${Field} key=${f} ...${form.bind(f)} label=${t(`calculatorField.${f}`)}
        inputmode=${f === "max_items" ? "numeric" : "decimal"} testid=${`fee-${f}`} />`)}
    </div>
    <${ItemActions} form=${form} item=${fee} onDelete=${remove} testid="fee" />
  </form>`;
}

export function Fees({ id }) {
  const [enterprise] = useEnterprise(id);
  const [list, error, reload] = useLoad(() => api("GET", ["enterprises", id, "fees"]).then(asList), [id]);
  return html`<${EnterpriseFrame} id=${id} enterprise=${enterprise} section="fees" title=${t("nav.fees")}>
    <p class="lead">${t("fees.intro")}</p>
    ${error ? html`<${LoadFailed} error=${error} />` : !list ? html`<${Loading} />` : html`
      <div class="columns">
        <section class="panel" data-testid="fee-list">
          <h2>${t("fees.listTitle")}</h2>
          ${list.length === 0 && html`<p class="note">${t("fees.empty")}</p>`}
          ${list.map((f) => html`<${FeeForm} key=${JSON.stringify(f)} id=${id} fee=${f} onDone=${reload} />`)}
        </section>
        <${FeeForm} id=${id} onDone=${reload} />
      </div>`}
  <//>`;
}
