// The console's language: the person's choice (the switch in the header, kept in localStorage),
// else the browser's. `t` and the formatters follow the current language.
import { createFormat } from "../../web/shared/format.js";
import { browserLanguages, createI18n } from "../../web/shared/i18n.js";
import { config } from "./config.js";
import { DICTIONARIES } from "./texts.js";

const CHOICE_KEY = "hubcycle.console.lang";

function stored() {
  try { return window.localStorage.getItem(CHOICE_KEY); } catch { return null; }
}

export const i18n = {};

function load(preferred) {
  const { lang, locale, t, has, supported } = createI18n(DICTIONARIES, preferred);
  Object.assign(i18n, { lang, locale, t, has, supported, ...createFormat({ locale, currency: config.currency, t }) });
  document.documentElement.lang = lang;
}

load([stored(), ...browserLanguages()].filter(Boolean));

export const t = (key, params) => i18n.t(key, params);

export function chooseLanguage(lang) {
  try { window.localStorage.setItem(CHOICE_KEY, lang); } catch { /* private mode: this page only */ }
  load([lang]);
}
