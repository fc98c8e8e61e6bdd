// The admin API client: the shared fetch client, with the signed-in manager's id token.
import { apiUrl, ApiError, request } from "../../web/shared/api.js";
import { idToken } from "./auth.js";
import { config } from "./config.js";

/** api("GET", ["enterprises", id, "products"]) -> the answer's JSON; an ApiError otherwise.
 * A 401 (the session is over) calls onSignedOut, set by the app. */
export const session = { onSignedOut: () => {} };

export async function api(method, segments, body, query) {
  const token = await idToken();
  if (!token) {
    session.onSignedOut();
    throw new ApiError("http", { status: 401, code: "unauthorized" });
  }
  const headers = { Authorization: `Bearer ${token}` };
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
