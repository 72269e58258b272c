/**
 * Champions (program.md §4). Administrators, on the Help requests page: the clinicians the data
 * suggests as champions, each with the evidence (their figure and the specialty's cut-off), an
 * "Invite" button, and the coverage per department with each champion's activity — uncovered
 * departments said in words, not by colour alone. A clinician, privately on My report: an
 * invitation to become a champion, which only they can accept or decline.
 */
import { useState, type ReactNode } from 'react';
import { api, ApiError, type ApiResponse } from '../api.ts';
import { DataTable } from '../components/Chart.tsx';
import { ErrorBox, Loading } from '../components/ui.tsx';
import { zoned } from '../dates.ts';
import { useApi } from '../hooks.ts';

type Suggestion = ApiResponse<'GET /api/champions/suggestions'>['suggestions'][number];
type Invitation = ApiResponse<'GET /api/me/champion-invitations'>[number];

function errorOf(e: unknown): ApiError {
  return e instanceof ApiError ? e : new ApiError(0, 'NETWORK', String(e));
}

const n2 = (v: number | null): string => (v === null ? '—' : v.toFixed(2));
const figure = (f: Suggestion['ehr_time8'], word: string): string =>
  `${n2(f.value)} (${word} ${n2(f.cutoff)})`;

/** Administrators: suggested champions with their evidence, and the invitations. */
export function ChampionSuggestions(): ReactNode {
  const s = useApi('GET /api/champions/suggestions');
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  if (s.error) return <ErrorBox error={s.error} />;
  if (!s.data) return <Loading what="the suggested champions" />;
  const d = s.data;
  const invite = async (c: Suggestion) => {
    setBusy(c.user_id);
    setError(null);
    try {
      await api('POST /api/champions/invitations', { body: { user_id: c.user_id } });
      s.reload();
    } catch (e) {
      setError(errorOf(e));
    } finally {
      setBusy(null);
    }
  };
  return (
    <section className="section" aria-labelledby="suggested-champions">
      <h2 id="suggested-champions">Suggested champions</h2>
      <p data-testid="champion-rule">
        From {d.from} to {d.to}: of {d.considered} clinicians with at least{' '}
        {d.rule.min_scheduled_hours} scheduled hours, <strong>{d.suggestions.length}</strong> have
        EHR-Time8 and after-hours hours per 8 scheduled hours at or below their specialty’s 40th
        percentile, appointments per scheduled hour at or above its median, and habitual use of
        every tool live for them. Only you see this list; a clinician becomes a champion only by
        accepting your invitation.
      </p>
      {d.suggestions.length ? (
        <div
          className="table-wrap"
          tabIndex={0}
          role="region"
          aria-label="Table: suggested champions"
        >
          <table>
            <caption>
              Suggested champions and the evidence (value, and the specialty’s cut-off)
            </caption>
            <thead>
              <tr>
                <th scope="col">Clinician</th>
                <th scope="col">Department</th>
                <th scope="col">Specialty (n)</th>
                <th scope="col">Scheduled hours</th>
                <th scope="col">EHR-Time8</th>
                <th scope="col">After-hours per 8 h</th>
                <th scope="col">Appointments per hour</th>
                <th scope="col">Live tools</th>
                <th scope="col">Invitation</th>
              </tr>
            </thead>
            <tbody>
              {d.suggestions.map((c) => (
                <tr key={c.user_id}>
                  <th scope="row">{c.name ?? c.user_id}</th>
                  <td>{c.department ?? '—'}</td>
                  <td>
                    {c.specialty} ({c.specialty_n})
                  </td>
                  <td>{c.scheduled_hours.toFixed(1)}</td>
                  <td>{figure(c.ehr_time8, '40th pct.')}</td>
                  <td>{figure(c.after_hours8, '40th pct.')}</td>
                  <td>{figure(c.appointments_per_hour, 'median')}</td>
                  <td>
                    {c.tools.length
                      ? c.tools
                          .map((t) => `${t.tool}: habitual ${t.habitual_weeks} of 4 weeks`)
                          .join('; ')
                      : 'none live'}
                  </td>
                  <td>
                    {c.invitation !== 'none' ? (
                      c.invitation
                    ) : c.username ? (
                      <button
                        type="button"
                        disabled={busy !== null}
                        onClick={() => void invite(c)}
                        aria-label={`Invite ${c.name ?? c.user_id} to be a champion`}
                      >
                        Invite
                      </button>
                    ) : (
                      'no account yet'
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {error ? <ErrorBox error={error} /> : null}
    </section>
  );
}

/** Administrators: champions per 10 clinicians of each department, and each champion's activity. */
export function ChampionCoverage(): ReactNode {
  const c = useApi('GET /api/champions/coverage');
  if (c.error) return <ErrorBox error={c.error} />;
  if (!c.data) return <Loading what="the champion coverage" />;
  const uncovered = c.data.departments.filter((d) => d.uncovered);
  return (
    <section className="section" aria-labelledby="champion-coverage">
      <h2 id="champion-coverage">Coverage per department</h2>
      <p data-testid="uncovered-summary">
        <strong>
          {uncovered.length} of {c.data.departments.length}
        </strong>{' '}
        departments are uncovered (no champion, or fewer than 1 per 15 clinicians)
        {uncovered.length ? `: ${uncovered.map((d) => d.department).join(', ')}` : ''}.
      </p>
      <DataTable
        caption="Champions per 10 clinicians of each department"
        data={{
          columns: ['Department', 'Clinicians', 'Champions', 'Per 10 clinicians', 'Status'],
          rows: c.data.departments.map((d) => [
            d.department,
            d.clinicians,
            d.champions.join(', ') || 'none',
            d.per_10.toFixed(2),
            d.status,
          ]),
        }}
      />
      <DataTable
        caption="Champion activity: help requests answered, median business hours to a first answer"
        data={{
          columns: ['Champion', 'Requests answered', 'Median business hours to first answer'],
          rows: c.data.activity.map((a) => [
            a.username,
            a.answered,
            a.median_business_hours_to_first_answer === null
              ? '—'
              : a.median_business_hours_to_first_answer.toFixed(1),
          ]),
        }}
      />
    </section>
  );
}

/** A clinician's own invitations, privately on My report: accept or decline. */
export function MyChampionInvitation({ timezone }: { timezone: string }): ReactNode {
  const list = useApi('GET /api/me/champion-invitations');
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<Invitation | null>(null);
  if (list.error) return <ErrorBox error={list.error} />;
  const open = (list.data ?? []).filter((i) => i.state === 'invited');
  if (!open.length && !done) return null;
  const answer = async (i: Invitation, a: 'accept' | 'decline') => {
    setBusy(true);
    setError(null);
    try {
      setDone(
        await api('POST /api/me/champion-invitations/:id', {
          params: { id: i.id },
          body: { answer: a },
        }),
      );
      list.reload();
    } catch (e) {
      setError(errorOf(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="section no-print" aria-labelledby="champion-invitation">
      <h2 id="champion-invitation">Invitation to be a peer champion</h2>
      {done ? (
        <p role="status" data-testid="invitation-answer">
          {done.state === 'accepted'
            ? `Thank you: you are now a peer champion of ${done.department}. The Help requests page lists your colleagues’ questions (sign in again or reload to see it).`
            : `You declined; you will not be asked again for ${done.department}.`}
        </p>
      ) : null}
      {open.map((i) => (
        <div key={i.id} className="notice">
          <p>
            You are invited (on {zoned(i.invited_at, timezone)}) to be a peer champion of{' '}
            <strong>{i.department}</strong>: the colleague your unit asks for help with the EHR.
            Only you see this. Why you: {i.reason}
          </p>
          <button type="button" disabled={busy} onClick={() => void answer(i, 'accept')}>
            Accept
          </button>{' '}
          <button
            type="button"
            className="secondary"
            disabled={busy}
            onClick={() => void answer(i, 'decline')}
          >
            Decline
          </button>
        </div>
      ))}
      {error ? <ErrorBox error={error} /> : null}
    </section>
  );
}

/** A clinician's own training targets, privately on My report: the course, and why. */
export function MyTrainingTargets(): ReactNode {
  const t = useApi('GET /api/me/training-targets');
  if (t.error) return <ErrorBox error={t.error} />;
  if (!t.data?.targets.length) return null;
  return (
    <section className="section no-print" aria-labelledby="training-targets">
      <h2 id="training-targets">A course for you</h2>
      <ul>
        {t.data.targets.map((x) => (
          <li key={`${x.metric}-${x.course}`}>
            <strong>{x.course}</strong>: {x.why} Only you see this.
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Champions and administrators: how many clinicians of each unit have a training target. */
export function TrainingTargetCounts(): ReactNode {
  const c = useApi('GET /api/training-targets/counts');
  if (c.error) return <ErrorBox error={c.error} />;
  if (!c.data) return <Loading what="the training targets" />;
  return (
    <section className="section" aria-labelledby="training-counts">
      <h2 id="training-counts">Training targets per unit</h2>
      <p>
        Clinicians whose metric was above their specialty’s 75th percentile in 4 of the 6 weeks from{' '}
        {c.data.from} to {c.data.to}, per department and suggested course: counts only, never names.
      </p>
      {c.data.rows.length ? (
        <DataTable
          caption="Clinicians with a training target, per department and course"
          data={{
            columns: ['Department', 'Course', 'Metric', 'Clinicians'],
            rows: c.data.rows.map((r) => [r.department, r.course, r.metric, r.clinicians]),
          }}
        />
      ) : (
        <p>No clinician of your groups has a training target.</p>
      )}
    </section>
  );
}

/** Administrators: the effect of a course on the metric it targets, with its interval. */
export function TrainingEffectView(): ReactNode {
  const [course, setCourse] = useState('');
  const [asked, setAsked] = useState<string | null>(null);
  const r = useApi('GET /api/training/effect', asked ? { query: { course: asked } } : null);
  const e = r.data;
  return (
    <section className="section" aria-labelledby="training-effect">
      <h2 id="training-effect">Training effect</h2>
      <form
        onSubmit={(ev) => {
          ev.preventDefault();
          if (course.trim()) setAsked(course.trim());
        }}
      >
        <label>
          Course (as in the training records){' '}
          <input value={course} onChange={(ev) => setCourse(ev.target.value)} maxLength={200} />
        </label>{' '}
        <button type="submit">Estimate</button>
      </form>
      {r.error ? <ErrorBox error={r.error} /> : null}
      {asked && !e && !r.error ? <Loading what="the training effect" /> : null}
      {e ? (
        <div data-testid="training-effect">
          {e.effect ? (
            <p>
              {e.trained} clinicians who took “{e.course}” in the week of {e.cohort_week}: their{' '}
              {e.metric_label} changed by <strong>{e.effect.estimate.toFixed(2)}</strong> (95%
              interval {e.effect.ci95[0].toFixed(2)} to {e.effect.ci95[1].toFixed(2)}) against{' '}
              {e.controls} clinicians of the same specialties who had not taken it yet ({e.from} to{' '}
              {e.to}).
            </p>
          ) : (
            <p>Insufficient data: {e.insufficient_data?.reason}</p>
          )}
          <details>
            <summary>Assumptions</summary>
            <ul>
              {e.assumptions.map((a) => (
                <li key={a}>{a}</li>
              ))}
            </ul>
          </details>
        </div>
      ) : null}
    </section>
  );
}
