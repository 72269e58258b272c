/**
 * "Follow-ups for your patients" on My report (engagement.md §3): the clinician's visits of the
 * last days, each by its date, time and type (never a patient identifier) with "Write follow-up"
 * and how many are written; the writing form for one visit (`FollowupForm.tsx`); and "Your
 * follow-ups", each with where it stands (`FollowupCard.tsx`). Not printed: the texts are the
 * patients' health information.
 */
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { ErrorBox, Loading } from '../components/ui.tsx';
import { useApi } from '../hooks.ts';
import { visitLabel, type Followup, type Visit } from '../followupWords.ts';
import { FollowupForm } from './FollowupForm.tsx';
import { FollowupCard } from './FollowupCard.tsx';

/** Visits listed before "Show all": the last few days' worth on one screen. */
const FIRST_VISITS = 8;

export function MyFollowups({ timezone }: { timezone: string }): ReactNode {
  const visits = useApi('GET /api/me/visits');
  const followups = useApi('GET /api/me/followups');
  const templates = useApi('GET /api/me/followup-templates');
  const [writing, setWriting] = useState<Visit | null>(null);
  const [allVisits, setAllVisits] = useState(false);
  const [sent, setSent] = useState('');
  // A follow-up changed here (a retry, an answer) shows at once, until the list is asked again.
  const [changed, setChanged] = useState<Record<string, Followup>>({});
  const sentRef = useRef<HTMLParagraphElement>(null);
  const formRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (writing) formRef.current?.querySelector('h3')?.focus();
  }, [writing]);
  useEffect(() => {
    if (sent) sentRef.current?.focus();
  }, [sent]);

  const onSent = (f: Followup): void => {
    setWriting(null);
    setSent(`Sent “${f.title}”. It is first in “Your follow-ups” below, with its patient link.`);
    visits.reload();
    followups.reload();
  };
  const onChanged = (f: Followup): void => setChanged((c) => ({ ...c, [f.id]: f }));
  useEffect(() => setChanged({}), [followups.data]);

  const shown = visits.data
    ? allVisits
      ? visits.data.visits
      : visits.data.visits.slice(0, FIRST_VISITS)
    : [];

  return (
    <section className="section no-print" aria-labelledby="my-followups" data-testid="my-followups">
      <h2 id="my-followups">Follow-ups for your patients</h2>
      <p className="lede">
        Write a short note in plain words after a visit: what was decided and what to do next. The
        patient opens it by a link; you see when they read and acknowledge it, and answer their
        questions. Times are in {timezone}.
      </p>
      {sent ? (
        <p className="notice" role="status" tabIndex={-1} ref={sentRef}>
          {sent}
        </p>
      ) : null}

      <h3>Your recent visits</h3>
      {visits.error ? <ErrorBox error={visits.error} /> : null}
      {!visits.data && !visits.error ? <Loading what="your visits" /> : null}
      {visits.data && visits.data.visits.length === 0 ? (
        <p className="muted">No visits of yours in the last {visits.data.days} days.</p>
      ) : null}
      {visits.data && visits.data.visits.length ? (
        <>
          <p className="muted">
            The last {visits.data.days} days, newest first ({visits.data.visits.length} visits).
          </p>
          <ul className="visit-list">
            {shown.map((v, n) => {
              const label = visitLabel(v.start, v.visit_type, timezone);
              const open = writing?.appointment_id === v.appointment_id;
              return (
                <li key={v.appointment_id} data-testid="visit" data-visit={n}>
                  <span className="visit-label">{label}</span>
                  <span className="muted">
                    {v.followups === 0
                      ? 'no follow-up yet'
                      : v.followups === 1
                        ? '1 follow-up written'
                        : `${v.followups} follow-ups written`}
                  </span>
                  <button
                    type="button"
                    className={open ? '' : 'secondary'}
                    aria-expanded={open}
                    onClick={() => {
                      setSent('');
                      setWriting(open ? null : v);
                    }}
                  >
                    Write follow-up<span className="visually-hidden"> for {label}</span>
                  </button>
                </li>
              );
            })}
          </ul>
          {visits.data.visits.length > FIRST_VISITS ? (
            <button type="button" className="link-button" onClick={() => setAllVisits((a) => !a)}>
              {allVisits ? 'Show fewer visits' : `Show all ${visits.data.visits.length} visits`}
            </button>
          ) : null}
        </>
      ) : null}

      {writing ? (
        <div ref={formRef}>
          {templates.error ? <ErrorBox error={templates.error} /> : null}
          <FollowupForm
            key={writing.appointment_id}
            appointmentId={writing.appointment_id}
            visit={visitLabel(writing.start, writing.visit_type, timezone)}
            templates={templates.data ?? []}
            onTemplatesChanged={templates.reload}
            onSent={onSent}
            onCancel={() => setWriting(null)}
          />
        </div>
      ) : null}

      <h3>Your follow-ups</h3>
      {followups.error ? <ErrorBox error={followups.error} /> : null}
      {!followups.data && !followups.error ? <Loading what="your follow-ups" /> : null}
      {followups.data && followups.data.length === 0 ? (
        <p className="muted">None written yet.</p>
      ) : null}
      {followups.data?.map((f) => (
        <FollowupCard key={f.id} f={changed[f.id] ?? f} timezone={timezone} onChanged={onChanged} />
      ))}
    </section>
  );
}
