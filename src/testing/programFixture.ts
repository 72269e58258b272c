/**
 * (Tests) A small hand-made organisation for the program's API suites: the weekly event counts
 * of Cardiology's six clinicians are chosen so that the group's weekly medians are round numbers
 * (the expectations of `program.int.test.ts` are computed by hand from them), plus Oncology (six
 * clinicians, steady) and Tiny (two clinicians: below the suppression threshold of 5). The
 * accounts: a clinician per Cardiology clinician (`c1`…`c6`), `o1` in Oncology, `tiny1` in Tiny, a
 * Cardiology champion and leader, an IT account, and the demo administrator. Time zone UTC, so
 * business hours are 08:00–17:00Z.
 */
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import type { EventRow, ScheduleRow } from '../model/canonical.ts';
import { loadDataset } from './loadDataset.ts';
import type { TestEngine } from './testEngines.ts';
import { call, login, testSystem, type Session, type TestSystem } from './testSystem.ts';
import type { ServerOptions } from '../server/buildServer.ts';

export const PASSWORD = 'a long test password';

/** Mondays of the weeks with data, and each Cardiology clinician's event count that week. */
export const CARDIOLOGY_WEEKS: Record<string, number[]> = {
  '2026-01-05': [1, 2, 3, 4, 5, 6], // median 3.5
  '2026-01-12': [2, 3, 4, 5, 6, 7], // 4.5
  '2026-01-19': [3, 4, 5, 6, 7, 8], // 5.5
  '2026-01-26': [2, 3, 4, 5, 6, 7], // 4.5 (the week of the proposal)
  '2026-02-02': [2, 3, 4, 5, 6, 7],
  '2026-02-09': [2, 3, 4, 5, 6, 7], // the week of the adoption (counts for no side)
  '2026-02-16': [2, 3, 4, 5, 6, 7], // 4.5
  '2026-02-23': [1, 2, 3, 5, 6, 7], // 4
  '2026-03-02': [1, 2, 3, 4, 5, 6], // 3.5
  '2026-03-09': [1, 1, 2, 4, 5, 6], // 3
};

const WEEKS = Object.keys(CARDIOLOGY_WEEKS);

function rows(): { events: EventRow[]; schedule: ScheduleRow[] } {
  const events: EventRow[] = [];
  const schedule: ScheduleRow[] = [];
  const add = (user: string, monday: string, n: number) => {
    schedule.push({
      user_id: user,
      kind: 'session',
      start: `${monday}T09:00:00Z`,
      end: `${monday}T17:00:00Z`,
    });
    for (let k = 0; k < n; k++)
      events.push({
        event_id: `${user}-${monday}-${k}`,
        occurred_at: `${monday}T10:${String(k).padStart(2, '0')}:00Z`,
        user_id: user,
        action: 'NOTE_EDIT',
        category: 'notes',
      });
  };
  for (const w of WEEKS) {
    CARDIOLOGY_WEEKS[w]!.forEach((n, i) => add(`C${i + 1}`, w, n));
    for (let i = 1; i <= 6; i++) add(`O${i}`, w, 3);
    for (let i = 1; i <= 2; i++) add(`T${i}`, w, 2);
  }
  return { events, schedule };
}

export interface ProgramSystem {
  sys: TestSystem;
  /** Signed-in sessions by user name. */
  as: Record<string, Session>;
  /** The clock the server reads; set it to move time. */
  clock: { now: Date };
}

/** The system of one engine, with every account signed in. */
export async function programSystem(
  engine: TestEngine,
  opts: ServerOptions = {},
): Promise<ProgramSystem> {
  const clock = { now: new Date('2026-01-27T15:00:00Z') };
  const sys = await testSystem(engine, {
    now: () => clock.now,
    // The tests move the clock by weeks: sessions must outlive that.
    sessionHours: 24 * 365,
    ...opts,
    load: async (store) => {
      const r = rows();
      await loadDataset(store, {
        ...r,
        clinicians: [
          ...[1, 2, 3, 4, 5, 6].map((i) => ({
            user_id: `C${i}`,
            role: 'physician',
            name: `Cardiologist ${i}`,
            department: 'Cardiology',
            specialty: 'Cardiology',
          })),
          ...[1, 2, 3, 4, 5, 6].map((i) => ({
            user_id: `O${i}`,
            role: 'physician',
            name: `Oncologist ${i}`,
            department: 'Oncology',
            specialty: 'Oncology',
          })),
          ...[1, 2].map((i) => ({
            user_id: `T${i}`,
            role: 'nurse',
            department: 'Tiny',
            specialty: 'Nursing',
          })),
        ],
      });
    },
  });
  const admin = await login(sys.app, sys.account('admin'));
  const add = async (payload: Record<string, unknown>) => {
    const r = await call(sys.app, admin, 'POST', '/api/users', {
      payload: { password: PASSWORD, ...payload },
    });
    if (r.statusCode !== 201) throw new Error(`user ${String(payload['username'])}: ${r.body}`);
  };
  for (let i = 1; i <= 6; i++)
    await add({ username: `c${i}`, role: 'clinician', clinician_id: `C${i}` });
  await add({ username: 'o1', role: 'clinician', clinician_id: 'O1' });
  await add({ username: 'tiny1', role: 'clinician', clinician_id: 'T1' });
  await add({
    username: 'champ',
    role: 'champion',
    groups: [{ by: 'department', value: 'Cardiology' }],
  });
  await add({
    username: 'lead',
    role: 'leader',
    groups: [{ by: 'department', value: 'Cardiology' }],
  });
  await add({ username: 'itstaff', role: 'it' });
  const as: Record<string, Session> = { admin };
  for (const u of ['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'o1', 'tiny1', 'champ', 'lead', 'itstaff'])
    as[u] = await login(sys.app, { username: u, password: PASSWORD });
  return { sys, as, clock };
}

/** A goal proposal for Cardiology's weekly median of `events` (decrease to `target`). */
export function cardiologyGoal(target: number, extra: Record<string, unknown> = {}) {
  return {
    metric: 'events',
    group_by: 'department',
    group_value: 'Cardiology',
    direction: 'decrease',
    target,
    target_date: '2026-05-04',
    baseline_weeks: 3,
    title: 'Fewer note edits per week',
    rationale: 'Templates should cut the edits we make after clinic.',
    ...extra,
  };
}

export interface Mail {
  to: string[];
  data: string;
}

/**
 * A local SMTP server that keeps what it receives. With `auth`, it offers AUTH (over plain
 * text: a test on 127.0.0.1), accepts only those credentials and keeps every attempt in `logins`.
 */
export async function smtpSink(o: { auth?: { user: string; password: string } } = {}): Promise<{
  port: number;
  mails: Mail[];
  logins: { user: string; password: string }[];
  close(): Promise<void>;
}> {
  const mails: Mail[] = [];
  const logins: { user: string; password: string }[] = [];
  const want = o.auth;
  const server = new SMTPServer({
    authOptional: !want,
    disabledCommands: want ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    allowInsecureAuth: true,
    onAuth(auth, _session, done) {
      const got = { user: auth.username ?? '', password: auth.password ?? '' };
      logins.push(got);
      if (want && got.user === want.user && got.password === want.password)
        done(null, { user: got.user });
      else done(new Error('invalid user name or password'));
    },
    logger: false,
    onData(stream, session, done) {
      let data = '';
      stream.on('data', (c: Buffer) => (data += c.toString('utf8')));
      stream.on('end', () => {
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), data });
        done();
      });
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.server.address() as AddressInfo).port,
    mails,
    logins,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** Poll `f` until it gives a value (e-mail arrives in the background). */
export async function until<T>(f: () => T | undefined, what: string, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
