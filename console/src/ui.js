// The console's building blocks: labelled fields whose errors sit next to them, forms that show
// every refusal of the API (or of Cognito) beside the field it names, pages that move focus to
// their heading, and the hash router.
import { html } from "htm/preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { i18n, t } from "./lang.js";

export { html };

let ids = 0;
const useId = (prefix) => useRef(`${prefix}-${++ids}`).current;

const readRoute = () => window.location.hash.replace(/^#\/?/, "").split("?")[0].split("/").filter(Boolean).map(decodeURIComponent);

/** Set by a page holding unsaved changes: whether moving to a route loses them. */
let losesChanges = null;

/** A page with unsaved changes asks before the person leaves it: the router asks for a move in
 * the console (`stays(route)`: the routes that are still this page), the browser for a reload or a
 * closed tab. */
export function useUnsavedChanges(unsaved, stays) {
  useEffect(() => {
    if (!unsaved) return undefined;
    losesChanges = (route) => !stays(route);
    const warn = (e) => { e.preventDefault(); e.returnValue = ""; };
    window.addEventListener("beforeunload", warn);
    return () => { losesChanges = null; window.removeEventListener("beforeunload", warn); };
  }, [unsaved]);
}

/** The current route, from the hash: "#/enterprises/abc/products" -> ["enterprises", "abc", "products"];
 * and the question to show while a move would lose unsaved changes (null otherwise). Every move
 * (a link, `go`, the back button) changes the hash, so it is asked here once for all. */
export function useRoute() {
  const [route, setRoute] = useState(readRoute);
  const [asked, setAsked] = useState(null); // the address asked for, while the person decides
  const here = useRef(window.location.hash);
  useEffect(() => {
    const onChange = () => {
      const target = window.location.hash;
      if (target === here.current) return;
      if (losesChanges && losesChanges(readRoute())) {
        history.replaceState(history.state, "", here.current || "#/"); // still here until they decide
        setAsked(target);
        return;
      }
      here.current = target;
      setRoute(readRoute());
    };
    window.addEventListener("hashchange", onChange);
    return () => window.removeEventListener("hashchange", onChange);
  }, []);
  const answer = (leave) => {
    setAsked(null);
    if (!leave) return;
    losesChanges = null;
    window.location.hash = asked;
  };
  return [route, asked && html`<${LeaveQuestion} onAnswer=${answer} />`];
}

/** Leave or stay, in a modal dialog: focus inside, Escape stays, focus back where it was. */
function LeaveQuestion({ onAnswer }) {
  const dialog = useRef(null);
  useEffect(() => { dialog.current.showModal(); }, []);
  const answer = (leave) => { dialog.current.close(); onAnswer(leave); };
  return html`<dialog class="dialog" ref=${dialog} aria-labelledby="leave-title" aria-describedby="leave-text"
      onCancel=${(e) => { e.preventDefault(); answer(false); }} data-testid="leave-dialog">
    <h2 id="leave-title">${t("leave.title")}</h2>
    <p id="leave-text">${t("leave.text")}</p>
    <div class="actions">
      <button type="button" class="button" onClick=${() => answer(false)} data-testid="leave-stay">${t("leave.stay")}</button>
      <button type="button" class="button button--danger" onClick=${() => answer(true)} data-testid="leave-go">${t("leave.go")}</button>
    </div>
  </dialog>`;
}

export const go = (...segments) => { window.location.hash = `#/${segments.map(encodeURIComponent).join("/")}`; };
export const href = (...segments) => `#/${segments.map(encodeURIComponent).join("/")}`;

/** A refusal in the person's language: a text for its code if we have one, else for its kind. */
export function describe(err) {
  if (!err) return "";
  if (err.kind === "network") return t("error.network");
  if (err.code && i18n.has(`error.${err.code}`)) return t(`error.${err.code}`);
  if (err.status >= 500) return t("error.server", { status: err.status });
  // The API's own sentence is English: precise, so shown to English readers; others get theirs.
  // (It starts with the field's path, e.g. "variants.0.price: ...": the page shows where already.)
  if (i18n.lang === "en" && err.message) return err.field ? err.message.replace(`${err.field}: `, "") : err.message;
  if (err.status && i18n.has(`error.status.${err.status}`)) return t(`error.status.${err.status}`);
  return t("error.generic");
}

/** Cognito's exceptions name no field: the field each one is about. */
const COGNITO_FIELDS = {
  UsernameExistsException: "email",
  UserNotFoundException: "email",
  InvalidPasswordException: "password",
  NotAuthorizedException: "password",
  CodeMismatchException: "code",
  ExpiredCodeException: "code",
};

/** Form state: values, errors by field ("_form" for the form as a whole), a submit that catches. */
export function useForm(initial) {
  const [values, setValues] = useState(initial);
  const [errors, setErrors] = useState({});
  const [busy, setBusy] = useState(false);
  const formRef = useRef(null);

  const set = (name, value) => setValues((v) => ({ ...v, [name]: value }));
  const bind = (name) => ({
    name,
    value: values[name] ?? "",
    error: errors[name],
    onInput: (e) => set(name, e.currentTarget.type === "checkbox" ? e.currentTarget.checked : e.currentTarget.value),
  });

  /** Run `action(values)`; a refusal lands next to its field, and focus goes to the first error. */
  const submit = (action, fieldOf = (err) => err.field) => async (event) => {
    if (event) event.preventDefault();
    setBusy(true);
    setErrors({});
    announce(""); // the last confirmation is about something else
    try {
      await action(values);
    } catch (err) {
      const field = fieldOf(err) || COGNITO_FIELDS[err && err.code];
      const known = field && formRef.current && formRef.current.querySelector(`[name="${CSS.escape(field)}"]`);
      setErrors({ [known ? field : "_form"]: describe(err) });
      setTimeout(() => {
        const target = formRef.current && formRef.current.querySelector('[aria-invalid="true"], .form-error');
        if (target) target.focus();
      }, 0);
    } finally {
      setBusy(false);
    }
  };
  return { values, set, setValues, errors, setErrors, busy, bind, submit, formRef };
}

/** A control with its label, its hint and its error, tied together for screen readers. */
function Labelled({ name, label, hint, error, control }) {
  const id = useId(name);
  const hintId = hint ? `${id}-hint` : null;
  const errorId = error ? `${id}-error` : null;
  const described = [hintId, errorId].filter(Boolean).join(" ") || undefined;
  return html`<div class="field">
    <label class="field__label" for=${id}>${label}</label>
    ${hint && html`<p class="field__hint" id=${hintId}>${hint}</p>`}
    ${control({ id, "aria-invalid": error ? "true" : undefined, "aria-describedby": described })}
    ${error && html`<p class="field__error" id=${errorId} data-testid="field-error">${error}</p>`}
  </div>`;
}

export function Field({ label, name, value, error, onInput, type = "text", hint, testid, ...rest }) {
  const control = (tied) => (type === "textarea"
    ? html`<textarea class="input" ...${tied} name=${name} value=${value} onInput=${onInput} rows="4" data-testid=${testid} ...${rest}></textarea>`
    : html`<input class="input" ...${tied} name=${name} type=${type} value=${value} onInput=${onInput} data-testid=${testid} ...${rest} />`);
  return html`<${Labelled} name=${name} label=${label} hint=${hint} error=${error} control=${control} />`;
}

export function Select({ label, name, value, error, onInput, options, hint, testid }) {
  const control = (tied) => html`<select class="select" ...${tied} name=${name} value=${value} onInput=${onInput} data-testid=${testid}>
    ${options.map(([v, text]) => html`<option value=${v} selected=${v === value}>${text}</option>`)}
  </select>`;
  return html`<${Labelled} name=${name} label=${label} hint=${hint} error=${error} control=${control} />`;
}

export function Checkbox({ label, name, value, error, onInput, testid }) {
  const id = useId(name);
  const errorId = error ? `${id}-error` : null;
  return html`<div class="field field--check">
    <input type="checkbox" id=${id} name=${name} checked=${!!value} onInput=${onInput} data-testid=${testid}
      aria-invalid=${error ? "true" : undefined} aria-describedby=${errorId || undefined} />
    <label for=${id}>${label}</label>
    ${error && html`<p class="field__error" id=${errorId} data-testid="field-error">${error}</p>`}
  </div>`;
}

export function FormError({ error }) {
  return error ? html`<p class="form-error" role="alert" tabindex="-1" data-testid="form-error">${error}</p>` : null;
}

export function Submit({ busy, children, testid }) {
  return html`<button class="button" type="submit" disabled=${busy} data-testid=${testid}>${children}</button>`;
}

/** A page: its title in the tab and its heading focused when it opens (for screen readers). */
export function Page({ title, children, wide }) {
  const heading = useRef(null);
  useEffect(() => {
    document.title = `${title} · ${t("app.name")}`;
    if (heading.current && document.activeElement === document.body) heading.current.focus({ preventScroll: true });
  }, [title]);
  return html`<section class=${wide ? "page page--wide" : "page"}>
    <h1 tabindex="-1" ref=${heading}>${title}</h1>
    ${children}
  </section>`;
}

export function Loading() {
  return html`<p class="loading" role="status">${t("loading")}</p>`;
}

/** Load something once (and again on `reload()`): [data, error, reload]. */
export function useLoad(loader, deps) {
  const [state, setState] = useState({ data: null, error: null });
  const [round, setRound] = useState(0);
  useEffect(() => {
    let live = true;
    setState({ data: null, error: null });
    loader().then((data) => live && setState({ data, error: null }), (error) => live && setState({ data: null, error }));
    return () => { live = false; };
  }, [...deps, round]);
  return [state.data, state.error, () => setRound((r) => r + 1)];
}

export function LoadFailed({ error }) {
  return html`<p class="failure" role="alert">${describe(error)}</p>`;
}

let announced = 0;

/** A short confirmation announced to screen readers, in the one live region of the shell; it
 * goes away after a while, so that it never seems to be about a later page. */
export function announce(text) {
  const region = document.getElementById("announce");
  if (!region) return;
  const round = ++announced;
  region.textContent = "";
  setTimeout(() => { if (round === announced) region.textContent = text; }, 30);
  setTimeout(() => { if (round === announced) region.textContent = ""; }, 8000);
}

/** Open a signed-out page with the address already filled in. */
export const goWithEmail = (page, email) => { window.location.hash = `#/${page}?email=${encodeURIComponent(email)}`; };
