/**
 * Why a single sign-on failed, as the sign-in page may say it (after "Single sign-on did not
 * work."). The server sends the browser back
 * to `#/?sso_error=<code>` with one of these codes, never text: the page shows only these fixed
 * messages, so a crafted link cannot make Uptake's sign-in page display words of someone else's
 * choosing (a phishing aid). The full reason goes to the access log for administrators.
 * Shared by the server (`src/server/routes/ssoRoutes.ts`) and the web app.
 */
export const SSO_FAILURES = {
  not_configured: 'This server does not offer it: sign in with your user name and password.',
  no_account:
    'You have no Uptake account for this sign-in. Ask an administrator to create one with your user name.',
  not_in_roster:
    'The practitioner you launched Uptake as is not in Uptake’s roster. Ask an administrator to import the roster.',
  not_a_practitioner:
    'The EHR did not say which practitioner you are. Uptake’s reports are for clinicians.',
  not_allowed: 'This sign-in may not open Uptake. Ask an administrator.',
  restart: 'The sign-in did not finish in this browser, or took too long. Start it again.',
  refused: 'The identity provider did not sign you in. Start again, or ask your IT team.',
  unavailable: 'The identity provider or the EHR could not be reached. Try again in a few minutes.',
  bad_launch: 'The EHR’s launch of Uptake was incomplete. Open Uptake from the EHR again.',
  failed: 'Try again, or ask your IT team.',
} as const;

export type SsoFailure = keyof typeof SSO_FAILURES;

/** The fixed message of a code from the address bar; any other text gives the generic message. */
export function ssoFailureText(code: string): string {
  return Object.hasOwn(SSO_FAILURES, code) ? SSO_FAILURES[code as SsoFailure] : SSO_FAILURES.failed;
}
