// An enterprise's customer reminders (issue 16): which emails its shop sends, and per order cycle
// how many of each were sent, are pending, failed. A cycle's "ready for pickup" time belongs to
// its outgoing exchange (the cycle's editor).
import { api } from "../api.js";
import { asList } from "../../../web/shared/api.js";
import { t } from "../lang.js";
import { announce, Checkbox, Field, FormError, html, LoadFailed, Loading, Submit, useForm, useLoad } from "../ui.js";
import { EnterpriseFrame, useEnterprise } from "./enterprises.js";

const KINDS = ["shop_open", "closing_soon", "ready"];
const HOURS = "reminders.closing_soon_hours"; // the field the API names in its refusals

function ReminderForm({ enterprise, onSaved }) {
  const chosen = enterprise.reminders || {};
  const form = useForm({
    shop_open: !!chosen.shop_open,
    closing_soon: chosen.closing_soon_hours != null,
    [HOURS]: String(chosen.closing_soon_hours ?? 24),
  });
  const save = form.submit(async (values) => {
    const hours = values[HOURS].trim();
    const closing = values.closing_soon ? (/^\d+$/.test(hours) ? Number(hours) : hours) : null;
    onSaved(await api("PATCH", ["enterprises", enterprise.id], {
      reminders: { shop_open: values.shop_open, closing_soon_hours: closing },
    }));
    announce(t("common.saved"));
  });
  return html`<form class="panel form" onSubmit=${save} ref=${form.formRef} novalidate data-testid="reminders-form">
    <${FormError} error=${form.errors._form} />
    <p class="field__hint">${t("reminders.intro")}</p>
    <${Checkbox} ...${form.bind("shop_open")} error=${form.errors["reminders.shop_open"]} label=${t("reminders.shopOpen")} testid="reminders-shop-open" />
    <${Checkbox} ...${form.bind("closing_soon")} label=${t("reminders.closingSoon")} testid="reminders-closing-soon" />
    ${form.values.closing_soon && html`<${Field} ...${form.bind(HOURS)} type="number" min="1" max="72" inputmode="numeric"
      label=${t("reminders.hours")} hint=${t("reminders.hoursHint")} testid="reminders-hours" />`}
    <div class="actions"><${Submit} busy=${form.busy} testid="save-reminders">${t("common.save")}<//></div>
  </form>`;
}

function CycleCounts({ cycle }) {
  const [counts, error] = useLoad(() => api("GET", ["order-cycles", cycle.id, "reminders"]), [cycle.id]);
  return html`<tr data-testid="reminder-counts" data-cycle-id=${cycle.id}>
    <th scope="row">${cycle.name}</th>
    ${error ? html`<td colspan=${KINDS.length}><${LoadFailed} error=${error} /></td>` : KINDS.map((kind) => html`<td key=${kind}
      data-label=${t(`reminders.kind.${kind}`)} data-testid=${`count-${kind}`}>${counts ? t("reminders.counts", counts[kind]) : "…"}</td>`)}
  </tr>`;
}

export function Reminders({ id }) {
  const [enterprise, error, reload] = useEnterprise(id);
  const [cycles, cyclesError] = useLoad(() => api("GET", ["order-cycles"], undefined, { enterprise_id: id }).then(asList), [id]);
  const selling = (cycles || []).filter((c) => asList((c.roles || {})[id]).some((r) => r === "coordinator" || r === "distributor"));
  return html`<${EnterpriseFrame} id=${id} enterprise=${enterprise} section="reminders" title=${t("nav.reminders")}>
    ${error ? html`<${LoadFailed} error=${error} />` : !enterprise ? html`<${Loading} />` : html`
      <${ReminderForm} key=${enterprise.id} enterprise=${enterprise} onSaved=${reload} />`}
    <h2>${t("reminders.perCycle")}</h2>
    ${cyclesError ? html`<${LoadFailed} error=${cyclesError} />` : !cycles ? html`<${Loading} />` : selling.length === 0
      ? html`<p class="empty" data-testid="no-reminder-cycles">${t("reminders.noCycles")}</p>`
      : html`<div class="table-wrap"><table class="bulk" data-testid="reminder-table">
          <caption class="visually-hidden">${t("reminders.perCycle")}</caption>
          <thead><tr><th scope="col">${t("reminders.cycle")}</th>${KINDS.map((k) => html`<th scope="col" key=${k}>${t(`reminders.kind.${k}`)}</th>`)}</tr></thead>
          <tbody>${selling.map((c) => html`<${CycleCounts} key=${c.id} cycle=${c} />`)}</tbody>
        </table></div>`}
  <//>`;
}
