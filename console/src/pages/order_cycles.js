// The order cycles the manager's enterprises take part in (seed 003's list): status in colour,
// the manager's roles, name and dates editable in place by the coordinator, duplicate, delete,
// notify producers; and a new cycle. Times are shown and typed in the coordinator's time zone.
import "../cycles.css";
import { asList } from "../../../web/shared/api.js";
import { isoToZoned, zonedToIso } from "../../../web/shared/timezone.js";
import { api } from "../api.js";
import { i18n, t } from "../lang.js";
import { announce, describe, Field, FormError, go, href, html, LoadFailed, Loading, Page, Select, Submit, useForm, useLoad } from "../ui.js";
import { useState } from "preact/hooks";

export const browserZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";

export function StatusBadge({ status }) {
  return html`<span class=${`status status--${status}`} data-testid="cycle-status">${t(`cycles.status.${status}`)}</span>`;
}

/** "From Monday … to Friday …" in the zone given, or "no date yet". */
export function CycleDates({ cycle, zone }) {
  const when = (iso) => (iso ? i18n.formatDate(iso, zone) : t("cycles.noDate"));
  if (!cycle.opens_at && !cycle.closes_at) return html`<span data-testid="cycle-dates">${t("cycles.noDates")}</span>`;
  return html`<span data-testid="cycle-dates">${t("cycles.from", { opens: when(cycle.opens_at), closes: when(cycle.closes_at) })}</span>`;
}

/** Name, opening and closing as typed by people: datetime-local values in the hub's zone. */
export function DateFields({ form, zone }) {
  const hint = t("cycles.timeIn", { zone: zone.replaceAll("_", " ") });
  return html`<div class="form__row">
    <${Field} ...${form.bind("opens_at")} type="datetime-local" label=${t("cycles.opensAt")} hint=${hint} testid="cycle-opens" />
    <${Field} ...${form.bind("closes_at")} type="datetime-local" label=${t("cycles.closesAt")} hint=${hint} testid="cycle-closes" />
  </div>`;
}

export const datesBody = (values, zone) => ({
  opens_at: zonedToIso(values.opens_at, zone),
  closes_at: zonedToIso(values.closes_at, zone),
});

/** A yes/cancel question in place of the button that asked it. */
function Confirm({ question, yes, onYes, onCancel, testid }) {
  return html`<div class="confirm" role="group" aria-label=${question} data-testid=${testid}>
    <p>${question}</p>
    <div class="actions">
      <button type="button" class="button button--danger button--small" onClick=${onYes} data-testid=${`${testid}-yes`}>${yes}</button>
      <button type="button" class="button button--secondary button--small" onClick=${onCancel}>${t("cycles.cancel")}</button>
    </div>
  </div>`;
}

/** The producer emails sent for a cycle (from its editor's read): sent, waiting or failed, with
 * the reason of a bounce. */
export function Notifications({ editor }) {
  const list = editor.order_cycle.notifications || [];
  const name = (id) => (editor.suppliers.find((s) => s.id === id) || { name: id }).name;
  if (!list.length) return html`<p class="note" data-testid="no-notification">${t("editor.notified.none")}</p>`;
  return html`<ul class="links">${list.map((n) => html`<li key=${`${n.run}${n.supplier_id}`} data-testid="notification">
    ${name(n.supplier_id)}: ${t(`editor.notified.${n.status}`)}${n.sent_at ? ` (${i18n.formatDate(n.sent_at, editor.timezone)})` : ""}${n.reason ? ` – ${n.reason}` : ""}
  </li>`)}</ul>`;
}

/** In the list, from the list's own answer: whether producers were notified (when, for the
 * coordinator) and a marker when an email bounced or failed; the details are a disclosure away. */
function NotifiedSummary({ summary, zone }) {
  const coordinator = "notified_at" in summary;
  const failed = summary.failed_supplier_ids.length;
  const said = coordinator
    ? (summary.notified_at ? t("cycles.producersNotified", { when: i18n.formatDate(summary.notified_at, zone) }) : t("cycles.producersNotNotified"))
    : t(summary.supplier_ids.length ? "cycles.youWereNotified" : "cycles.youWereNotNotified");
  return html`<p class="cycle__meta" data-testid="producers-notified">${said}
    ${failed > 0 && html` <strong class="cycle__bounce" data-testid="notification-failed">${coordinator
      ? t("cycles.notDelivered", { count: failed }) : t("cycles.yoursNotDelivered")}</strong>`}</p>`;
}

/** In the list, asked for when the person opens it: one request for that cycle only. */
function NotificationsOnDemand({ cycle }) {
  const [editor, setEditor] = useState(null);
  const [error, setError] = useState(null);
  const toggled = (e) => {
    if (e.currentTarget.open && !editor) api("GET", ["order-cycles", cycle.id, "editor"]).then(setEditor, setError);
  };
  return html`<details class="cycle__edit" onToggle=${toggled} data-testid="cycle-notifications">
    <summary>${t("editor.notifications")}</summary>
    ${error ? html`<${LoadFailed} error=${error} />` : editor ? html`<${Notifications} editor=${editor} />` : html`<${Loading} />`}
  </details>`;
}

/** Seed 003's "Notifier les producteurs": asked first, then the number of emails sent. */
export function NotifyProducers({ cycle, onNotified }) {
  const [asking, setAsking] = useState(false);
  const [error, setError] = useState(null);
  const [told, setTold] = useState("");
  const notify = async () => {
    setAsking(false);
    setError(null);
    try {
      const { emails_sent: count } = await api("POST", ["order-cycles", cycle.id, "notify-producers"]);
      setTold(t("cycles.notified", { count }));
      announce(t("cycles.notified", { count }));
      if (onNotified && count > 0) onNotified();
    } catch (err) {
      setError(describe(err));
    }
  };
  return html`<div class="notify">
    <button type="button" class="button button--secondary button--small" onClick=${() => setAsking(true)}
      aria-label=${t("cycles.notifyLabel", { name: cycle.name })} data-testid="notify-producers">${t("cycles.notify")}</button>
    ${asking && html`<${Confirm} question=${t("cycles.notifyConfirm", { name: cycle.name })} yes=${t("cycles.notifyYes")}
      onYes=${notify} onCancel=${() => setAsking(false)} testid="confirm-notify" />`}
    ${told && html`<p class="note" data-testid="notified">${told}</p>`}
    <${FormError} error=${error} />
  </div>`;
}

function CoordinatorActions({ cycle, onChanged, onNotified }) {
  const [asking, setAsking] = useState(false);
  const [error, setError] = useState(null);
  const act = (action) => async () => {
    setError(null);
    setAsking(false);
    try {
      await action();
    } catch (err) {
      setError(describe(err));
    }
  };
  const duplicate = act(async () => {
    const copy = await api("POST", ["order-cycles", cycle.id, "duplicate"]);
    announce(t("cycles.duplicated", { name: copy.name }));
    onChanged();
  });
  const remove = act(async () => {
    await api("DELETE", ["order-cycles", cycle.id]);
    announce(t("common.deleted", { name: cycle.name }));
    onChanged();
  });
  return html`<div class="cycle__actions">
      <a class="button button--small" href=${href("order-cycles", cycle.id)} aria-label=${t("cycles.editLabel", { name: cycle.name })}
        data-testid="edit-cycle">${t("cycles.edit")}</a>
      <button type="button" class="button button--secondary button--small" onClick=${duplicate}
        aria-label=${t("cycles.duplicateLabel", { name: cycle.name })} data-testid="duplicate-cycle">${t("cycles.duplicate")}</button>
      <button type="button" class="button button--danger button--small" onClick=${() => setAsking(true)}
        aria-label=${t("common.deleteLabel", { name: cycle.name })} data-testid="delete-cycle">${t("common.delete")}</button>
    <${NotifyProducers} cycle=${cycle} onNotified=${onNotified} />
    ${asking && html`<${Confirm} question=${t("cycles.deleteConfirm", { name: cycle.name })} yes=${t("cycles.deleteYes")}
      onYes=${remove} onCancel=${() => setAsking(false)} testid="confirm-delete" />`}
    <${FormError} error=${error} />
  </div>`;
}

/** The coordinator renames and re-dates in place; only what changed is sent. */
function InPlaceForm({ cycle, zone, onChanged }) {
  const initial = { name: cycle.name, opens_at: isoToZoned(cycle.opens_at, zone), closes_at: isoToZoned(cycle.closes_at, zone) };
  const form = useForm(initial);
  const save = form.submit(async (values) => {
    const body = {};
    if (values.name !== initial.name) body.name = values.name;
    for (const key of ["opens_at", "closes_at"]) if (values[key] !== initial[key]) body[key] = zonedToIso(values[key], zone);
    if (!Object.keys(body).length) return announce(t("common.nothingChanged"));
    await api("PATCH", ["order-cycles", cycle.id], body);
    announce(t("common.saved"));
    onChanged();
  });
  return html`<form class="form cycle__form" onSubmit=${save} ref=${form.formRef} novalidate data-testid="cycle-in-place">
    <${FormError} error=${form.errors._form} />
    <${Field} ...${form.bind("name")} label=${t("cycles.name")} testid="cycle-name" />
    <${DateFields} form=${form} zone=${zone} />
    <${Submit} busy=${form.busy} testid="save-cycle-in-place">${t("cycles.renameSave")}<//>
  </form>`;
}

function CycleRow({ cycle, mine, onChanged }) {
  const coordinator = mine[cycle.coordinator_id];
  const zone = coordinator ? coordinator.timezone || "UTC" : browserZone();
  const roles = Object.entries(cycle.roles).map(([id, list]) =>
    `${list.map((r) => t(`cycles.role.${r}`)).join(", ")} (${mine[id] ? mine[id].name : id})`);
  const label = coordinator ? t("cycles.editLabel", { name: cycle.name }) : t("cycles.viewLabel", { name: cycle.name });
  // Just notified from this row: said at once, without reloading the list (and losing the count told).
  const [notifiedNow, setNotifiedNow] = useState(null);
  const summary = cycle.producers_notified && (notifiedNow
    ? { ...cycle.producers_notified, notified_at: notifiedNow } : cycle.producers_notified);
  return html`<li class=${`cycle cycle--${cycle.status}`} data-testid="cycle" data-cycle-id=${cycle.id}>
    <div class="cycle__head">
      <${StatusBadge} status=${cycle.status} />
      <a class="cycle__name" href=${href("order-cycles", cycle.id)} aria-label=${label} data-testid="open-cycle">${cycle.name}</a>
    </div>
    <p class="cycle__meta"><${CycleDates} cycle=${cycle} zone=${zone} /> (${zone.replaceAll("_", " ")})</p>
    <p class="cycle__meta" data-testid="cycle-roles">${t("cycles.role")}: ${roles.join(" · ")}</p>
    ${summary && html`<${NotifiedSummary} summary=${summary} zone=${zone} />`}
    ${coordinator && html`
      <details class="cycle__edit">
        <summary>${t("cycles.editInPlace")}</summary>
        <${InPlaceForm} key=${`${cycle.name}${cycle.opens_at}${cycle.closes_at}`} cycle=${cycle} zone=${zone} onChanged=${onChanged} />
      </details>
      <${CoordinatorActions} cycle=${cycle} onChanged=${onChanged} onNotified=${() => setNotifiedNow(new Date().toISOString())} />`}
    ${(coordinator || Object.values(cycle.roles).some((r) => r.includes("supplier"))) && html`<${NotificationsOnDemand} cycle=${cycle} />`}
  </li>`;
}

function NewCycle({ coordinators }) {
  const form = useForm({ coordinator_id: coordinators[0].id, name: "", opens_at: "", closes_at: "" });
  const zone = (coordinators.find((e) => e.id === form.values.coordinator_id) || coordinators[0]).timezone || "UTC";
  const create = form.submit(async (values) => {
    const created = await api("POST", ["order-cycles"], {
      coordinator_id: values.coordinator_id, name: values.name, ...datesBody(values, zone),
    });
    announce(t("cycles.created", { name: created.name }));
    go("order-cycles", created.id, "incoming");
  });
  return html`<form class="panel form" onSubmit=${create} ref=${form.formRef} novalidate data-testid="new-cycle">
    <h2>${t("cycles.new")}</h2>
    <${FormError} error=${form.errors._form} />
    <${Select} ...${form.bind("coordinator_id")} label=${t("cycles.coordinator")}
      options=${coordinators.map((e) => [e.id, e.name])} testid="cycle-coordinator" />
    <${Field} ...${form.bind("name")} label=${t("cycles.name")} required testid="cycle-name" />
    <${DateFields} form=${form} zone=${zone} />
    <p class="field__hint">${t("cycles.undatedHint")}</p>
    <${Submit} busy=${form.busy} testid="create-cycle">${t("cycles.create")}<//>
  </form>`;
}

export function OrderCycles() {
  const [days, setDays] = useState("30");
  const [data, error, reload] = useLoad(() => Promise.all([
    api("GET", ["order-cycles"], undefined, { closed_within_days: days }).then(asList),
    api("GET", ["enterprises"]).then(asList),
  ]), [days]);
  const [creating, setCreating] = useState(false);
  if (error) return html`<${Page} title=${t("cycles.title")}><${LoadFailed} error=${error} /><//>`;
  if (!data) return html`<${Page} title=${t("cycles.title")}><${Loading} /><//>`;
  const [cycles, enterprises] = data;
  const mine = Object.fromEntries(enterprises.map((e) => [e.id, e]));
  const coordinators = enterprises.filter((e) => e.kind !== "profile");
  return html`<${Page} title=${t("cycles.title")} wide>
    <p class="lead">${t("cycles.intro")}</p>
    ${coordinators.length === 0 ? html`<p class="note">${t("cycles.noCoordinator")}</p>`
      : creating ? html`<${NewCycle} coordinators=${coordinators} />`
      : html`<p><button type="button" class="button" onClick=${() => setCreating(true)} data-testid="new-cycle-button">${t("cycles.new")}</button></p>`}
    ${cycles.length === 0 ? html`<p class="empty" data-testid="no-cycles">${t("cycles.empty")}</p>`
      : html`<ul class="cycles" data-testid="cycle-list">
          ${cycles.map((c) => html`<${CycleRow} key=${`${c.id}:${c.name}:${c.opens_at}:${c.closes_at}`} cycle=${c} mine=${mine} onChanged=${reload} />`)}
        </ul>`}
    <div class="actions" role="group" aria-label=${t("cycles.window")}>
      <span class="note" data-testid="cycle-window">${t("cycles.showing", { count: Number(days) })}</span>
      <button type="button" class="button button--secondary button--small" aria-pressed=${days === "30"}
        onClick=${() => setDays("30")} data-testid="show-30">${t("cycles.show30")}</button>
      <button type="button" class="button button--secondary button--small" aria-pressed=${days === "90"}
        onClick=${() => setDays("90")} data-testid="show-90">${t("cycles.show90")}</button>
    </div>
  <//>`;
}
