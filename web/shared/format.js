// Money, dates and units as people read them, written once for the storefront and the console.
// Money travels as decimal strings ("12.50"); it is added up in integer cents, never in floats.

/** "12.50" -> 1250 (integer cents), null if the string is not a money amount. */
export function toCents(value) {
  const match = /^\s*(-)?(\d+)(?:\.(\d{1,2}))?\s*$/.exec(value == null ? "" : String(value));
  if (!match) return null;
  const cents = Number(match[2]) * 100 + Number((match[3] || "").padEnd(2, "0"));
  return match[1] ? -cents : cents;
}

/** 1250 -> "12.50" (exact, no float arithmetic). */
export function centsToDecimal(cents) {
  const sign = cents < 0 ? "-" : "";
  const abs = Math.abs(cents);
  return `${sign}${Math.trunc(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
}

/** A delivery address as it is written on an envelope, a line each (empty lines left out). */
export function addressLines(address) {
  return [address.name, address.line1, address.line2, `${address.postcode} ${address.city}`, address.phone].filter(Boolean);
}

const INTL_UNITS = { g: "gram", kg: "kilogram", ml: "milliliter", l: "liter" };

/** Formatters for one language. `t` must know "unit.item" (a plural entry). */
export function createFormat({ locale, currency, t }) {
  const moneyFormat = (() => {
    const code = typeof currency === "string" && currency ? currency : "EUR";
    try {
      return new Intl.NumberFormat(locale, { style: "currency", currency: code });
    } catch {
      return new Intl.NumberFormat(locale, { style: "currency", currency: "EUR" });
    }
  })();
  const dateFormats = new Map();

  /** A money decimal string (or integer cents) in the page's language. */
  function formatMoney(value) {
    const cents = typeof value === "number" ? value : toCents(value);
    if (cents === null || !Number.isFinite(cents)) return value == null ? "" : String(value);
    // Intl.NumberFormat accepts decimal strings exactly in current browsers; older ones convert.
    return moneyFormat.format(centsToDecimal(cents));
  }

  /** A time as people of `timeZone` read it (the browser's zone when not given). */
  function formatDate(iso, timeZone) {
    if (!iso) return "";
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) return String(iso);
    const key = timeZone || "";
    if (!dateFormats.has(key)) {
      let format;
      try {
        format = new Intl.DateTimeFormat(locale, { dateStyle: "full", timeStyle: "short", ...(timeZone ? { timeZone } : {}) });
      } catch {
        format = new Intl.DateTimeFormat(locale, { dateStyle: "full", timeStyle: "short" });
      }
      dateFormats.set(key, format);
    }
    return dateFormats.get(key).format(date);
  }

  // Made once per unit: a shop page formats hundreds of sizes, and each new NumberFormat costs.
  const numberFormats = new Map();
  function numberFormat(unit) {
    if (!numberFormats.has(unit)) {
      let format = null;
      try {
        format = unit ? new Intl.NumberFormat(locale, { style: "unit", unit, unitDisplay: "short" }) : new Intl.NumberFormat(locale);
      } catch { /* an old browser without unit formatting: the caller writes the unit */ }
      numberFormats.set(unit, format);
    }
    return numberFormats.get(unit);
  }

  function formatUnit(unit, unitValue) {
    const amount = Number(unitValue);
    if (!unit || unitValue == null || unitValue === "" || !Number.isFinite(amount)) return "";
    if (unit === "item") return t("unit.item", { count: numberFormat("").format(amount) });
    const withUnit = INTL_UNITS[unit] && numberFormat(INTL_UNITS[unit]);
    return withUnit ? withUnit.format(amount) : `${numberFormat("").format(amount)} ${unit}`;
  }

  return { formatMoney, formatDate, formatUnit };
}
