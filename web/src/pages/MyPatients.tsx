/**
 * "My patients" on My report: the clinician's own patient-engagement figures beside their peers'
 * (their specialty, pooled) for the portal shares and the reply time, and at most one suggestion
 * chosen from them (`engagementSuggestion.ts`). Figures resting on fewer than 11 patients say so
 * instead of a number (docs/engagement.md), the clinician's own included.
 */
import type { ReactNode } from 'react';
import type { Range } from '../components/ui.tsx';
import { ErrorBox, Loading } from '../components/ui.tsx';
import { Chart } from '../components/Chart.tsx';
import { useApi } from '../hooks.ts';
import {
  businessTime,
  businessTimeParts,
  hiddenBlock,
  MEDIANS,
  ofText,
  pct,
  PATIENTS_HIDDEN,
  SHARES,
  type EngagementRow,
  type ShareInfo,
} from '../engagement.ts';
import { mineBesidePeers } from '../engagementCharts.ts';
import { engagementSuggestion } from '../engagementSuggestion.ts';

export function MyPatients({ range }: { range: Range }): ReactNode {
  const r = useApi('GET /api/me/engagement', { query: range });
  return (
    <section className="section" aria-labelledby="my-patients" data-testid="my-patients">
      <h2 id="my-patients">My patients</h2>
      {r.error ? <ErrorBox error={r.error} /> : null}
      {!r.data && !r.error ? <Loading what="your patients' engagement" /> : null}
      {r.data ? (
        <MyPatientsBody
          mine={r.data.mine[0]}
          peers={r.data.peers[0]}
          peerGroup={r.data.peer_group.group}
          redacted={r.data.options.redacted}
        />
      ) : null}
    </section>
  );
}

/** A figure of mine or my peers': the value, or why there is none. */
function figure(
  r: EngagementRow | undefined,
  block: ShareInfo['block'],
  redacted: boolean,
  text: (r: EngagementRow) => string,
): ReactNode {
  if (!r) return 'none in this period';
  if (hiddenBlock(r, block, redacted))
    return (
      <span className="suppressed" data-suppressed="true">
        {PATIENTS_HIDDEN}
      </span>
    );
  return text(r);
}

function MyPatientsBody({
  mine,
  peers,
  peerGroup,
  redacted,
}: {
  mine: EngagementRow | undefined;
  peers: EngagementRow | undefined;
  peerGroup: string;
  redacted: boolean;
}): ReactNode {
  if (!mine)
    return (
      <p className="notice" role="status">
        None of your patients was seen, sent a message or had a result in this period.
      </p>
    );
  const suggestion = engagementSuggestion(mine, peers);
  const shares = [SHARES.activated_share, SHARES.active_share, SHARES.regular_share];
  const rec = mineBesidePeers(mine, peers, redacted);
  return (
    <>
      <p className="lede">
        Your patients seen in this period beside those of your peers: <strong>{peerGroup}</strong>{' '}
        (specialty, all its physicians pooled, you included).
      </p>
      <ul className="my-kpis">
        {shares.map((s) => (
          <li className="my-kpi" key={s.key} data-measure={s.key}>
            <h3 className="metric-name">{s.label}</h3>
            <p className="kpi-value">
              <span className="big" data-testid={`my-${s.key}`}>
                {figure(mine, s.block, redacted, (r) => pct(r[s.key]))}
              </span>
            </p>
            <p className="kpi-sub">
              {figure(mine, s.block, redacted, (r) => ofText(r, s))}. Peers:{' '}
              {figure(peers, s.block, redacted, (r) => pct(r[s.key]))}.
            </p>
            <p className="metric-def">{s.definition}</p>
          </li>
        ))}
        <li className="my-kpi" data-measure="reply_business_hours">
          <h3 className="metric-name">{MEDIANS.reply_business_hours.label}</h3>
          <p className="kpi-value">
            <span className="big" data-testid="my-reply_business_hours">
              {figure(
                mine,
                'messages',
                redacted,
                (r) => businessTimeParts(r.reply_business_hours).value,
              )}
            </span>{' '}
            {hiddenBlock(mine, 'messages', redacted) ? null : (
              <span className="unit">{businessTimeParts(mine.reply_business_hours).unit}</span>
            )}
          </p>
          <p className="kpi-sub">
            Peers:{' '}
            {figure(peers, 'messages', redacted, (r) => businessTime(r.reply_business_hours))}.
            Answered within 1 business day: you{' '}
            {figure(mine, 'messages', redacted, (r) => pct(r.replied_within_1bd_share))}, peers{' '}
            {figure(peers, 'messages', redacted, (r) => pct(r.replied_within_1bd_share))}.
          </p>
          <p className="metric-def">{MEDIANS.reply_business_hours.definition}</p>
        </li>
      </ul>
      {suggestion ? (
        <div className="suggestions" data-suggestion={suggestion.id}>
          <h3>One thing that could help</h3>
          <p className="action">{suggestion.action}</p>
          <p className="why">
            <strong>Why this one:</strong> {suggestion.why}
          </p>
        </div>
      ) : (
        <p data-testid="no-patient-suggestion">Nothing stands out beside your peers.</p>
      )}
      <Chart
        title="My patients beside my peers'"
        summary={rec.summary}
        option={rec.option}
        table={rec.table}
        height={300}
        note={
          !redacted && (mine.suppressed.length || peers?.suppressed.length)
            ? 'Some figures rest on fewer than 11 patients: shown to administrators only.'
            : undefined
        }
      />
    </>
  );
}
