// The fetch-based client of the hubcycle APIs, shared by the storefront and the console: one
// error shape ({error: {code, message, field}}) turned into one ApiError.

const REQUEST_TIMEOUT_MS = 20000;

export class ApiError extends Error {
  /** kind: "network" (no answer), "http" (an answer with an error status). */
  constructor(kind, { status = 0, code = null, message = "", field = null } = {}) {
    super(message || code || kind);
    this.kind = kind;
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

/** The API base URL from a config value, without trailing slash ("" = the page's own origin). */
export function apiBase(configured) {
  return typeof configured === "string" ? configured.trim().replace(/\/+$/, "") : "";
}

/** base + "/" + each segment, escaped. */
export function apiUrl(base, ...segments) {
  return `${base}/${segments.map((s) => encodeURIComponent(s)).join("/")}`;
}

/** The parsed JSON answer (null when empty); an ApiError for no answer or an error status. */
export async function request(url, options = {}) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS);
  let response;
  try {
    response = await fetch(url, {
      ...options,
      headers: { Accept: "application/json", ...(options.headers || {}) },
      signal: controller.signal,
    });
  } catch (err) {
    throw new ApiError("network", { message: err && err.message });
  } finally {
    clearTimeout(timer);
  }
  let body = null;
  try {
    const text = await response.text();
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!response.ok) {
    const error = body && typeof body === "object" && body.error && typeof body.error === "object" ? body.error : {};
    throw new ApiError("http", {
      status: response.status,
      code: typeof error.code === "string" ? error.code : null,
      message: typeof error.message === "string" ? error.message : "",
      field: error.field == null ? null : String(error.field),
    });
  }
  return body;
}

/** Lists are JSON arrays per the contract; also accept a wrapped {items|shops|products: [...]}. */
export function asList(body, ...keys) {
  if (Array.isArray(body)) return body;
  for (const key of ["items", "data", ...keys]) {
    if (body && Array.isArray(body[key])) return body[key];
  }
  return [];
}
