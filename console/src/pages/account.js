// Signing up, confirming the address, signing in (and the new password an invited manager
// chooses), the forgotten password, and changing one's password.
import { useState } from "preact/hooks";
import * as auth from "../auth.js";
import { config } from "../config.js";
import { t } from "../lang.js";
import { announce, Field, FormError, goWithEmail, href, html, Page, Submit, useForm } from "../ui.js";

const emailFromQuery = () => new URLSearchParams(window.location.hash.split("?")[1] || "").get("email") || "";

function PasswordField({ form, name = "password", label, autocomplete = "current-password", testid = "password" }) {
  return html`<${Field} ...${form.bind(name)} type="password" label=${label || t("auth.password")}
    autocomplete=${autocomplete} required testid=${testid}
    hint=${autocomplete === "new-password" ? t("auth.passwordRules") : null} />`;
}

export function SignIn({ onSignedIn }) {
  const form = useForm({ email: emailFromQuery(), password: "", newPassword: "" });
  const [challenge, setChallenge] = useState(null);
  const signIn = form.submit(async ({ email, password }) => {
    const address = auth.normaliseEmail(email);
    try {
      const answer = await auth.signIn(address, password);
      if (answer.status === "newPasswordRequired") setChallenge(answer);
      else onSignedIn();
    } catch (err) {
      if (err.code === "UserNotConfirmedException") goWithEmail("confirm", address);
      else throw err;
    }
  });
  const choose = form.submit(async ({ newPassword }) => {
    await challenge.complete(newPassword);
    onSignedIn();
  }, (err) => (err.code === "InvalidPasswordException" ? "newPassword" : null));

  if (challenge) {
    return html`<${Page} title=${t("auth.newPasswordTitle")}>
      <p>${t("auth.newPasswordIntro")}</p>
      <form class="panel form" onSubmit=${choose} ref=${form.formRef} novalidate>
        <${FormError} error=${form.errors._form} />
        <${PasswordField} form=${form} name="newPassword" label=${t("auth.newPassword")} autocomplete="new-password" testid="new-password" />
        <${Submit} busy=${form.busy} testid="choose-password">${t("auth.choosePassword")}<//>
      </form>
    <//>`;
  }
  return html`<${Page} title=${t("auth.signInTitle")}>
    <p>${t("auth.signInIntro")}</p>
    <form class="panel form" onSubmit=${signIn} ref=${form.formRef} novalidate data-testid="sign-in-form">
      <${FormError} error=${form.errors._form} />
      <${Field} ...${form.bind("email")} type="email" label=${t("auth.email")} autocomplete="username" required testid="email" />
      <${PasswordField} form=${form} />
      <${Submit} busy=${form.busy} testid="sign-in">${t("auth.signIn")}<//>
    </form>
    <ul class="links">
      <li><a href=${href("sign-up")}>${t("auth.noAccount")}</a></li>
      <li><a href=${href("forgot")}>${t("auth.forgot")}</a></li>
    </ul>
  <//>`;
}

export function SignUp() {
  const form = useForm({ email: "", password: "" });
  const signUp = form.submit(async ({ email, password }) => {
    const address = auth.normaliseEmail(email);
    try {
      await auth.signUp(address, password);
    } catch (err) {
      // Cognito's answer when the pool takes no sign-ups (infra's ManagerSelfSignUp=false).
      throw err.code === "NotAuthorizedException" ? { code: "sign_up_closed" } : err;
    }
    goWithEmail("confirm", address);
  }, (err) => (err.code === "sign_up_closed" ? null : err.field));
  return html`<${Page} title=${t("auth.signUpTitle")}>
    <p>${t("auth.signUpIntro")}</p>
    <form class="panel form" onSubmit=${signUp} ref=${form.formRef} novalidate data-testid="sign-up-form">
      <${FormError} error=${form.errors._form} />
      <${Field} ...${form.bind("email")} type="email" label=${t("auth.email")} autocomplete="email" required testid="email" />
      <${PasswordField} form=${form} autocomplete="new-password" />
      <${Submit} busy=${form.busy} testid="sign-up">${t("auth.signUp")}<//>
    </form>
    <p><a href=${href("sign-in")}>${t("auth.haveAccount")}</a></p>
  <//>`;
}

/** Where the code came from: on AWS an email from Cognito; locally, no email at all. */
const codeHint = () => (config.local ? t("auth.codeHintLocal") : t("auth.codeHint"));

export function Confirm() {
  const form = useForm({ email: emailFromQuery(), code: "" });
  const confirm = form.submit(async ({ email, code }) => {
    const address = auth.normaliseEmail(email);
    await auth.confirmSignUp(address, code.trim());
    announce(t("auth.confirmed"));
    goWithEmail("sign-in", address);
  });
  const resend = form.submit(async ({ email }) => {
    await auth.resendCode(auth.normaliseEmail(email));
    announce(t("auth.codeSent"));
  });
  return html`<${Page} title=${t("auth.confirmTitle")}>
    <p>${t("auth.confirmIntro")}</p>
    <form class="panel form" onSubmit=${confirm} ref=${form.formRef} novalidate data-testid="confirm-form">
      <${FormError} error=${form.errors._form} />
      <${Field} ...${form.bind("email")} type="email" label=${t("auth.email")} autocomplete="username" required testid="email" />
      <${Field} ...${form.bind("code")} label=${t("auth.code")} hint=${codeHint()} autocomplete="one-time-code" inputmode="numeric" required testid="code" />
      <div class="actions">
        <${Submit} busy=${form.busy} testid="confirm">${t("auth.confirm")}<//>
        <button type="button" class="button button--secondary" onClick=${resend} disabled=${form.busy}>${t("auth.resend")}</button>
      </div>
    </form>
  <//>`;
}

export function Forgot() {
  const form = useForm({ email: emailFromQuery(), code: "", password: "" });
  const [sent, setSent] = useState(false);
  const send = form.submit(async ({ email }) => {
    await auth.forgotPassword(auth.normaliseEmail(email));
    setSent(true);
  });
  const reset = form.submit(async ({ email, code, password }) => {
    const address = auth.normaliseEmail(email);
    await auth.confirmNewPassword(address, code.trim(), password);
    announce(t("auth.passwordReset"));
    goWithEmail("sign-in", address);
  });
  return html`<${Page} title=${t("auth.forgotTitle")}>
    <p>${sent ? t("auth.forgotSent") : t("auth.forgotIntro")}</p>
    <form class="panel form" onSubmit=${sent ? reset : send} ref=${form.formRef} novalidate data-testid="forgot-form">
      <${FormError} error=${form.errors._form} />
      <${Field} ...${form.bind("email")} type="email" label=${t("auth.email")} autocomplete="username" required testid="email" />
      ${sent && html`
        <${Field} ...${form.bind("code")} label=${t("auth.code")} hint=${codeHint()} autocomplete="one-time-code" inputmode="numeric" required testid="code" />
        <${PasswordField} form=${form} label=${t("auth.newPassword")} autocomplete="new-password" />`}
      <${Submit} busy=${form.busy} testid="forgot-submit">${sent ? t("auth.setPassword") : t("auth.sendCode")}<//>
    </form>
    <p><a href=${href("sign-in")}>${t("auth.backToSignIn")}</a></p>
  <//>`;
}

export function ChangePassword({ email }) {
  const form = useForm({ oldPassword: "", password: "" });
  const change = form.submit(async ({ oldPassword, password }) => {
    await auth.changePassword(oldPassword, password);
    form.setValues({ oldPassword: "", password: "" });
    announce(t("auth.passwordChanged"));
  }, (err) => (err.code === "NotAuthorizedException" ? "oldPassword" : null));
  return html`<${Page} title=${t("auth.accountTitle")}>
    <p>${t("auth.signedInAs", { email })}</p>
    <form class="panel form" onSubmit=${change} ref=${form.formRef} novalidate data-testid="change-password-form">
      <h2>${t("auth.changePassword")}</h2>
      <${FormError} error=${form.errors._form} />
      <${PasswordField} form=${form} name="oldPassword" label=${t("auth.currentPassword")} testid="old-password" />
      <${PasswordField} form=${form} label=${t("auth.newPassword")} autocomplete="new-password" testid="password" />
      <${Submit} busy=${form.busy} testid="change-password">${t("auth.changePassword")}<//>
    </form>
  <//>`;
}
