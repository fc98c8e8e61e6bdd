// The console's runtime settings, from config.js (window.HUBCYCLE_CONSOLE_CONFIG).
import { apiBase } from "../../web/shared/api.js";

const raw = (typeof window.HUBCYCLE_CONSOLE_CONFIG === "object" && window.HUBCYCLE_CONSOLE_CONFIG) || {};

export const config = {
  adminApiUrl: apiBase(raw.adminApiUrl),
  userPoolId: String(raw.userPoolId || ""),
  userPoolClientId: String(raw.userPoolClientId || ""),
  cognitoEndpoint: raw.cognitoEndpoint ? String(raw.cognitoEndpoint) : undefined,
  local: raw.local === true,
  currency: typeof raw.currency === "string" && raw.currency ? raw.currency : "EUR",
};
