// Permissions an enterprise grants to others (add_to_order_cycle, manage_products, edit_profile)
// and the ones others granted it; and its customers with their tags.
import { useState } from "preact/hooks";
import { asList } from "../../../web/shared/api.js";
import { api } from "../api.js";
import { t } from "../lang.js";
import { announce, Checkbox, describe, Field, FormError, href, html, LoadFailed, Loading, Submit, useForm, useLoad } from "../ui.js";
import { EnterpriseFrame, useEnterprise } from "./enterprises.js";

export const ABILITIES = ["add_to_order_cycle", "manage_products", "edit_profile"];

function loadPermissions(id) {
  return Promise.all([
    api("GET", ["enterprises", id, "permissions"]),
    api("GET", ["enterprises", id, "granted-to-me"]).then(asList),
    api("GET", ["enterprises"]).then(asList),
  ]).then(([permissions, grantedToMe, mine]) => ({ permissions, grantedToMe, mine }));
}

/** Grant abilities to an enterprise found by the beginning of its name (GET /enterprises/search). */
function GrantForm({ id, onSaved }) {
  const noAbilities = Object.fromEntries(ABILITIES.map((a) => [a, false]));
  const form = useForm({ name: "", grantee: "", ...noAbilities });
  const [found, setFound] = useState(null);
  const search = form.submit(async ({ name }) => {
    const list = asList(await api("GET", ["enterprises", "search"], undefined, { name: name.trim() }));
    setFound(list.filter((e) => e.id !== id));
    form.set("grantee", "");
  });
  const grant = form.submit(async (values) => {
    if (!values.grantee) throw { field: "grantee", code: "grantee_required" };
    await api("PUT", ["enterprises", id, "permissions", values.grantee], { abilities: ABILITIES.filter((a) => values[a]) });
    announce(t("permissions.saved"));
    form.setValues({ name: "", grantee: "", ...noAbilities });
    setFound(null);
    onSaved();
  }, (err) => (err.field === "abilities" ? ABILITIES[0] : err.status === 404 || err.field === "grantee_id" ? "grantee" : err.field));
  return html`<form class="panel form" onSubmit=${grant} ref=${form.formRef} novalidate data-testid="grant-form">
    <h2>${t("permissions.grantTitle")}</h2>
    <${FormError} error=${form.errors._form} />
    <div class="search">
      <${Field} ...${form.bind("name")} type="search" label=${t("permissions.searchName")} hint=${t("permissions.searchHint")}
        autocomplete="off" testid="grantee-search" onKeyDown=${(e) => { if (e.key === "Enter") search(e); }} />
      <button type="button" class="button button--secondary" onClick=${search} disabled=${form.busy} data-testid="search">${t("permissions.search")}</button>
    </div>
    ${found && html`<fieldset class="checks" data-testid="search-results">
      <legend>${t("permissions.grantee")}</legend>
      ${found.length === 0 && html`<p class="note">${t("permissions.noneFound")}</p>`}
      ${found.map((e) => html`<div class="field field--check" key=${e.id}>
        <input type="radio" id=${`grantee-${e.id}`} name="grantee" value=${e.id} checked=${form.values.grantee === e.id}
          onInput=${() => form.set("grantee", e.id)} aria-invalid=${form.errors.grantee ? "true" : undefined} />
        <label for=${`grantee-${e.id}`}>${e.name} <span class="note">(${t(`kind.${e.kind}`)}${e.is_producer ? `, ${t("enterprise.producer")}` : ""})</span></label>
      </div>`)}
      ${form.errors.grantee && html`<p class="field__error" data-testid="field-error">${form.errors.grantee}</p>`}
    </fieldset>`}
    <fieldset class="checks">
      <legend>${t("permissions.abilities")}</legend>
      ${ABILITIES.map((a) => html`<${Checkbox} key=${a} ...${form.bind(a)} label=${t(`ability.${a}`)} testid=${`ability-${a}`} />`)}
    </fieldset>
    <${Submit} busy=${form.busy} testid="grant">${t("permissions.grant")}<//>
  </form>`;
}

export function Permissions({ id }) {
  const [enterprise] = useEnterprise(id);
  const [data, error, reload] = useLoad(() => loadPermissions(id), [id]);
  const names = new Map();
  if (data) {
    for (const e of data.mine) names.set(e.id, e.name);
    for (const g of data.grantedToMe) names.set(g.enterprise_id, g.name);
    for (const p of asList(data.permissions.granted)) if (p.grantee_name) names.set(p.grantee_id, p.grantee_name);
  }
  const nameOf = (eid) => names.get(eid) || eid;
  const withdraw = (granteeId) => async () => {
    try {
      await api("DELETE", ["enterprises", id, "permissions", granteeId]);
      announce(t("permissions.withdrawn", { name: nameOf(granteeId) }));
      reload();
    } catch (err) {
      announce(describe(err));
    }
  };
  return html`<${EnterpriseFrame} id=${id} enterprise=${enterprise} section="permissions" title=${t("nav.permissions")}>
    ${error ? html`<${LoadFailed} error=${error} />` : !data ? html`<${Loading} />` : html`
      <div class="columns">
        <div>
          <section class="panel">
            <h2>${t("permissions.grantedTitle")}</h2>
            ${asList(data.permissions.granted).filter((p) => asList(p.abilities).length).length === 0
              ? html`<p class="note">${t("permissions.noneGranted")}</p>`
              : html`<ul class="rows" data-testid="granted-list">
                ${asList(data.permissions.granted).filter((p) => asList(p.abilities).length).map((p) => html`<li class="row" key=${p.grantee_id} data-testid="granted">
                  <span class="row__main"><strong>${nameOf(p.grantee_id)}</strong><br />
                    <span class="note">${p.abilities.map((a) => t(`ability.${a}`)).join(", ")}</span></span>
                  <button type="button" class="button button--secondary button--small" onClick=${withdraw(p.grantee_id)}
                    aria-label=${t("permissions.withdrawLabel", { name: nameOf(p.grantee_id) })}>${t("permissions.withdraw")}</button>
                </li>`)}
              </ul>`}
          </section>
          <${GrantForm} id=${id} onSaved=${reload} />
        </div>
        <section class="panel">
          <h2>${t("permissions.receivedTitle")}</h2>
          ${data.grantedToMe.length === 0 ? html`<p class="note">${t("permissions.noneReceived")}</p>` : html`
            <ul class="rows" data-testid="granted-to-me">
              ${data.grantedToMe.map((g) => html`<li class="row" key=${g.enterprise_id} data-testid="granted-to-me-row">
                <span class="row__main"><strong>${g.name}</strong><br />
                  <span class="note">${asList(g.abilities).map((a) => t(`ability.${a}`)).join(", ")}</span></span>
                ${asList(g.abilities).includes("manage_products") && html`<a class="button button--secondary button--small"
                  href=${href("enterprises", g.enterprise_id, "products")} data-testid="manage-their-products">${t("permissions.theirProducts")}</a>`}
              </li>`)}
            </ul>`}
        </section>
      </div>`}
  <//>`;
}

const splitTags = (text) => [...new Set(String(text).split(",").map((s) => s.trim()).filter(Boolean))];

function CustomerRow({ id, customer, onSaved }) {
  const form = useForm({ tags: asList(customer.tags).join(", ") });
  const save = form.submit(async ({ tags }) => {
    await api("PUT", ["enterprises", id, "customers", customer.email, "tags"], { tags: splitTags(tags) });
    announce(t("common.saved"));
    onSaved();
  });
  return html`<li class="row row--form" data-testid="customer">
    <form class="inline-form" onSubmit=${save} ref=${form.formRef} novalidate>
      <span class="row__main"><strong>${customer.name}</strong> <span class="note">${customer.email}</span></span>
      <${FormError} error=${form.errors._form} />
      <${Field} ...${form.bind("tags")} label=${t("customers.tagsOf", { name: customer.name || customer.email })} testid="customer-tags" />
      <${Submit} busy=${form.busy}>${t("common.save")}<//>
    </form>
  </li>`;
}

export function Customers({ id }) {
  const [enterprise] = useEnterprise(id);
  const [list, error, reload] = useLoad(() => api("GET", ["enterprises", id, "customers"]).then(asList), [id]);
  const form = useForm({ name: "", email: "", tags: "" });
  const add = form.submit(async ({ name, email, tags }) => {
    await api("POST", ["enterprises", id, "customers"], { name, email: email.trim().toLowerCase(), tags: splitTags(tags) });
    form.setValues({ name: "", email: "", tags: "" });
    announce(t("customers.added", { name }));
    reload();
  });
  return html`<${EnterpriseFrame} id=${id} enterprise=${enterprise} section="customers" title=${t("nav.customers")}>
    ${error ? html`<${LoadFailed} error=${error} />` : !list ? html`<${Loading} />` : html`
      <div class="columns">
        <section class="panel">
          <h2>${t("customers.listTitle")}</h2>
          ${list.length === 0 ? html`<p class="note">${t("customers.empty")}</p>` : html`
            <ul class="rows" data-testid="customer-list">${list.map((c) => html`<${CustomerRow} key=${c.email} id=${id} customer=${c} onSaved=${reload} />`)}</ul>`}
        </section>
        <form class="panel form" onSubmit=${add} ref=${form.formRef} novalidate data-testid="customer-form">
          <h2>${t("customers.add")}</h2>
          <${FormError} error=${form.errors._form} />
          <${Field} ...${form.bind("name")} label=${t("customers.name")} autocomplete="off" testid="customer-name" />
          <${Field} ...${form.bind("email")} type="email" label=${t("auth.email")} autocomplete="off" testid="customer-email" />
          <${Field} ...${form.bind("tags")} label=${t("customers.tags")} hint=${t("customers.tagsHint")} testid="new-customer-tags" />
          <${Submit} busy=${form.busy} testid="add-customer">${t("customers.add")}<//>
        </form>
      </div>`}
  <//>`;
}
