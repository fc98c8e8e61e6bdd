// Signing in with the managers' Cognito user pool through amazon-cognito-identity-js, the same
// code against Cognito on AWS and against the local system's pool (config.cognitoEndpoint).
// The library keeps the tokens (never the password) in localStorage, so a session survives a
// reload; getSession() renews the id token with the refresh token when it has expired.
// USER_PASSWORD_AUTH, not SRP: moto's SRP accepts any password, so only this flow lets the local
// system prove what Cognito will refuse (docs/console.md); on AWS it travels over TLS.
import {
  AuthenticationDetails,
  CognitoUser,
  CognitoUserAttribute,
  CognitoUserPool,
} from "amazon-cognito-identity-js";
import { config } from "./config.js";

let pool = null;
function userPool() {
  if (!pool) {
    pool = new CognitoUserPool({
      UserPoolId: config.userPoolId,
      ClientId: config.userPoolClientId,
      endpoint: config.cognitoEndpoint,
    });
  }
  return pool;
}

const userFor = (email) => new CognitoUser({ Username: email, Pool: userPool() });

/** A Cognito error as {code, message}: code is Cognito's exception name. */
function failure(err) {
  return { code: (err && (err.code || err.name)) || "UnknownError", message: (err && err.message) || "" };
}

const call = (fn) => new Promise((resolve, reject) => fn((err, result) => (err ? reject(failure(err)) : resolve(result))));

export const normaliseEmail = (email) => String(email || "").trim().toLowerCase();

export function signUp(email, password) {
  const attributes = [new CognitoUserAttribute({ Name: "email", Value: email })];
  return call((done) => userPool().signUp(email, password, attributes, [], done));
}

export const confirmSignUp = (email, code) => call((done) => userFor(email).confirmRegistration(code, true, done));
export const resendCode = (email) => call((done) => userFor(email).resendConfirmationCode(done));

/** Resolves {status: "signedIn"} or {status: "newPasswordRequired", complete(newPassword)}. */
export function signIn(email, password) {
  const user = userFor(email);
  user.setAuthenticationFlowType("USER_PASSWORD_AUTH");
  return new Promise((resolve, reject) => {
    const callbacks = {
      onSuccess: () => resolve({ status: "signedIn" }),
      onFailure: (err) => reject(failure(err)),
      newPasswordRequired: () => resolve({
        status: "newPasswordRequired",
        complete: (newPassword) => new Promise((done, refuse) => {
          user.completeNewPasswordChallenge(newPassword, {}, {
            onSuccess: () => done({ status: "signedIn" }),
            onFailure: (err) => refuse(failure(err)),
          });
        }),
      }),
    };
    user.authenticateUser(new AuthenticationDetails({ Username: email, Password: password }), callbacks);
  });
}

/** The signed-in user's valid session (renewed if its id token expired), or null. */
export function currentSession() {
  const user = userPool().getCurrentUser();
  if (!user) return Promise.resolve(null);
  return new Promise((resolve) => {
    user.getSession((err, session) => resolve(err || !session || !session.isValid() ? null : { user, session }));
  });
}

/** The email of the signed-in user, from the id token. */
export async function currentEmail() {
  const current = await currentSession();
  return current ? current.session.getIdToken().decodePayload().email || current.user.getUsername() : null;
}

/** A valid id token for the admin API, or null when the session is over. */
export async function idToken() {
  const current = await currentSession();
  return current ? current.session.getIdToken().getJwtToken() : null;
}

export function signOut() {
  const user = userPool().getCurrentUser();
  if (user) user.signOut();
}

export function forgotPassword(email) {
  return new Promise((resolve, reject) => {
    userFor(email).forgotPassword({ onSuccess: resolve, onFailure: (err) => reject(failure(err)), inputVerificationCode: resolve });
  });
}

export function confirmNewPassword(email, code, password) {
  return new Promise((resolve, reject) => {
    userFor(email).confirmPassword(code, password, { onSuccess: resolve, onFailure: (err) => reject(failure(err)) });
  });
}

export async function changePassword(oldPassword, newPassword) {
  const current = await currentSession();
  if (!current) throw { code: "NotAuthorizedException", message: "" };
  return call((done) => current.user.changePassword(oldPassword, newPassword, done));
}
