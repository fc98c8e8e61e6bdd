// Runtime settings of the storefront. This file is REWRITTEN at deploy time (and by the local
// server): keep it a plain script that only assigns window.HUBCYCLE_CONFIG.
//   shopApiUrl: base URL of the public shop API, without trailing slash (may include a path
//               prefix such as an API Gateway stage). Empty or missing: same origin as the page.
//   currency:   ISO 4217 code used to display money (default "EUR").
window.HUBCYCLE_CONFIG = {
  shopApiUrl: "http://127.0.0.1:8001",
  currency: "EUR",
};
