// The managers' console: the shell (header, navigation, language switch, session) and the router.
// Preact + htm: components without a JSX build, one small bundle made by esbuild (console/build.mjs).
import "../../web/shared/base.css";
import "./console.css";
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { session as apiSession } from "./api.js";
import * as auth from "./auth.js";
import { chooseLanguage, i18n, t } from "./lang.js";
import { ChangePassword, Confirm, Forgot, SignIn, SignUp } from "./pages/account.js";
import { EnterpriseList, EnterpriseProfile, Managers, NewEnterprise } from "./pages/enterprises.js";
import { Fees, Methods } from "./pages/methods.js";
import { Customers, Permissions } from "./pages/permissions.js";
import { CycleEditor } from "./pages/cycle_editor.js";
import { OrderCycles } from "./pages/order_cycles.js";
import { ProductPage, Products } from "./pages/products.js";
import { ordersPage } from "./pages/orders.js";
import { Reminders } from "./pages/reminders.js";
import { go, href, html, Loading, useRoute } from "./ui.js";

const SIGNED_OUT_PAGES = { "sign-in": SignIn, "sign-up": SignUp, confirm: Confirm, forgot: Forgot };

function signedInPage(route, email) {
  const [first, id, section, sub] = route;
  if (first === "account") return html`<${ChangePassword} email=${email} />`;
  const orders = ordersPage(route);
  if (orders) return orders;
  if (first === "order-cycles") return id ? html`<${CycleEditor} key=${id} id=${id} step=${section} />` : html`<${OrderCycles} />`;
  if (first !== "enterprises" || !id) return html`<${EnterpriseList} />`;
  if (id === "new") return html`<${NewEnterprise} />`;
  const pages = { managers: Managers, permissions: Permissions, methods: Methods, fees: Fees, customers: Customers, reminders: Reminders };
  if (section === "products") return sub ? html`<${ProductPage} id=${id} productId=${sub === "new" ? null : sub} />` : html`<${Products} id=${id} />`;
  const Section = pages[section] || EnterpriseProfile;
  return html`<${Section} id=${id} />`;
}

function LanguageSwitch({ onChange }) {
  const other = i18n.supported.find((l) => l !== i18n.lang);
  return html`<button type="button" class="lang-switch" lang=${other} onClick=${() => { chooseLanguage(other); onChange(); }}
    data-testid="language-switch">${t(`language.${other}`)}</button>`;
}

function App() {
  const [route, leaveQuestion] = useRoute();
  const [email, setEmail] = useState(undefined); // undefined: not known yet; null: signed out
  const [, setLanguageRound] = useState(0);
  const refresh = () => auth.currentEmail().then(setEmail);
  useEffect(() => {
    apiSession.onSignedOut = () => setEmail(null);
    refresh();
  }, []);

  const signOut = () => { auth.signOut(); setEmail(null); go("sign-in"); };
  const [first] = route;
  let content;
  if (email === undefined) content = html`<${Loading} />`;
  else if (email === null) {
    const Page = SIGNED_OUT_PAGES[first] || SignIn;
    content = html`<${Page} key=${first} onSignedIn=${() => refresh().then(() => go(""))} />`;
  } else content = signedInPage(route, email);

  return html`
    <a class="skip-link" href="#main" onClick=${(e) => { e.preventDefault(); document.getElementById("main").focus(); }}>${t("nav.skip")}</a>
    <header class="site-header">
      <div class="site-header__inner console-header">
        <a class="brand" href=${href("")}><span class="brand__name">hubcycle</span><span class="brand__tagline">${t("app.tagline")}</span></a>
        <nav class="console-nav" aria-label=${t("nav.main")}>
          <ul>
            ${email && html`<li><a href=${href("")} data-testid="nav-enterprises">${t("enterprises.title")}</a></li>
              <li><a href=${href("order-cycles")} data-testid="nav-cycles">${t("nav.cycles")}</a></li>
              <li><a href=${href("orders")} data-testid="nav-orders">${t("orders.title")}</a></li>
              <li><a href=${href("account")} data-testid="nav-account">${t("nav.account")}</a></li>
              <li><button type="button" class="linkish" onClick=${signOut} data-testid="sign-out">${t("auth.signOut")}</button></li>`}
            <li><${LanguageSwitch} onChange=${() => setLanguageRound((n) => n + 1)} /></li>
          </ul>
        </nav>
      </div>
    </header>
    <p id="announce" class="announce" role="status" aria-live="polite" data-testid="announce"></p>
    <main id="main" class="main" tabindex="-1" data-signed-in=${email ? "true" : "false"}>
      ${email && html`<p class="whoami" data-testid="whoami">${t("auth.signedInAs", { email })}</p>`}
      ${content}
    </main>
    ${leaveQuestion}`;
}

render(html`<${App} />`, document.getElementById("app"));
