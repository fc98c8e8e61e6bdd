// A manager's enterprises: the list, a new one, and each enterprise's profile and managers.
import { useState } from "preact/hooks";
import { api } from "../api.js";
import { asList } from "../../../web/shared/api.js";
import { smallerCopies } from "../images.js";
import { i18n, t } from "../lang.js";
import { announce, Checkbox, Field, FormError, go, href, html, LoadFailed, Loading, Page, Select, Submit, useForm, useLoad } from "../ui.js";

export const KINDS = ["hub", "shop", "profile"];
const kindOptions = () => KINDS.map((k) => [k, t(`kind.${k}`)]);

function timezoneOptions(current) {
  let zones = [];
  try { zones = Intl.supportedValuesOf("timeZone"); } catch { /* old browser: the current zone only */ }
  return [...new Set(["UTC", current, ...zones].filter(Boolean))].map((z) => [z, z.replaceAll("_", " ")]);
}

const browserZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";

export function EnterpriseList() {
  const [list, error] = useLoad(() => api("GET", ["enterprises"]).then(asList), []);
  return html`<${Page} title=${t("enterprises.title")}>
    <p><a class="button" href=${href("enterprises", "new")} data-testid="new-enterprise">${t("enterprises.new")}</a></p>
    ${error ? html`<${LoadFailed} error=${error} />` : !list ? html`<${Loading} />` : list.length === 0
      ? html`<p class="empty" data-testid="no-enterprises">${t("enterprises.empty")}</p>`
      : html`<ul class="cards" data-testid="enterprise-list">
          ${list.map((e) => html`<li class="card" key=${e.id}>
            <a class="card__title" href=${href("enterprises", e.id)} data-testid="enterprise-link" data-enterprise-id=${e.id}>${e.name}</a>
            <span class="card__meta">${t(`kind.${e.kind}`)}${e.is_producer ? ` · ${t("enterprise.producer")}` : ""}</span>
          </li>`)}
        </ul>`}
  <//>`;
}

export function NewEnterprise() {
  const form = useForm({ name: "", kind: "hub", is_producer: false, email: "", timezone: browserZone() });
  const create = form.submit(async (values) => {
    const created = await api("POST", ["enterprises"], { ...values, language: i18n.lang === "fr" ? "fr" : "en" });
    announce(t("enterprise.created", { name: created.name }));
    go("enterprises", created.id);
  });
  return html`<${Page} title=${t("enterprises.new")}>
    <form class="panel form" onSubmit=${create} ref=${form.formRef} novalidate data-testid="enterprise-form">
      <${FormError} error=${form.errors._form} />
      <${Field} ...${form.bind("name")} label=${t("enterprise.name")} required testid="enterprise-name" />
      <${Select} ...${form.bind("kind")} label=${t("enterprise.kind")} options=${kindOptions()} hint=${t("enterprise.kindHelp")} testid="enterprise-kind" />
      <${Checkbox} ...${form.bind("is_producer")} label=${t("enterprise.isProducer")} testid="enterprise-producer" />
      <${Field} ...${form.bind("email")} type="email" label=${t("enterprise.email")} autocomplete="email" required testid="enterprise-email" />
      <${Select} ...${form.bind("timezone")} label=${t("enterprise.timezone")} options=${timezoneOptions(form.values.timezone)} testid="enterprise-timezone" />
      <${Submit} busy=${form.busy} testid="create-enterprise">${t("enterprises.create")}<//>
    </form>
  <//>`;
}

/** The sections of an enterprise's pages, as tabs (links: each has its own address). */
export function EnterpriseNav({ id, enterprise, current }) {
  const sections = [
    ["profile", t("nav.profile")],
    ["managers", t("nav.managers")],
    ["permissions", t("nav.permissions")],
    ["methods", t("nav.methods")],
    ["fees", t("nav.fees")],
    ...(enterprise && enterprise.is_producer ? [["products", t("nav.products")]] : []),
    ["customers", t("nav.customers")],
    ...(enterprise && enterprise.kind !== "profile" ? [["reminders", t("nav.reminders")]] : []),
  ];
  return html`<nav class="tabs" aria-label=${t("nav.sections")}>
    <ul>${sections.map(([key, label]) => html`<li key=${key}>
      <a href=${key === "profile" ? href("enterprises", id) : href("enterprises", id, key)}
        aria-current=${key === current ? "page" : undefined} data-testid=${`tab-${key}`}>${label}</a>
    </li>`)}</ul>
  </nav>`;
}

/** The enterprise of a section's page: [enterprise, error, reload]. */
export function useEnterprise(id) {
  return useLoad(() => api("GET", ["enterprises", id]), [id]);
}

/** A section of an enterprise's pages; `id` from the address, so the tabs work before it loads. */
export function EnterpriseFrame({ id, enterprise, section, title, children }) {
  return html`<${Page} title=${title} wide>
    <p class="crumbs"><a href=${href("")}>${t("enterprises.title")}</a> › ${enterprise ? enterprise.name : ""}</p>
    <${EnterpriseNav} id=${id} enterprise=${enterprise} current=${section} />
    ${children}
  <//>`;
}

const PROFILE_FIELDS = ["name", "kind", "is_producer", "email", "phone", "timezone", "description", "address", "logo_url",
  "cycle_sort", "hide_sold_out"];

const BOOLEANS = new Set(["is_producer", "hide_sold_out"]);

/** The fields that changed: an enterprise granted edit_profile may not send kind or is_producer. */
function changed(values, original) {
  return Object.fromEntries(PROFILE_FIELDS.filter((f) => values[f] !== (original[f] ?? "")).map((f) => [f, values[f]]));
}

/** Upload an image and its smaller copies (S3 presigned POSTs from the admin API): `image_url`,
 * the address the image will be served at, which names its copies (hubcycle.images), and the
 * `copies` made ({width, ...}). */
export async function uploadImage(enterpriseId, file) {
  const copies = await smallerCopies(file);
  const slot = await api("POST", ["enterprises", enterpriseId, "uploads"], { content_type: file.type, size: file.size,
    copies: copies.map((c) => ({ width: c.width, content_type: c.blob.type, size: c.blob.size })) });
  // Copies first: the original's address names them, so it is only handed out once they are stored.
  await Promise.all(slot.copies.map((form, i) => postToStorage(form, copies[i].blob)));
  await postToStorage(slot, file);
  return slot;
}

/** The image as the form will save it, and, just after an upload, the copies made for phones. */
export function UploadedImage({ url, alt, copies }) {
  return html`<div class="uploaded">
    <img class="logo" src=${url} alt=${alt} />
    ${copies.length > 0 && html`<p class="field__hint" data-testid="image-copies">${t("upload.copies", { widths: copies.map((c) => c.width).join(" / ") })}</p>`}
  </div>`;
}

async function postToStorage(form, file) {
  const body = new FormData();
  for (const [key, value] of Object.entries(form.fields || {})) body.append(key, value);
  body.append("file", file);
  const answer = await fetch(form.url, { method: "POST", body });
  if (!answer.ok) throw { kind: "http", status: answer.status, code: "upload_failed", field: "logo" };
}

function ProfileForm({ enterprise, onSaved }) {
  const initial = Object.fromEntries(PROFILE_FIELDS.map((f) => [f, enterprise[f] ?? (BOOLEANS.has(f) ? false : "")]));
  const form = useForm(initial);
  const [copies, setCopies] = useState([]);
  const save = form.submit(async (values) => {
    const changes = changed(values, enterprise);
    if (Object.keys(changes).length === 0) return announce(t("common.nothingChanged"));
    onSaved(await api("PATCH", ["enterprises", enterprise.id], changes));
    announce(t("common.saved"));
  });
  const pickLogo = form.submit(async () => {
    const input = form.formRef.current.querySelector('[name="logo"]');
    const file = input && input.files && input.files[0];
    if (!file) return;
    const uploaded = await uploadImage(enterprise.id, file);
    form.set("logo_url", uploaded.image_url);
    setCopies(uploaded.copies);
    announce(t("enterprise.logoUploaded"));
  });
  return html`<form class="panel form form--grid" onSubmit=${save} ref=${form.formRef} novalidate data-testid="profile-form">
    <${FormError} error=${form.errors._form} />
    <${Field} ...${form.bind("name")} label=${t("enterprise.name")} required testid="enterprise-name" />
    <${Select} ...${form.bind("kind")} label=${t("enterprise.kind")} options=${kindOptions()} testid="enterprise-kind" />
    <${Checkbox} ...${form.bind("is_producer")} label=${t("enterprise.isProducer")} testid="enterprise-producer" />
    <${Field} ...${form.bind("email")} type="email" label=${t("enterprise.email")} autocomplete="email" testid="enterprise-email" />
    <${Field} ...${form.bind("phone")} type="tel" label=${t("enterprise.phone")} autocomplete="tel" testid="enterprise-phone" />
    <${Select} ...${form.bind("timezone")} label=${t("enterprise.timezone")} options=${timezoneOptions(form.values.timezone)} testid="enterprise-timezone" />
    <${Field} ...${form.bind("description")} type="textarea" label=${t("enterprise.description")} testid="enterprise-description" />
    <${Field} ...${form.bind("address")} type="textarea" label=${t("enterprise.address")} testid="enterprise-address" />
    <div class="field">
      <${Field} name="logo" type="file" label=${t("enterprise.logo")} accept="image/jpeg,image/png,image/webp"
        error=${form.errors.logo || form.errors.content_type || form.errors.size} onChange=${pickLogo} testid="enterprise-logo" />
      ${form.values.logo_url && html`<${UploadedImage} url=${form.values.logo_url} alt=${t("enterprise.logoAlt", { name: form.values.name })} copies=${copies} />`}
    </div>
    ${form.values.kind !== "profile" && html`<fieldset class="checks" data-testid="shop-preferences">
      <legend>${t("enterprise.shopPreferences")}</legend>
      <${Select} ...${form.bind("cycle_sort")} label=${t("enterprise.cycleSort")} testid="enterprise-cycle-sort"
        options=${[["closes_at", t("enterprise.cycleSort.closes_at")], ["opens_at", t("enterprise.cycleSort.opens_at")]]} />
      <${Checkbox} ...${form.bind("hide_sold_out")} label=${t("enterprise.hideSoldOut")} testid="enterprise-hide-sold-out" />
    </fieldset>`}
    <div class="actions"><${Submit} busy=${form.busy} testid="save-profile">${t("common.save")}<//></div>
  </form>`;
}

export function EnterpriseProfile({ id }) {
  const [enterprise, error, reload] = useEnterprise(id);
  return html`<${EnterpriseFrame} id=${id} enterprise=${enterprise} section="profile" title=${enterprise ? enterprise.name : t("nav.profile")}>
    ${error ? html`<${LoadFailed} error=${error} />` : !enterprise ? html`<${Loading} />` : html`
      <${ProfileForm} key=${enterprise.id} enterprise=${enterprise} onSaved=${reload} />`}
  <//>`;
}

export function Managers({ id }) {
  const [enterprise, error, reload] = useEnterprise(id);
  const form = useForm({ email: "" });
  const add = form.submit(async ({ email }) => {
    const answer = await api("POST", ["enterprises", id, "managers"], { email: email.trim().toLowerCase() });
    form.setValues({ email: "" });
    announce(t(`managers.invitation.${answer.invitation || "existing_account"}`, { email }));
    reload();
  });
  const remove = (email) => form.submit(async () => {
    await api("DELETE", ["enterprises", id, "managers", email]);
    announce(t("managers.removed", { email }));
    reload();
  }, () => null); // its refusal is about the list, not the address being typed
  return html`<${EnterpriseFrame} id=${id} enterprise=${enterprise} section="managers" title=${t("nav.managers")}>
    ${error ? html`<${LoadFailed} error=${error} />` : !enterprise ? html`<${Loading} />` : html`
      <form class="panel form" onSubmit=${add} ref=${form.formRef} novalidate data-testid="managers-form">
        <${FormError} error=${form.errors._form} />
        <ul class="rows" data-testid="manager-list">
          ${[enterprise.owner_email, ...asList(enterprise.manager_emails)].filter(Boolean).map((email) => html`<li class="row" key=${email} data-testid="manager">
            <span class="row__main">${email}${email === enterprise.owner_email ? ` (${t("managers.owner")})` : ""}</span>
            <button type="button" class="button button--secondary button--small" onClick=${remove(email)}
              aria-label=${t("managers.removeLabel", { email })}>${t("common.remove")}</button>
          </li>`)}
        </ul>
        <h2>${t("managers.add")}</h2>
        <p class="field__hint">${t("managers.inviteHelp")}</p>
        <${Field} ...${form.bind("email")} type="email" label=${t("auth.email")} autocomplete="off" testid="manager-email" />
        <${Submit} busy=${form.busy} testid="add-manager">${t("managers.invite")}<//>
      </form>`}
  <//>`;
}
