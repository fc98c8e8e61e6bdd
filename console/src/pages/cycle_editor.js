// The order-cycle editor, in seed 003's four steps (general settings, incoming, outgoing,
// shipping and payment), for each role of seed 004. It opens with one request (GET
// /order-cycles/{id}/editor), which also says what this manager may change in each exchange:
// the rest is shown read-only. Edits are kept as a draft across the steps; Save sends only what
// changed (a PATCH of the settings, a PUT per changed exchange). When someone else saved the
// cycle meanwhile, the draft is laid over their version: what they changed is named, what the
// manager typed is kept.
import { useEffect, useRef, useState } from "preact/hooks";
import { isoToZoned, zonedToIso } from "../../../web/shared/timezone.js";
import { api } from "../api.js";
import { i18n, t } from "../lang.js";
import { announce, Checkbox, describe, Field, href, html, LoadFailed, Loading, Page, useUnsavedChanges } from "../ui.js";
import { Notifications, NotifyProducers, StatusBadge } from "./order_cycles.js";

export const STEPS = ["general", "incoming", "outgoing", "methods"];
const SETTINGS = ["name", "opens_at", "closes_at", "coordinator_fee_ids", "automatic_notifications"];
const KEYS = { incoming: "supplier_id", outgoing: "distributor_id" };

/** The editable state of a cycle as the editor read it: settings and exchanges by enterprise. */
function stateOf(data) {
  const cycle = data.order_cycle;
  const settings = {};
  for (const key of SETTINGS) if (key in cycle) settings[key] = cycle[key];
  settings.opens_at = isoToZoned(cycle.opens_at, data.timezone);
  settings.closes_at = isoToZoned(cycle.closes_at, data.timezone);
  const exchanges = (direction) => Object.fromEntries(cycle[direction].map((e) => {
    const { [KEYS[direction]]: id, ...fields } = e;
    if ("ready_reminder_at" in fields) fields.ready_reminder_at = isoToZoned(fields.ready_reminder_at, data.timezone);
    return [id, fields];
  }));
  return { settings, incoming: exchanges("incoming"), outgoing: exchanges("outgoing") };
}

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/** Fields of `now` that differ from `before` (all of them for a new exchange). */
function changedFields(before, now) {
  if (!before) return { ...now };
  return Object.fromEntries(Object.entries(now).filter(([k, v]) => !same(v, before[k])));
}

/** What differs between two states: [["settings", key] | [direction, id, fields | null]]. */
function differences(base, draft) {
  const found = [];
  for (const key of Object.keys(draft.settings)) if (!same(draft.settings[key], base.settings[key])) found.push(["settings", key]);
  for (const direction of ["incoming", "outgoing"]) {
    for (const [id, fields] of Object.entries(draft[direction])) {
      const changed = changedFields(base[direction][id], fields);
      if (Object.keys(changed).length) found.push([direction, id, changed]);
    }
    for (const id of Object.keys(base[direction])) if (!(id in draft[direction])) found.push([direction, id, null]);
  }
  return found;
}

/** The manager's draft laid over a newer version of the cycle: what they changed is kept, the
 * rest is the newer version's. */
function rebase(oldBase, newBase, draft) {
  const settings = { ...newBase.settings };
  for (const key of Object.keys(draft.settings)) if (!same(draft.settings[key], oldBase.settings[key])) settings[key] = draft.settings[key];
  const merged = { settings };
  for (const direction of ["incoming", "outgoing"]) {
    const result = {};
    for (const [id, fields] of Object.entries(newBase[direction])) {
      if (id in oldBase[direction] && !(id in draft[direction])) continue; // removed by this manager
      const mine = draft[direction][id];
      result[id] = mine ? { ...fields, ...changedFields(oldBase[direction][id], mine) } : fields;
    }
    for (const [id, fields] of Object.entries(draft[direction])) {
      if (!(id in oldBase[direction]) && !(id in result)) result[id] = fields; // added by this manager
    }
    merged[direction] = result;
  }
  return merged;
}

/** Save what changed, in an order the API accepts: settings, then suppliers (products must be
 * incoming before a shop sells them), then distributors. */
async function saveChanges(id, data, base, draft) {
  const diff = differences(base, draft);
  const settings = Object.fromEntries(diff.filter(([section]) => section === "settings").map(([, key]) => {
    const value = draft.settings[key];
    return [key, key === "opens_at" || key === "closes_at" ? zonedToIso(value, data.timezone) : value];
  }));
  if (Object.keys(settings).length) await save({ section: "settings" }, () => api("PATCH", ["order-cycles", id], settings));
  for (const direction of ["incoming", "outgoing"]) {
    for (const [section, enterpriseId, fields] of diff) {
      if (section !== direction) continue;
      const path = ["order-cycles", id, direction, enterpriseId];
      const body = fields && "ready_reminder_at" in fields
        ? { ...fields, ready_reminder_at: zonedToIso(fields.ready_reminder_at, data.timezone) } : fields;
      await save({ section, enterpriseId }, () => (body ? api("PUT", path, body) : api("DELETE", path)));
    }
  }
}

/** Runs one request; a refusal says which part of the cycle it is about. */
async function save(where, request) {
  try {
    return await request();
  } catch (err) {
    err.where = where;
    throw err;
  }
}

export function CycleEditor({ id, step }) {
  const [data, setData] = useState(null);
  const [loadError, setLoadError] = useState(null);
  const [base, setBase] = useState(null);
  const [draft, setDraft] = useState(null);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState(null); // {text, where}
  const [conflict, setConflict] = useState("");
  const [parts, setParts] = useState({}); // supplier id -> {variants, fees}, loaded when its panel opens
  const asked = useRef(new Set());

  const load = () => api("GET", ["order-cycles", id, "editor"]);
  const take = (fresh) => { setData(fresh); setBase(stateOf(fresh)); setDraft(stateOf(fresh)); };
  useEffect(() => { load().then(take, setLoadError); }, [id]);

  // Each setting and each exchange field changed counts once; an exchange added or removed, once.
  const pending = base && draft ? differences(base, draft).reduce((n, [section, , fields]) =>
    n + (section === "settings" || !fields ? 1 : Object.keys(fields).length), 0) : 0;
  useUnsavedChanges(pending > 0, (route) => route[0] === "order-cycles" && route[1] === id);

  const current = STEPS.includes(step) ? step : "general";
  if (loadError) return html`<${Page} title=${t("cycles.title")}><${LoadFailed} error=${loadError} /><//>`;
  if (!data || !draft) return html`<${Page} title=${t("cycles.title")}><${Loading} /><//>`;

  const names = Object.fromEntries([data.coordinator, ...data.suppliers, ...data.distributors].map((e) => [e.id, e.name]));
  const submit = async () => {
    setBusy(true);
    setProblem(null);
    setConflict("");
    announce("");
    try {
      await saveChanges(id, data, base, draft);
      take(await load());
      announce(t("common.saved"));
    } catch (err) {
      const fresh = await load().catch(() => null);
      if (fresh) {
        const newBase = stateOf(fresh);
        if (err.code === "order_cycle_changed") setConflict(describeOthers(base, newBase, names));
        setData(fresh);
        setDraft(rebase(base, newBase, draft));
        setBase(newBase);
      }
      const where = err.where || {};
      const text = where.enterpriseId ? t("editor.exchangeError", { name: names[where.enterpriseId] || where.enterpriseId, error: describe(err) }) : describe(err);
      if (!(fresh && err.code === "order_cycle_changed")) setProblem({ text, where, field: err.field });
    } finally {
      setBusy(false);
    }
  };

  const discard = () => {
    setDraft(base);
    setProblem(null);
    announce(t("editor.discarded"));
  };

  /** A supplier's products and fees, asked for once, when a panel showing them opens. */
  const need = (supplierId) => {
    if (asked.current.has(supplierId)) return;
    asked.current.add(supplierId);
    setParts((p) => ({ ...p, [supplierId]: { loading: true } }));
    api("GET", ["order-cycles", id, "editor"], undefined, { supplier_id: supplierId }).then(
      (part) => setParts((p) => ({ ...p, [supplierId]: part })),
      (error) => setParts((p) => ({ ...p, [supplierId]: { error } })));
  };
  const fees = [...new Map([...data.fees, ...Object.values(parts).flatMap((p) => p.fees || [])].map((f) => [f.id, f])).values()];
  const ctx = { data: { ...data, fees }, draft, setDraft, names, problem, parts, need };
  const roles = [
    ...(data.roles.coordinator ? [`${t("cycles.role.coordinator")} (${data.coordinator.name})`] : []),
    ...data.roles.supplier_ids.map((s) => `${t("cycles.role.supplier")} (${names[s]})`),
    ...data.roles.distributor_ids.map((d) => `${t("cycles.role.distributor")} (${names[d]})`),
  ];
  return html`<${Page} title=${t("editor.title", { name: data.order_cycle.name })} wide>
    <p><a href=${href("order-cycles")} data-testid="back-to-cycles">${t("editor.back")}</a></p>
    <p class="cycle__head"><${StatusBadge} status=${data.order_cycle.status} />
      <span data-testid="editor-roles">${t("editor.youAre", { roles: roles.join(", ") })}</span></p>
    <nav class="tabs" aria-label=${t("editor.steps")}>
      <ul>${STEPS.map((s) => html`<li key=${s}><a href=${href("order-cycles", id, s)} aria-current=${s === current ? "step" : undefined}
        data-testid=${`step-${s}`}>${t(`editor.step.${s}`)}</a></li>`)}</ul>
    </nav>
    ${conflict && html`<p class="conflict" role="alert" data-testid="conflict">${conflict}</p>`}
    ${current === "general" && html`<${General} ...${ctx} />`}
    ${current === "incoming" && html`<${Incoming} ...${ctx} />`}
    ${current === "outgoing" && html`<${Outgoing} ...${ctx} />`}
    ${current === "methods" && html`<${Methods} ...${ctx} />`}
    <div class="savebar" data-testid="savebar">
      <button type="button" class="button" onClick=${submit} disabled=${busy || pending === 0} data-testid="save-cycle">
        ${busy ? t("editor.saving") : t("editor.save")}</button>
      ${pending > 0 && html`<button type="button" class="button button--secondary" onClick=${discard} disabled=${busy}
        data-testid="discard-changes">${t("editor.discard")}</button>
        <span data-testid="unsaved">${t("editor.unsaved", { count: pending })}</span>`}
      ${problem && html`<p class="form-error" role="alert" tabindex="-1" data-testid="form-error">${problem.text}</p>`}
    </div>
  <//>`;
}

/** The parts someone else changed, by name, for the conflict message. */
function describeOthers(oldBase, newBase, names) {
  const parts = differences(oldBase, newBase).map(([section, key]) => (section === "settings"
    ? t(i18n.has(`editor.changed.${key}`) ? `editor.changed.${key}` : "editor.changed.settings")
    : t("editor.changed.exchange", { name: names[key] || key })));
  return t("editor.conflict", { what: [...new Set(parts)].join(", ") || t("editor.conflict.nothing") });
}

// --- Pieces shared by the steps

/** Changes one field of the draft: ["settings", key] or [direction, id, key]. */
const setter = (setDraft) => (path, value) => setDraft((d) => {
  if (path[0] === "settings") return { ...d, settings: { ...d.settings, [path[1]]: value } };
  const [direction, id, key] = path;
  return { ...d, [direction]: { ...d[direction], [id]: { ...d[direction][id], [key]: value } } };
});

/** A refusal of the API next to the field it names, if it is about this part of the cycle. */
function errorAt(problem, section, enterpriseId, field) {
  if (!problem || problem.where.section !== section || problem.field !== field) return undefined;
  if (enterpriseId && problem.where.enterpriseId !== enterpriseId) return undefined;
  return problem.text;
}

function ReadOnly({ rows, testid }) {
  return html`<dl class="readonly" data-testid=${testid}>${rows.filter(Boolean).map(([label, value]) => html`
    <dt>${label}</dt><dd>${value === "" || value == null ? t("editor.none") : value}</dd>`)}</dl>`;
}

/** Checkboxes of the fees this manager may apply (`owners`' fees); others' applied fees read-only. */
function FeeChoice({ data, chosen, owners, onChange, legend, testid }) {
  const choosable = data.fees.filter((f) => owners.includes(f.enterprise_id));
  const others = (chosen || []).filter((id) => !choosable.some((f) => f.id === id));
  const nameOf = (id) => (data.fees.find((f) => f.id === id) || { name: id }).name;
  const toggle = (feeId, on) => onChange(on ? [...chosen, feeId] : chosen.filter((f) => f !== feeId));
  return html`<fieldset class="checks" data-testid=${testid}>
    <legend>${legend}</legend>
    ${owners.length > 0 && choosable.length === 0 && html`<p class="note">${t("editor.noFees")}</p>`}
    ${choosable.map((f) => html`<${Checkbox} key=${f.id} name=${`fee-${f.id}`} label=${f.name} value=${chosen.includes(f.id)}
      onInput=${(e) => toggle(f.id, e.currentTarget.checked)} />`)}
    ${others.length > 0 && html`<p class="note" data-testid="other-fees">${t("editor.appliedFees", { names: others.map(nameOf).join(", ") })}</p>`}
  </fieldset>`;
}

const stockText = (v) => (v.on_demand ? t("editor.onDemand") : t("editor.onHand", { count: v.on_hand ?? 0 }));

/** A part of the page shown on demand (open at first in small cycles): what it shows about a
 * supplier is loaded when it opens. */
function Lazy({ title, supplierId, parts, need, defaultOpen, testid, children }) {
  const [open, setOpen] = useState(defaultOpen);
  useEffect(() => { if (open && supplierId) need(supplierId); }, [open, supplierId]);
  const part = supplierId ? parts[supplierId] : {};
  return html`<div class="lazy" data-testid=${testid}>
    <p class="actions"><strong>${title}</strong>
      <button type="button" class="button button--secondary button--small" aria-expanded=${open} onClick=${() => setOpen(!open)}
        data-testid="toggle-products">${open ? t("editor.hideProducts") : t("editor.showProducts")}</button></p>
    ${open && (!part || part.loading ? html`<${Loading} />` : part.error ? html`<${LoadFailed} error=${part.error} />` : children(part))}
  </div>`;
}

/** A supplier's products to tick: search, select all (of those shown), each with its stock;
 * out-of-stock ones listed and marked, hidden ones shown but not tickable. */
function ProductPicker({ name, variants, selected, onChange, testid }) {
  const [search, setSearch] = useState("");
  const words = search.trim().toLowerCase();
  const shown = words ? variants.filter((v) => `${v.product_name} ${v.name}`.toLowerCase().includes(words)) : variants;
  const chosen = new Set(selected);
  const tickable = shown.filter((v) => !v.hidden || chosen.has(v.id)).map((v) => v.id);
  const all = () => onChange([...selected, ...tickable.filter((v) => !chosen.has(v))]);
  const none = () => onChange(selected.filter((v) => !tickable.includes(v)));
  const toggle = (variantId, on) => onChange(on ? [...selected, variantId] : selected.filter((v) => v !== variantId));
  return html`<div class="picker" data-testid=${testid}>
    <p data-testid="selected-count">${t("editor.selected", { selected: selected.length, total: variants.length })}</p>
    <${Field} name="search" label=${t("editor.search", { name })} value=${search} type="search"
      onInput=${(e) => setSearch(e.currentTarget.value)} testid="product-search" />
    <div class="actions">
      <button type="button" class="button button--secondary button--small" onClick=${all} data-testid="select-all">${t("editor.selectAll")}</button>
      <button type="button" class="button button--secondary button--small" onClick=${none} data-testid="select-none">${t("editor.selectNone")}</button>
    </div>
    <ul class="product-list">${shown.map((v) => html`<li key=${v.id}>
      <label data-testid="product-choice">
        <input type="checkbox" checked=${chosen.has(v.id)} disabled=${v.hidden && !chosen.has(v.id)}
          onInput=${(e) => toggle(v.id, e.currentTarget.checked)} />
        <span>${v.product_name} – ${v.name}</span>
        <span class="product__stock">${i18n.formatMoney(v.price)} · ${stockText(v)}</span>
        ${!v.in_stock && html`<span class="badge badge--warn" data-testid="out-of-stock">${t("editor.outOfStock")}</span>`}
        ${v.hidden && html`<span class="badge">${t("editor.hidden")}</span>`}
      </label>
    </li>`)}</ul>
  </div>`;
}

function ProductNames({ variants, ids, testid }) {
  const byId = Object.fromEntries(variants.map((v) => [v.id, v]));
  if (!ids.length) return html`<p class="note" data-testid=${testid}>${t("editor.noProducts")}</p>`;
  return html`<ul class="links" data-testid=${testid}>${ids.map((v) => html`<li key=${v}>
    ${byId[v] ? `${byId[v].product_name} – ${byId[v].name}` : v}</li>`)}</ul>`;
}

// --- Step 1: general settings

function General({ data, draft, setDraft, problem }) {
  const cycle = data.order_cycle;
  const set = setter(setDraft);
  const s = draft.settings;
  const bind = (key) => ({ name: key, value: s[key] ?? "", error: errorAt(problem, "settings", null, key),
    onInput: (e) => set(["settings", key], e.currentTarget.type === "checkbox" ? e.currentTarget.checked : e.currentTarget.value) });
  return html`<section class="panel" data-testid="step-general-panel">
    <h2>${t("editor.step.general")}</h2>
    <p>${t("editor.coordinatorIs", { name: data.coordinator.name })}</p>
    ${data.roles.coordinator ? html`
      <div class="form">
        <${Field} ...${bind("name")} label=${t("cycles.name")} testid="cycle-name" />
        <div class="form__row">
          <${Field} ...${bind("opens_at")} type="datetime-local" label=${t("cycles.opensAt")}
            hint=${t("cycles.timeIn", { zone: data.timezone.replaceAll("_", " ") })} testid="cycle-opens" />
          <${Field} ...${bind("closes_at")} type="datetime-local" label=${t("cycles.closesAt")}
            hint=${t("cycles.timeIn", { zone: data.timezone.replaceAll("_", " ") })} testid="cycle-closes" />
        </div>
        <${FeeChoice} data=${data} chosen=${s.coordinator_fee_ids} owners=${[data.coordinator.id]} legend=${t("editor.coordinatorFees")}
          onChange=${(ids) => set(["settings", "coordinator_fee_ids"], ids)} testid="coordinator-fees" />
        <details class="advanced">
          <summary>${t("editor.advanced")}</summary>
          <${Checkbox} ...${bind("automatic_notifications")} value=${s.automatic_notifications} label=${t("editor.automatic")} testid="automatic-notifications" />
        </details>
      </div>` : html`
      <${ReadOnly} testid="general-readonly" rows=${[
        [t("cycles.name"), cycle.name],
        [t("cycles.opensAt"), cycle.opens_at ? i18n.formatDate(cycle.opens_at, data.timezone) : t("cycles.noDate")],
        [t("cycles.closesAt"), cycle.closes_at ? i18n.formatDate(cycle.closes_at, data.timezone) : t("cycles.noDate")],
      ]} />
      <p class="note">${t("editor.readOnly")}</p>`}
    ${"notifications" in cycle && html`<section data-testid="notifications">
      <h3>${t("editor.notifications")}</h3>
      <${Notifications} editor=${data} />
      ${data.roles.coordinator && html`<${NotifyProducers} cycle=${cycle} />`}
    </section>`}
  </section>`;
}

// --- Step 2: incoming

/** Why a candidate cannot be added, in the reader's language, from the API's reason codes (its
 * English sentence for a code this console does not know). */
function refusalText(candidate) {
  const reasons = candidate.refusal_reasons || [];
  if (!reasons.every((r) => i18n.has(`refusal.${r.code}`))) return candidate.refusal;
  const said = reasons.map((r) => t(`refusal.${r.code}`, { ...r, role: r.role && t(`cycles.role.${r.role}`) }));
  if (reasons[0].code.startsWith("coordinator_")) return said.join(" ");
  return `${candidate.name} ${new Intl.ListFormat(i18n.locale, { type: "conjunction" }).format(said)}`;
}

/** Coordinator only: add a supplier or a distributor among those listed, each refused one with its reason. */
function Candidates({ list, taken, onAdd, title, hint, empty, testid }) {
  const open = list.filter((e) => !taken.includes(e.id));
  return html`<section class="panel" data-testid=${testid}>
    <h3>${title}</h3>
    ${hint && html`<p class="note">${hint}</p>`}
    ${open.length === 0 ? html`<p class="note">${empty}</p>` : html`<ul class="candidates">${open.map((e) => html`
      <li key=${e.id} data-testid="candidate" data-enterprise-id=${e.id}>
        <span>${e.name}</span>
        <button type="button" class="button button--secondary button--small" disabled=${!!e.refusal}
          aria-describedby=${e.refusal ? `reason-${e.id}` : undefined} onClick=${() => onAdd(e)}
          data-testid="add-candidate">${t("editor.add", { name: e.name })}</button>
        ${e.refusal && html`<span class="candidate__reason" id=${`reason-${e.id}`} data-testid="candidate-reason">${t("editor.cannotAdd", { reason: refusalText(e) })}</span>`}
      </li>`)}</ul>`}
  </section>`;
}

function removeExchange(setDraft, direction, id) {
  setDraft((d) => {
    const rest = { ...d[direction] };
    delete rest[id];
    return { ...d, [direction]: rest };
  });
}

function Incoming({ data, draft, setDraft, problem, parts, need }) {
  const set = setter(setDraft);
  const inCycle = data.suppliers.filter((s) => s.id in draft.incoming);
  const add = (supplier) => setDraft((d) => ({ ...d, incoming: { ...d.incoming, [supplier.id]: { variant_ids: [], receival_instructions: "", fee_ids: [] } } }));
  return html`<section data-testid="step-incoming-panel">
    <h2>${t("editor.step.incoming")}</h2>
    ${inCycle.map((supplier) => {
      const exchange = draft.incoming[supplier.id];
      const may = (field) => supplier.rights.fields.includes(field);
      return html`<article class="exchange" key=${supplier.id} data-testid="incoming-exchange" data-enterprise-id=${supplier.id}>
        <h3>${supplier.name}</h3>
        <${Lazy} title=${t("editor.productsOf", { name: supplier.name })} supplierId=${supplier.id} parts=${parts} need=${need}
          defaultOpen=${inCycle.length <= 5} testid="incoming-products">${(part) => html`
          ${may("variant_ids")
            ? html`<${ProductPicker} name=${supplier.name} variants=${part.variants} selected=${exchange.variant_ids}
                onChange=${(ids) => set(["incoming", supplier.id, "variant_ids"], ids)} testid="incoming-picker" />`
            : html`<${ProductNames} variants=${part.variants} ids=${exchange.variant_ids} testid="incoming-products-readonly" />`}
          ${"fee_ids" in exchange && html`<${FeeChoice} data=${data} chosen=${exchange.fee_ids} owners=${supplier.rights.fee_owner_ids}
            legend=${t("editor.feesOf", { name: supplier.name })} onChange=${(ids) => set(["incoming", supplier.id, "fee_ids"], ids)} testid="incoming-fees" />`}`}
        <//>
        ${"receival_instructions" in exchange && (may("receival_instructions")
          ? html`<${Field} name="receival_instructions" type="textarea" label=${t("editor.receival")} hint=${t("editor.receivalHint")}
              value=${exchange.receival_instructions} error=${errorAt(problem, "incoming", supplier.id, "receival_instructions")}
              onInput=${(e) => set(["incoming", supplier.id, "receival_instructions"], e.currentTarget.value)} testid="receival-instructions" />`
          : html`<${ReadOnly} rows=${[[t("editor.receival"), exchange.receival_instructions]]} />`)}
        ${data.roles.coordinator && html`<button type="button" class="button button--danger button--small"
          onClick=${() => { removeExchange(setDraft, "incoming", supplier.id); announce(t("editor.removed", { name: supplier.name })); }}
          data-testid="remove-exchange">${t("editor.remove", { name: supplier.name })}</button>`}
      </article>`;
    })}
    ${data.roles.coordinator && html`<${Candidates} list=${data.suppliers} taken=${Object.keys(draft.incoming)} onAdd=${add}
      title=${t("editor.addSupplier")} hint=${t("editor.addSupplierHint")} empty=${t("editor.noCandidates")} testid="supplier-candidates" />`}
  </section>`;
}

// --- Step 3: outgoing

function Outgoing({ data, draft, setDraft, problem, parts, need }) {
  const set = setter(setDraft);
  const inCycle = data.distributors.filter((d) => d.id in draft.outgoing);
  const suppliers = data.suppliers.filter((s) => s.id in draft.incoming);
  const add = (distributor) => setDraft((d) => ({ ...d, outgoing: { ...d.outgoing, [distributor.id]: {
    variant_ids: [], ready_for: "", pickup_instructions: "", tags: [], fee_ids: [], ready_reminder_at: "", reminder_message: "" } } }));
  return html`<section data-testid="step-outgoing-panel">
    <h2>${t("editor.step.outgoing")}</h2>
    ${inCycle.map((distributor) => {
      const exchange = draft.outgoing[distributor.id];
      const may = (field) => distributor.rights.fields.includes(field);
      const text = (field, label, hint, type) => (field in exchange) && (may(field)
        ? html`<${Field} name=${field} type=${type} label=${label} hint=${hint} value=${exchange[field]}
            error=${errorAt(problem, "outgoing", distributor.id, field)}
            onInput=${(e) => set(["outgoing", distributor.id, field], e.currentTarget.value)} testid=${`outgoing-${field}`} />`
        : html`<${ReadOnly} rows=${[[label, exchange[field]]]} testid=${`outgoing-${field}-readonly`} />`);
      return html`<article class="exchange" key=${distributor.id} data-testid="outgoing-exchange" data-enterprise-id=${distributor.id}>
        <h3>${distributor.name}</h3>
        ${text("ready_for", t("editor.readyFor"), t("editor.readyForHint"), "text")}
        ${text("pickup_instructions", t("editor.pickup"), t("editor.pickupHint"), "textarea")}
        ${"ready_reminder_at" in exchange && may("ready_reminder_at") && html`<${Field} name="ready_reminder_at" type="datetime-local"
            label=${t("editor.readyReminderAt")} hint=${t("editor.readyReminderAtHint", { zone: data.timezone.replaceAll("_", " ") })}
            value=${exchange.ready_reminder_at} error=${errorAt(problem, "outgoing", distributor.id, "ready_reminder_at")}
            onInput=${(e) => set(["outgoing", distributor.id, "ready_reminder_at"], e.currentTarget.value)} testid="outgoing-ready_reminder_at" />`}
        ${text("reminder_message", t("editor.reminderMessage"), t("editor.reminderMessageHint"), "textarea")}
        ${"tags" in exchange && (may("tags")
          ? html`<${Field} name="tags" label=${t("editor.tags")} hint=${t("editor.tagsHint")} value=${exchange.tags.join(", ")}
              error=${errorAt(problem, "outgoing", distributor.id, "tags")}
              onInput=${(e) => set(["outgoing", distributor.id, "tags"], e.currentTarget.value.split(",").map((x) => x.trim()).filter(Boolean))}
              testid="outgoing-tags" />`
          : html`<${ReadOnly} rows=${[[t("editor.tags"), exchange.tags.join(", ")]]} />`)}
        <h4>${t("editor.outgoingProducts", { name: distributor.name })}</h4>
        ${suppliers.length === 0 && html`<p class="note">${t("editor.noIncoming")}</p>`}
        ${suppliers.map((supplier) => {
          const incoming = draft.incoming[supplier.id].variant_ids;
          const mine = exchange.variant_ids.filter((v) => incoming.includes(v));
          const others = exchange.variant_ids.filter((v) => !incoming.includes(v));
          const editable = distributor.rights.product_supplier_ids.includes(supplier.id);
          return html`<${Lazy} key=${supplier.id} title=${t("editor.fromSupplier", { name: supplier.name })} supplierId=${supplier.id}
              parts=${parts} need=${need} defaultOpen=${suppliers.length <= 5} testid=${editable ? "outgoing-products" : "outgoing-products-readonly"}>
            ${(part) => {
              const variants = part.variants.filter((v) => incoming.includes(v.id));
              return editable
                ? html`<${ProductPicker} name=${supplier.name} variants=${variants} selected=${mine}
                    onChange=${(ids) => set(["outgoing", distributor.id, "variant_ids"], [...others, ...ids])} testid="outgoing-picker" />`
                : html`<${ProductNames} variants=${variants} ids=${mine} />
                    ${may("variant_ids") && html`<p class="note">${t("editor.notGranted", { name: supplier.name })}</p>`}`;
            }}
          <//>`;
        })}
        ${"fee_ids" in exchange && html`<${FeeChoice} data=${data} chosen=${exchange.fee_ids} owners=${distributor.rights.fee_owner_ids}
          legend=${t("editor.feesOf", { name: distributor.name })} onChange=${(ids) => set(["outgoing", distributor.id, "fee_ids"], ids)} testid="outgoing-fees" />`}
        ${data.roles.coordinator && html`<button type="button" class="button button--danger button--small"
          onClick=${() => { removeExchange(setDraft, "outgoing", distributor.id); announce(t("editor.removed", { name: distributor.name })); }}
          data-testid="remove-exchange">${t("editor.remove", { name: distributor.name })}</button>`}
      </article>`;
    })}
    ${data.roles.coordinator && html`<${Candidates} list=${data.distributors} taken=${Object.keys(draft.outgoing)} onAdd=${add}
      title=${t("editor.addDistributor")} empty=${t("editor.noCandidates")} testid="distributor-candidates" />`}
  </section>`;
}

// --- Step 4: shipping and payment methods

function MethodChoice({ distributor, exchange, kind, set }) {
  const field = `${kind}_method_ids`;
  const methods = distributor[`${kind}_methods`];
  const chosen = exchange[field];
  const path = ["outgoing", distributor.id, field];
  const allId = `all-${kind}-${distributor.id}`;
  return html`<fieldset class="checks" data-testid=${`${kind}-choice`}>
    <legend>${t(kind === "shipping" ? "editor.shippingMethods" : "editor.paymentMethods")}</legend>
    <${Checkbox} name=${allId} label=${t("editor.allMethods", { name: distributor.name })} value=${chosen == null}
      onInput=${(e) => set(path, e.currentTarget.checked ? null : methods.map((m) => m.id))} testid=${`all-${kind}`} />
    ${chosen != null && methods.map((m) => html`<${Checkbox} key=${m.id} name=${`${kind}-${m.id}`}
      label=${m.pickup ? `${m.name} (${t("editor.pickupMethod")})` : m.name} value=${chosen.includes(m.id)}
      onInput=${(e) => set(path, e.currentTarget.checked ? [...chosen, m.id] : chosen.filter((x) => x !== m.id))} />`)}
  </fieldset>`;
}

function Methods({ data, draft, setDraft, problem }) {
  const set = setter(setDraft);
  const shown = data.distributors.filter((d) => d.id in draft.outgoing && "shipping_method_ids" in draft.outgoing[d.id]);
  return html`<section data-testid="step-methods-panel">
    <h2>${t("editor.step.methods")}</h2>
    <p class="lead">${t("editor.methodsIntro")}</p>
    ${shown.length === 0 && html`<p class="note">${t("editor.noDistributors")}</p>`}
    ${shown.map((distributor) => {
      const exchange = draft.outgoing[distributor.id];
      const editable = distributor.rights.fields.includes("shipping_method_ids");
      const names = (kind) => {
        const ids = exchange[`${kind}_method_ids`];
        const all = distributor[`${kind}_methods`];
        return (ids == null ? all : all.filter((m) => ids.includes(m.id))).map((m) => m.name).join(", ");
      };
      const error = errorAt(problem, "outgoing", distributor.id, "shipping_method_ids") || errorAt(problem, "outgoing", distributor.id, "payment_method_ids");
      return html`<article class="exchange" key=${distributor.id} data-testid="methods-exchange" data-enterprise-id=${distributor.id}>
        <h3>${distributor.name}</h3>
        ${editable ? html`<div class="columns">
            <${MethodChoice} distributor=${distributor} exchange=${exchange} kind="shipping" set=${set} />
            <${MethodChoice} distributor=${distributor} exchange=${exchange} kind="payment" set=${set} />
          </div>${error && html`<p class="field__error">${error}</p>`}`
          : html`<${ReadOnly} rows=${[[t("editor.shippingMethods"), names("shipping")], [t("editor.paymentMethods"), names("payment")]]} />`}
      </article>`;
    })}
  </section>`;
}

