// Runtime settings of the console. This file is REWRITTEN at deploy time (infra/storefront.py)
// and by the local server: keep it a plain script that only assigns window.HUBCYCLE_CONSOLE_CONFIG.
//   adminApiUrl:      base URL of the admin API, without trailing slash.
//   userPoolId:       the managers' Cognito user pool; userPoolClientId: its app client.
//   cognitoEndpoint:  the user pool API's URL; empty on AWS (the region's Cognito endpoint).
//   local:            true only on the local system (moto sends no email: the screens say so).
//   currency:         ISO 4217 code used to display money (default "EUR").
window.HUBCYCLE_CONSOLE_CONFIG = {
  adminApiUrl: "http://127.0.0.1:8002",
  userPoolId: "",
  userPoolClientId: "",
  cognitoEndpoint: "",
  local: false,
  currency: "EUR",
};
