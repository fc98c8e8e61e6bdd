// The translation mechanism shared by the storefront and the console; each app has its own
// dictionaries ({lang: {key: text}}). The language comes from the browser (navigator.languages)
// unless the person chose one: the first supported language wins, the first dictionary otherwise.
// Placeholders are written {name}; a plural entry is an object keyed by Intl.PluralRules
// categories ("one", "other", ...) and takes its count from {count}.

function canonical(tag) {
  try {
    return Intl.getCanonicalLocales(tag)[0] || null;
  } catch {
    return null;
  }
}

/** First supported language among the preferences: {lang: "fr", locale: "fr-CA"}. */
export function pickLanguage(preferred, supported) {
  for (const raw of preferred || []) {
    const tag = canonical(String(raw || ""));
    if (!tag) continue;
    const base = tag.split("-")[0].toLowerCase();
    if (supported.includes(base)) return { lang: base, locale: tag };
  }
  return { lang: supported[0], locale: supported[0] };
}

/** The browser's preferred languages, most preferred first. */
export function browserLanguages() {
  return navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language];
}

export function createI18n(dictionaries, preferred) {
  const supported = Object.keys(dictionaries);
  const { lang, locale } = pickLanguage(preferred, supported);
  const dict = dictionaries[lang];
  const fallback = dictionaries[supported[0]];
  const plurals = new Intl.PluralRules(locale);

  function t(key, params = {}) {
    let entry = key in dict ? dict[key] : fallback[key];
    if (entry === undefined) return key;
    if (typeof entry === "object") {
      entry = entry[plurals.select(Number(params.count) || 0)] ?? entry.other;
    }
    return entry.replace(/\{(\w+)\}/g, (match, name) =>
      Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : match);
  }

  /** Whether a key has a text in this language (or the fallback): for optional messages. */
  const has = (key) => key in dict || key in fallback;

  return { lang, locale, t, has, supported };
}
