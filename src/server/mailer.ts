/**
 * E-mail for the program's notices (issue #13): when SMTP is configured — the server's options
 * (`smtpConfigFromEnv` for `uptake serve`, with credentials) or else the `smtp` setting (without
 * credentials) — each in-app notice is also sent to `<username>@<domain>`. A mail carries only the
 * notice's one-line summary, never an item's text: the text may hold details a clinician typed
 * despite the warning, and mail leaves Uptake. Sending never delays or fails the request that
 * caused it: a failure is written to the server log and the in-app notice stays.
 */
import nodemailer, { type Transporter } from 'nodemailer';
import { UptakeError } from '../errors/UptakeError.ts';
import type { SmtpSetting } from '../model/feedback.ts';

/** The SMTP server, with optional credentials (from the environment or the `smtp` setting). */
export interface SmtpConfig extends SmtpSetting {
  user?: string | undefined;
  password?: string | undefined;
}

/**
 * `UPTAKE_SMTP_HOST`, `_PORT` (587), `_SECURE` (`true` for implicit TLS), `_FROM`, `_DOMAIN`,
 * `_USER`, `_PASSWORD`; null without a host.
 */
export function smtpConfigFromEnv(env: NodeJS.ProcessEnv = process.env): SmtpConfig | null {
  const host = env['UPTAKE_SMTP_HOST'];
  if (!host) return null;
  const from = env['UPTAKE_SMTP_FROM'];
  const domain = env['UPTAKE_SMTP_DOMAIN'];
  if (!from || !domain)
    throw new Error('UPTAKE_SMTP_HOST is set: set UPTAKE_SMTP_FROM and UPTAKE_SMTP_DOMAIN too');
  const port = Number(env['UPTAKE_SMTP_PORT'] ?? 587);
  if (!Number.isInteger(port) || port < 1 || port > 65_535)
    throw new Error(`UPTAKE_SMTP_PORT ${env['UPTAKE_SMTP_PORT']} is not a port number`);
  return {
    host,
    port,
    secure: env['UPTAKE_SMTP_SECURE'] === 'true',
    from,
    domain,
    user: env['UPTAKE_SMTP_USER'],
    password: env['UPTAKE_SMTP_PASSWORD'],
  };
}

/** One mail to send. */
export interface Mail {
  username: string;
  subject: string;
  text: string;
}

export class Mailer {
  private transport: { key: string; t: Transporter } | null = null;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    /** The configuration now (server options first, then the `smtp` setting); null: no e-mail. */
    private readonly config: () => Promise<SmtpConfig | null>,
    private readonly onError: (message: string) => void,
  ) {}

  /** Whether notices are e-mailed now. */
  async enabled(): Promise<boolean> {
    return (await this.config()) !== null;
  }

  private transporter(c: SmtpConfig): Transporter {
    const key = JSON.stringify([c.host, c.port, c.secure, c.user ?? null, c.password ?? null]);
    if (this.transport?.key !== key) {
      this.transport?.t.close();
      this.transport = {
        key,
        t: nodemailer.createTransport({
          host: c.host,
          port: c.port,
          secure: c.secure,
          ...(c.user ? { auth: { user: c.user, pass: c.password ?? '' } } : {}),
        }),
      };
    }
    return this.transport.t;
  }

  /** Send `mails` in the background (each to `<username>@<domain>`); never throws. */
  send(mails: readonly Mail[]): void {
    if (!mails.length) return;
    const p = (async () => {
      const c = await this.config();
      if (!c) return;
      const t = this.transporter(c);
      for (const m of mails) {
        try {
          await t.sendMail({
            from: c.from,
            to: `${m.username}@${c.domain}`,
            subject: m.subject,
            text: m.text,
          });
        } catch (e) {
          this.onError(`e-mail to ${m.username}@${c.domain} failed: ${(e as Error).message}`);
        }
      }
    })().catch((e: unknown) => this.onError(`e-mail failed: ${(e as Error).message}`));
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  /**
   * Send one mail now (the Settings page's test) and return its address: CONFLICT when no SMTP
   * server is configured, UNAVAILABLE with the server's answer when sending fails.
   */
  async sendNow(m: Mail): Promise<string> {
    const c = await this.config();
    if (!c)
      throw new UptakeError(
        'CONFLICT',
        'no SMTP server is configured: save the SMTP settings (host, port, from, domain) first',
      );
    const to = `${m.username}@${c.domain}`;
    try {
      await this.transporter(c).sendMail({ from: c.from, to, subject: m.subject, text: m.text });
    } catch (e) {
      throw new UptakeError(
        'UNAVAILABLE',
        `the SMTP server ${c.host}:${c.port} did not take the e-mail to ${to}: ${(e as Error).message}; check the host, port, TLS, user and password`,
      );
    }
    return to;
  }

  /** Wait for the mails under way (tests; the server's close). */
  async idle(): Promise<void> {
    while (this.inFlight.size) await Promise.all([...this.inFlight]);
  }

  /** Wait for the mails under way and close the connection. */
  async close(): Promise<void> {
    await this.idle();
    this.transport?.t.close();
    this.transport = null;
  }
}
