/**
 * The buy-in program's settings, on the Settings page (administrators; docs/program.md): the
 * holidays of the business calendar the feedback clocks run on, the clock targets per priority,
 * the goals' voting rules (votes needed, voting window, baseline weeks), the surveys' contact
 * budget (days between invitations, program.md §3); in a section of their own, where
 * follow-ups are delivered (engagement.md §3) and the SMTP server notices are also e-mailed
 * through (its password write-only: the API says only whether one is set), with a test e-mail. Each part is saved on its own (`PUT /api/settings` takes any of its
 * keys).
 */
import { useId, useState, type FormEvent, type ReactNode } from 'react';
import { api, ApiError, type ApiArgs, type Settings } from '../api.ts';
import { ErrorBox } from '../components/ui.tsx';
import { dateWords } from '../dates.ts';
import { BUSINESS_DAY_HOURS, PRIORITIES, PRIORITY_LABEL, type SlaTargets } from '../program.ts';

const errorOf = (e: unknown): ApiError =>
  e instanceof ApiError ? e : new ApiError(0, 'NETWORK', String(e));

/** Save one part; says so, or shows the server's reason. */
function useSave(onSaved: () => void) {
  const [saved, setSaved] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const save = async (body: ApiArgs<'PUT /api/settings'>[0], what: string) => {
    setSaved('');
    setError(null);
    try {
      await api('PUT /api/settings', body);
      setSaved(`${what} saved.`);
      onSaved();
    } catch (e) {
      setError(errorOf(e));
    }
  };
  const status = (
    <>
      <div role="status" aria-live="polite">
        {saved ? <p className="ok">{saved}</p> : null}
      </div>
      {error ? <ErrorBox error={error} /> : null}
    </>
  );
  return { save, status };
}

export function ProgramSettings({
  initial,
  onSaved,
}: {
  initial: Settings;
  onSaved: () => void;
}): ReactNode {
  return (
    <>
      <section className="section" aria-labelledby="program-settings">
        <h2 id="program-settings">Goals, feedback to IT and surveys</h2>
        <p className="muted">
          Business time is Monday to Friday, 08:00–17:00 in the organisation’s time zone (
          {initial.timezone}), without the holidays below: the feedback clocks count only in it.
        </p>
        <Holidays initial={initial.holidays} onSaved={onSaved} />
        <SlaTargetsForm initial={initial.sla_targets} onSaved={onSaved} />
        <GoalRules initial={initial.goal_rules} onSaved={onSaved} />
        <SurveyBudget initial={initial.survey_min_days} onSaved={onSaved} />
      </section>
      <section className="section" aria-labelledby="delivery-settings">
        <h2 id="delivery-settings">Follow-ups and e-mail</h2>
        <FollowupDelivery initial={initial.followups} onSaved={onSaved} />
        <SmtpForm initial={initial.smtp} onSaved={onSaved} />
      </section>
    </>
  );
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function Holidays({ initial, onSaved }: { initial: string[]; onSaved: () => void }): ReactNode {
  const [dates, setDates] = useState<string[]>([...initial].sort());
  const [adding, setAdding] = useState('');
  const { save, status } = useSave(onSaved);
  const id = useId();
  const add = (): void => {
    if (DATE.test(adding) && !dates.includes(adding)) setDates([...dates, adding].sort());
    setAdding('');
  };
  return (
    <form
      className="settings"
      aria-labelledby={`${id}-h`}
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        void save({ body: { holidays: dates } }, 'Holidays');
      }}
    >
      <h3 id={`${id}-h`}>Holidays</h3>
      <p className="help">Days that are not business days (local dates).</p>
      {dates.length ? (
        <ul className="holiday-list">
          {dates.map((d) => (
            <li key={d}>
              {dateWords(d)}{' '}
              <button
                type="button"
                className="secondary small"
                aria-label={`Remove ${dateWords(d)}`}
                onClick={() => setDates(dates.filter((x) => x !== d))}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">No holidays.</p>
      )}
      <div className="inline-row">
        <label>
          Add a holiday
          <input type="date" value={adding} onChange={(e) => setAdding(e.target.value)} />
        </label>
        <button type="button" className="secondary" onClick={add} disabled={!DATE.test(adding)}>
          Add
        </button>
      </div>
      <button type="submit">Save holidays</button>
      {status}
    </form>
  );
}

type ClockKey = keyof SlaTargets['normal'];

function SlaTargetsForm({
  initial,
  onSaved,
}: {
  initial: SlaTargets;
  onSaved: () => void;
}): ReactNode {
  // Typed in business hours, as stored; the days beside each say what they amount to.
  const [t, setT] = useState<Record<string, string>>(() =>
    Object.fromEntries(
      PRIORITIES.flatMap((p) =>
        (['first_response_hours', 'resolution_hours'] as const).map((k) => [
          `${p}.${k}`,
          String(initial[p][k]),
        ]),
      ),
    ),
  );
  const { save, status } = useSave(onSaved);
  const id = useId();
  const val = (p: string, k: ClockKey): string => t[`${p}.${k}`] ?? '';
  const days = (v: string): string => {
    const n = Number(v);
    return Number.isFinite(n) && n > 0
      ? `${(n / BUSINESS_DAY_HOURS).toFixed(2)} business days`
      : '';
  };
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    const targets = Object.fromEntries(
      PRIORITIES.map((p) => [
        p,
        {
          first_response_hours: Number(val(p, 'first_response_hours')),
          resolution_hours: Number(val(p, 'resolution_hours')),
        },
      ]),
    ) as SlaTargets;
    void save({ body: { sla_targets: targets } }, 'Clock targets');
  };
  return (
    <form className="settings wide" aria-labelledby={`${id}-h`} onSubmit={submit}>
      <h3 id={`${id}-h`}>Feedback clock targets</h3>
      <p className="help">
        In business hours (a business day is {BUSINESS_DAY_HOURS}). An item without a priority is
        timed against normal. The defaults: urgent 4 hours / 1 day, high 1 / 5 days, normal 2 / 20
        days, low 5 / 60 days.
      </p>
      <div className="table-wrap">
        <table className="form-table">
          <caption className="visually-hidden">Clock targets per priority</caption>
          <thead>
            <tr>
              <th scope="col">Priority</th>
              <th scope="col">First response (business hours)</th>
              <th scope="col">Resolution (business hours)</th>
            </tr>
          </thead>
          <tbody>
            {PRIORITIES.map((p) => (
              <tr key={p}>
                <th scope="row">{PRIORITY_LABEL[p]}</th>
                {(['first_response_hours', 'resolution_hours'] as const).map((k) => (
                  <td key={k}>
                    <input
                      type="number"
                      min={0.25}
                      step="any"
                      value={val(p, k)}
                      aria-label={`${PRIORITY_LABEL[p]}: ${k === 'first_response_hours' ? 'first response' : 'resolution'}, business hours`}
                      aria-describedby={`${id}-${p}-${k}`}
                      onChange={(e) => setT({ ...t, [`${p}.${k}`]: e.target.value })}
                      required
                    />{' '}
                    <span className="muted" id={`${id}-${p}-${k}`}>
                      {days(val(p, k))}
                    </span>
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <button type="submit">Save clock targets</button>
      {status}
    </form>
  );
}

function GoalRules({
  initial,
  onSaved,
}: {
  initial: Settings['goal_rules'];
  onSaved: () => void;
}): ReactNode {
  const [minVotes, setMinVotes] = useState(String(initial.min_votes));
  const [windowDays, setWindowDays] = useState(String(initial.window_days));
  const [baselineWeeks, setBaselineWeeks] = useState(String(initial.baseline_weeks));
  const { save, status } = useSave(onSaved);
  const id = useId();
  return (
    <form
      className="settings"
      aria-labelledby={`${id}-h`}
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        void save(
          {
            body: {
              goal_rules: {
                min_votes: Number(minVotes),
                window_days: Number(windowDays),
                baseline_weeks: Number(baselineWeeks),
              },
            },
          },
          'Goal rules',
        );
      }}
    >
      <h3 id={`${id}-h`}>Goal rules</h3>
      <p className="help">
        Organisation rules, not the proposer’s choice: a goal is adopted when at least this many
        people voted (or the whole group, if smaller) and support outnumbers opposition. A new rule
        applies to goals proposed from now on.
      </p>
      <WholeNumber
        label="Votes needed"
        min={1}
        max={10000}
        value={minVotes}
        onChange={setMinVotes}
      />
      <WholeNumber
        label="Voting window (days)"
        min={1}
        max={90}
        value={windowDays}
        onChange={setWindowDays}
      />
      <WholeNumber
        label="Baseline weeks (whole weeks before the proposal)"
        min={2}
        max={52}
        value={baselineWeeks}
        onChange={setBaselineWeeks}
      />
      <button type="submit">Save goal rules</button>
      {status}
    </form>
  );
}

function SurveyBudget({ initial, onSaved }: { initial: number; onSaved: () => void }): ReactNode {
  const [days, setDays] = useState(String(initial));
  const { save, status } = useSave(onSaved);
  const id = useId();
  return (
    <form
      className="settings"
      aria-labelledby={`${id}-h`}
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        void save({ body: { survey_min_days: Number(days) } }, 'Survey contact budget');
      }}
    >
      <h3 id={`${id}-h`}>Survey contact budget</h3>
      <p className="help" id={`${id}-help`}>
        Nobody is asked to answer a survey within this many days of their last invitation, whatever
        the survey; someone who dismissed a survey twice is not asked it again. 0 lets every open
        survey through at once (one at a time on My report).
      </p>
      <WholeNumber
        label="Days between invitations"
        min={0}
        max={9999}
        value={days}
        onChange={setDays}
        describedBy={`${id}-help`}
      />
      <button type="submit">Save contact budget</button>
      {status}
    </form>
  );
}

/**
 * Where physicians' follow-ups are delivered (engagement.md §3): the EHR's or portal's FHIR R4
 * server (empty: patient links only; its token is an environment variable of the server, never
 * stored) and how long a patient link stays valid.
 */
function FollowupDelivery({
  initial,
  onSaved,
}: {
  initial: Settings['followups'];
  onSaved: () => void;
}): ReactNode {
  const [url, setUrl] = useState(initial.fhir_base_url ?? '');
  const [days, setDays] = useState(String(initial.link_days));
  const { save, status } = useSave(onSaved);
  const id = useId();
  return (
    <form
      className="settings"
      aria-labelledby={`${id}-h`}
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        const base = url.trim().replace(/\/+$/, '');
        void save(
          { body: { followups: { fhir_base_url: base || null, link_days: Number(days) } } },
          'Follow-up delivery',
        );
      }}
    >
      <h3 id={`${id}-h`}>Follow-up delivery</h3>
      <p className="help" id={`${id}-help`}>
        Follow-ups physicians write on My report are written to this FHIR R4 server as
        Communication, CarePlan and Task (the server’s bearer token goes in the environment variable
        UPTAKE_FOLLOWUP_FHIR_TOKEN, never here). Empty: patients get the link only. A patient link
        stays valid for the days below.
      </p>
      <label>
        FHIR base URL
        <input
          type="url"
          value={url}
          placeholder="https://fhir.hospital.org/r4"
          onChange={(e) => setUrl(e.target.value)}
          aria-describedby={`${id}-help`}
        />
      </label>
      <WholeNumber
        label="Days a patient link is valid"
        min={1}
        max={90}
        value={days}
        onChange={setDays}
        describedBy={`${id}-help`}
      />
      <button type="submit">Save follow-up delivery</button>
      {status}
    </form>
  );
}

/** A labelled whole-number input of the settings' forms (kept as typed text until saved). */
function WholeNumber(p: {
  label: string;
  min: number;
  max: number;
  value: string;
  onChange: (v: string) => void;
  describedBy?: string;
}): ReactNode {
  return (
    <label>
      {p.label}
      <input
        type="number"
        min={p.min}
        max={p.max}
        step={1}
        value={p.value}
        onChange={(e) => p.onChange(e.target.value)}
        aria-describedby={p.describedBy}
        required
      />
    </label>
  );
}

type SmtpBody = NonNullable<NonNullable<ApiArgs<'PUT /api/settings'>[0]['body']['smtp']>>;

/**
 * The SMTP server notices are e-mailed through. The password is write-only: the field starts
 * empty, "set" or "not set" says whether one is stored; left empty, the stored one is kept.
 */
function SmtpForm({
  initial,
  onSaved,
}: {
  initial: Settings['smtp'];
  onSaved: () => void;
}): ReactNode {
  const [host, setHost] = useState(initial?.host ?? '');
  const [port, setPort] = useState(String(initial?.port ?? 587));
  const [secure, setSecure] = useState(initial?.secure ?? false);
  const [from, setFrom] = useState(initial?.from ?? '');
  const [domain, setDomain] = useState(initial?.domain ?? '');
  const [user, setUser] = useState(initial?.user ?? '');
  const [password, setPassword] = useState('');
  const [removePassword, setRemovePassword] = useState(false);
  const [tested, setTested] = useState('');
  const [testError, setTestError] = useState<ApiError | null>(null);
  const [testing, setTesting] = useState(false);
  const { save, status } = useSave(() => {
    setPassword('');
    setRemovePassword(false);
    onSaved();
  });
  const id = useId();
  const passwordSet = initial?.password_set ?? false;
  const body = (): SmtpBody => ({
    host: host.trim(),
    port: Number(port),
    secure,
    from: from.trim(),
    domain: domain.trim(),
    ...(user.trim() ? { user: user.trim() } : {}),
    ...(removePassword || !user.trim() ? { password: null } : password ? { password } : {}),
  });
  const test = async (): Promise<void> => {
    setTested('');
    setTestError(null);
    setTesting(true);
    try {
      const r = await api('POST /api/settings/smtp/test');
      setTested(`A test e-mail was sent to ${r.to}.`);
    } catch (e) {
      setTestError(errorOf(e));
    } finally {
      setTesting(false);
    }
  };
  return (
    <form
      className="settings"
      aria-labelledby={`${id}-h`}
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        void save({ body: { smtp: body() } }, 'SMTP settings');
      }}
    >
      <h3 id={`${id}-h`}>E-mail (SMTP)</h3>
      <p className="help">
        Notices are also e-mailed to each account’s user name at the mail domain, through this
        server: the one-line summary only, never an item’s text.
        {initial ? '' : ' No SMTP server is set: notices stay in the app.'}
      </p>
      <label>
        Host
        <input value={host} onChange={(e) => setHost(e.target.value)} required maxLength={255} />
      </label>
      <WholeNumber label="Port" min={1} max={65535} value={port} onChange={setPort} />
      <label className="check">
        <input type="checkbox" checked={secure} onChange={(e) => setSecure(e.target.checked)} />
        Implicit TLS (usually port 465; otherwise STARTTLS when the server offers it)
      </label>
      <label>
        From (sender address)
        <input
          type="email"
          value={from}
          onChange={(e) => setFrom(e.target.value)}
          required
          maxLength={320}
        />
      </label>
      <label>
        Mail domain of the accounts
        <input
          value={domain}
          onChange={(e) => setDomain(e.target.value)}
          required
          placeholder="hospital.org"
        />
      </label>
      <label>
        User (empty: send without signing in)
        <input
          value={user}
          onChange={(e) => setUser(e.target.value)}
          autoComplete="off"
          maxLength={320}
        />
      </label>
      <label>
        Password (<span data-testid="smtp-password-state">{passwordSet ? 'set' : 'not set'}</span>
        ; leave empty to keep it for the same host and user)
        <input
          type="password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          autoComplete="new-password"
          disabled={!user.trim() || removePassword}
          maxLength={1024}
        />
      </label>
      {passwordSet ? (
        <label className="check">
          <input
            type="checkbox"
            checked={removePassword}
            onChange={(e) => setRemovePassword(e.target.checked)}
          />
          Remove the stored password
        </label>
      ) : null}
      <div className="inline-row">
        <button type="submit">Save SMTP settings</button>
        {initial ? (
          <button
            type="button"
            className="secondary"
            onClick={() => void test()}
            disabled={testing}
          >
            Send a test e-mail to me
          </button>
        ) : null}
      </div>
      {status}
      <div role="status" aria-live="polite">
        {tested ? <p className="ok">{tested}</p> : null}
      </div>
      {testError ? <ErrorBox error={testError} /> : null}
    </form>
  );
}
