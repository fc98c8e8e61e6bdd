// A producer's products: OFN's bulk edit (stock, on-demand and prices edited in place, saved
// together) and the product form (description, category, unit, variants; hide; delete). Managers
// of an enterprise granted manage_products by the producer use the same pages.
import { useState } from "preact/hooks";
import { asList } from "../../../web/shared/api.js";
import { api } from "../api.js";
import { i18n, t } from "../lang.js";
import { announce, Checkbox, describe, Field, FormError, go, href, html, LoadFailed, Loading, Page, Select, Submit, useForm, useLoad } from "../ui.js";
import { EnterpriseNav, UploadedImage, uploadImage } from "./enterprises.js";

const UNITS = ["kg", "g", "l", "ml", "item"];
const amount = (v) => String(v ?? "").trim().replace(",", ".");

/** A variant's stock as the API takes it: counted (on_hand) or on demand. */
function stockBody(v) {
  return v.on_demand ? { on_demand: true } : { on_hand: v.on_hand === "" ? null : Number(v.on_hand) };
}

/** The producer's pages: its tabs when the user manages it; a plain heading for a grantee. */
function ProducerFrame({ id, title, children }) {
  const [enterprise] = useLoad(() => api("GET", ["enterprises", id]).catch(() => null), [id]);
  return html`<${Page} title=${title} wide>
    <p class="crumbs"><a href=${href("")}>${t("enterprises.title")}</a> › ${enterprise ? enterprise.name : ""}</p>
    ${enterprise && html`<${EnterpriseNav} id=${id} enterprise=${enterprise} current="products" />`}
    ${children}
  <//>`;
}

const rowValues = (products) => Object.fromEntries(products.flatMap((p) => asList(p.variants).map((v) => [v.id, {
  price: String(v.price ?? ""), on_hand: v.on_hand == null ? "" : String(v.on_hand), on_demand: !!v.on_demand,
}])));

function BulkTable({ products, onSaved }) {
  const original = rowValues(products);
  const [rows, setRows] = useState(original);
  const [errors, setErrors] = useState({});
  const [busy, setBusy] = useState(false);
  const edit = (vid, field) => (e) => {
    const value = e.currentTarget.type === "checkbox" ? e.currentTarget.checked : e.currentTarget.value;
    setRows((r) => ({ ...r, [vid]: { ...r[vid], [field]: value } }));
  };
  const dirty = Object.keys(rows).filter((vid) => JSON.stringify(rows[vid]) !== JSON.stringify(original[vid]));

  async function saveAll(event) {
    event.preventDefault();
    setBusy(true);
    const found = {};
    let saved = 0;
    // One request per changed variant; each refusal stays beside its own field, the others save.
    await Promise.all(dirty.map(async (vid) => {
      const now = rows[vid];
      const was = original[vid];
      const body = {};
      if (now.price !== was.price) body.price = amount(now.price);
      if (now.on_demand !== was.on_demand || now.on_hand !== was.on_hand) Object.assign(body, stockBody(now));
      try {
        await api("PATCH", ["variants", vid], body);
        saved += 1;
      } catch (err) {
        found[`${vid}.${err.field && err.field in now ? err.field : "price" in body ? "price" : "on_hand"}`] = describe(err);
      }
    }));
    setErrors(found);
    setBusy(false);
    announce(Object.keys(found).length ? t("products.bulkSomeFailed", { count: Object.keys(found).length }) : t("products.bulkSaved", { count: saved }));
    if (!Object.keys(found).length) onSaved();
  }

  const cell = (vid, field, short, label) => {
    const error = errors[`${vid}.${field}`];
    const errorId = error ? `err-${vid}-${field}` : undefined;
    return html`<td data-label=${short}>
      <input class="input input--cell" id=${`${vid}-${field}`} name=${`${vid}.${field}`} value=${rows[vid][field]}
        onInput=${edit(vid, field)} inputmode=${field === "price" ? "decimal" : "numeric"} disabled=${field === "on_hand" && rows[vid].on_demand}
        aria-label=${label} aria-invalid=${error ? "true" : undefined} aria-describedby=${errorId} data-testid=${`bulk-${field}`} />
      ${error && html`<span class="field__error" id=${errorId} data-testid="field-error">${error}</span>`}
    </td>`;
  };

  return html`<form onSubmit=${saveAll} data-testid="bulk-form">
    <div class="table-wrap">
      <table class="bulk">
        <caption class="visually-hidden">${t("products.bulkCaption")}</caption>
        <thead><tr>
          <th scope="col">${t("products.product")}</th><th scope="col">${t("products.variant")}</th>
          <th scope="col">${t("products.price")}</th><th scope="col">${t("products.onHand")}</th><th scope="col">${t("products.onDemand")}</th>
        </tr></thead>
        <tbody>
          ${products.flatMap((p) => asList(p.variants).map((v) => html`<tr key=${v.id} data-testid="bulk-row" data-variant-id=${v.id}
              class=${dirty.includes(v.id) ? "is-dirty" : ""}>
            <th scope="row" data-label=${t("products.product")}>
              <a href=${href("enterprises", p.supplier_id, "products", p.id)}>${p.name}</a>
              ${p.hidden && html` <span class="badge">${t("products.hidden")}</span>`}
            </th>
            <td data-label=${t("products.variant")}>${v.name} <span class="note">${i18n.formatUnit(p.unit, v.unit_value)}</span></td>
            ${cell(v.id, "price", t("products.price"), t("products.priceOf", { name: `${p.name} ${v.name}` }))}
            ${cell(v.id, "on_hand", t("products.onHand"), t("products.onHandOf", { name: `${p.name} ${v.name}` }))}
            <td data-label=${t("products.onDemand")}>
              <input type="checkbox" id=${`${v.id}-on_demand`} checked=${rows[v.id].on_demand} onInput=${edit(v.id, "on_demand")}
                aria-label=${t("products.onDemandOf", { name: `${p.name} ${v.name}` })} data-testid="bulk-on_demand" />
            </td>
          </tr>`))}
        </tbody>
      </table>
    </div>
    <div class=${dirty.length ? "actions actions--sticky" : "actions"}>
      <button class="button" type="submit" disabled=${busy || dirty.length === 0} data-testid="bulk-save">
        ${dirty.length ? t("products.bulkSave", { count: dirty.length }) : t("products.bulkNoChange")}</button>
    </div>
  </form>`;
}

export function Products({ id }) {
  const [list, error, reload] = useLoad(() => api("GET", ["enterprises", id, "products"]).then(asList), [id]);
  const products = list ? list.map((p) => ({ ...p, supplier_id: p.supplier_id || id })) : null;
  return html`<${ProducerFrame} id=${id} title=${t("nav.products")}>
    <p><a class="button" href=${href("enterprises", id, "products", "new")} data-testid="new-product">${t("products.new")}</a></p>
    ${error ? html`<${LoadFailed} error=${error} />` : !products ? html`<${Loading} />` : products.length === 0
      ? html`<p class="empty" data-testid="no-products">${t("products.empty")}</p>`
      : html`<${BulkTable} key=${JSON.stringify(products)} products=${products} onSaved=${reload} />`}
  <//>`;
}

const blankVariant = () => ({ id: null, name: "", unit_value: "1", price: "", on_hand: "0", on_demand: false });
const variantValues = (v) => ({ id: v.id, name: v.name, unit_value: String(v.unit_value ?? ""), price: String(v.price ?? ""),
  on_hand: v.on_hand == null ? "" : String(v.on_hand), on_demand: !!v.on_demand });
const variantBody = (v) => ({ name: v.name, unit_value: amount(v.unit_value), price: amount(v.price), ...stockBody(v) });

function ProductForm({ enterpriseId, product }) {
  const form = useForm({
    name: product ? product.name : "", description: product ? product.description || "" : "",
    category: product ? product.category || "" : "", unit: product ? product.unit : "kg", hidden: product ? !!product.hidden : false,
    image_url: product ? product.image_url || "" : "",
    variants: product ? asList(product.variants).map(variantValues) : [blankVariant()],
  });
  const [removed, setRemoved] = useState([]);
  const [copies, setCopies] = useState([]);
  const setVariant = (index, field) => (e) => {
    const value = e.currentTarget.type === "checkbox" ? e.currentTarget.checked : e.currentTarget.value;
    form.set("variants", form.values.variants.map((v, i) => (i === index ? { ...v, [field]: value } : v)));
  };
  const addVariant = () => form.set("variants", [...form.values.variants, blankVariant()]);
  const removeVariant = (index) => () => {
    const v = form.values.variants[index];
    if (v.id) setRemoved([...removed, v.id]);
    form.set("variants", form.values.variants.filter((_, i) => i !== index));
  };

  const save = form.submit(async (values) => {
    const fields = { name: values.name, description: values.description, category: values.category, unit: values.unit,
      image_url: values.image_url };
    if (!product) {
      const filled = Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== ""));
      await api("POST", ["enterprises", enterpriseId, "products"], { ...filled, variants: values.variants.map(variantBody) });
    } else {
      await api("PATCH", ["products", product.id], { ...fields, hidden: values.hidden });
      for (const [index, v] of values.variants.entries()) {
        const before = asList(product.variants).find((old) => old.id === v.id);
        try {
          if (!v.id) await api("POST", ["products", product.id, "variants"], variantBody(v));
          else if (JSON.stringify(variantValues(before)) !== JSON.stringify(v)) await api("PATCH", ["variants", v.id], variantBody(v));
        } catch (err) {
          throw Object.assign(err, { field: `variants.${index}.${err.field || "name"}` });
        }
      }
      for (const vid of removed) await api("DELETE", ["variants", vid]);
    }
    announce(t("common.saved"));
    go("enterprises", enterpriseId, "products");
  });
  const remove = form.submit(async () => {
    await api("DELETE", ["products", product.id]);
    announce(t("common.deleted", { name: product.name }));
    go("enterprises", enterpriseId, "products");
  });
  const pickImage = form.submit(async () => {
    const input = form.formRef.current.querySelector('[name="image"]');
    const file = input && input.files && input.files[0];
    if (!file) return;
    const uploaded = await uploadImage(enterpriseId, file);
    form.set("image_url", uploaded.image_url);
    setCopies(uploaded.copies);
  });
  const variantError = (index, field) => form.errors[`variants.${index}.${field}`];
  return html`<form class="panel form" onSubmit=${save} ref=${form.formRef} novalidate data-testid="product-form">
    <${FormError} error=${form.errors._form} />
    <div class="form__row">
      <${Field} ...${form.bind("name")} label=${t("products.name")} testid="product-name" />
      <${Field} ...${form.bind("category")} label=${t("products.category")} testid="product-category" />
    </div>
    <${Field} ...${form.bind("description")} type="textarea" label=${t("products.description")} testid="product-description" />
    <${Field} name="image" type="file" label=${t("products.image")} accept="image/jpeg,image/png,image/webp"
      error=${form.errors.image || form.errors.image_url || form.errors.content_type || form.errors.size} onChange=${pickImage} testid="product-image" />
    ${form.values.image_url && html`<${UploadedImage} url=${form.values.image_url} alt=${t("products.imageAlt", { name: form.values.name })} copies=${copies} />`}
    <${Select} ...${form.bind("unit")} label=${t("products.unit")} options=${UNITS.map((u) => [u, t(`unitName.${u}`)])} testid="product-unit" />
    ${product && html`<${Checkbox} ...${form.bind("hidden")} label=${t("products.hide")} testid="product-hidden" />`}
    <fieldset class="variants">
      <legend>${t("products.variants")}</legend>
      ${form.values.variants.map((v, index) => html`<div class="variant" key=${v.id || `new-${index}`} data-testid="variant">
        <div class="form__row">
          <${Field} name=${`variants.${index}.name`} value=${v.name} onInput=${setVariant(index, "name")} error=${variantError(index, "name")}
            label=${t("products.variantName", { n: index + 1 })} testid="variant-name" />
          <${Field} name=${`variants.${index}.unit_value`} value=${v.unit_value} onInput=${setVariant(index, "unit_value")} error=${variantError(index, "unit_value")}
            label=${t("products.unitValue", { unit: t(`unitName.${form.values.unit}`) })} inputmode="decimal" testid="variant-unit-value" />
          <${Field} name=${`variants.${index}.price`} value=${v.price} onInput=${setVariant(index, "price")} error=${variantError(index, "price")}
            label=${t("products.price")} inputmode="decimal" testid="variant-price" />
          <${Field} name=${`variants.${index}.on_hand`} value=${v.on_hand} onInput=${setVariant(index, "on_hand")} error=${variantError(index, "on_hand")}
            label=${t("products.onHand")} inputmode="numeric" disabled=${v.on_demand} testid="variant-on-hand" />
        </div>
        <div class="actions">
          <${Checkbox} name=${`variants.${index}.on_demand`} value=${v.on_demand} onInput=${setVariant(index, "on_demand")}
            label=${t("products.onDemand")} testid="variant-on-demand" />
          ${form.values.variants.length > 1 && html`<button type="button" class="button button--secondary button--small" onClick=${removeVariant(index)}
            aria-label=${t("products.removeVariant", { n: index + 1 })}>${t("common.remove")}</button>`}
        </div>
      </div>`)}
      <button type="button" class="button button--secondary" onClick=${addVariant} data-testid="add-variant">${t("products.addVariant")}</button>
    </fieldset>
    <div class="actions">
      <${Submit} busy=${form.busy} testid="save-product">${product ? t("common.save") : t("products.create")}<//>
      ${product && html`<button type="button" class="button button--danger" onClick=${remove} disabled=${form.busy} data-testid="delete-product">${t("products.delete")}</button>`}
    </div>
  </form>`;
}

export function ProductPage({ id, productId }) {
  const [product, error] = useLoad(() => (productId ? api("GET", ["products", productId]) : Promise.resolve(null)), [productId]);
  const title = productId ? (product ? product.name : t("products.edit")) : t("products.new");
  return html`<${ProducerFrame} id=${id} title=${title}>
    <p><a href=${href("enterprises", id, "products")} data-testid="products-back">${t("products.back")}</a></p>
    ${error ? html`<${LoadFailed} error=${error} />` : productId && !product ? html`<${Loading} />`
      : html`<${ProductForm} key=${productId || "new"} enterpriseId=${id} product=${product} />`}
  <//>`;
}
