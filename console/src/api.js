// The admin API client: the shared fetch client, with the signed-in manager's id token.
import { apiUrl, ApiError, request } from "../../web/shared/api.js";
import { idToken } from "./auth.js";
import { config } from "./config.js";

/** api("GET", ["enterprises", id, "products"]) -> the answer's JSON; an ApiError otherwise.
 * A 401 (the session is over) calls onSignedOut, set by the app. */
export const session = { onSignedOut: () => {} };

export async function api(method, segments, body, query, extraHeaders = {}) {
  const token = await idToken();
  if (!token) {
    session.onSignedOut();
    throw new ApiError("http", { status: 401, code: "unauthorized" });
  }
  const headers = { ...extraHeaders, Authorization: `Bearer ${token}` };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  try {
    const search = query ? `?${new URLSearchParams(query)}` : "";
    return await request(apiUrl(config.adminApiUrl, ...segments) + search, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    if (err.status === 401) session.onSignedOut();
    throw err;
  }
}

/** A file the API answers (a report's CSV), as a Blob with the answer's type; the token is a
 * header, so a plain link could not fetch it. An answer too big for Lambda is a JSON object
 * {download_url, expires_at, bytes}: that object is returned instead, for the page to offer. */
export async function apiFile(segments, query) {
  const token = await idToken();
  if (!token) {
    session.onSignedOut();
    throw new ApiError("http", { status: 401, code: "unauthorized" });
  }
  const url = apiUrl(config.adminApiUrl, ...segments) + (query ? `?${new URLSearchParams(query)}` : "");
  let response;
  try {
    response = await fetch(url, { headers: { Authorization: `Bearer ${token}` } });
  } catch (err) {
    throw new ApiError("network", { message: err && err.message });
  }
  const type = response.headers.get("Content-Type") || "";
  if (!response.ok || type.startsWith("application/json")) {
    const body = await response.json().catch(() => null);
    if (response.ok && body && body.download_url) return body;
    const error = (body && body.error) || {};
    if (response.status === 401) session.onSignedOut();
    throw new ApiError("http", { status: response.status, code: error.code || null, message: error.message || "", field: error.field || null });
  }
  return new Blob([await response.arrayBuffer()], { type });
}
