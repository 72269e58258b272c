/**
 * Access log (administrators): "Who looked at what, and when?" Every view and change, newest
 * first, refusals highlighted; the same as FHIR AuditEvent resources for export.
 */
import { useMemo, useState, type ReactNode } from 'react';
import { apiPath, type AccessLogEntry } from '../api.ts';
import { CsvButton, type TableData } from '../components/Chart.tsx';
import { ErrorBox, Loading, PageHeader, Select, type PageProps } from '../components/ui.tsx';
import { zoned } from '../dates.ts';
import { useApi } from '../hooks.ts';

const LIMITS = [200, 1000, 10000];

const OUTCOME: Record<AccessLogEntry['outcome'], string> = {
  success: 'allowed',
  denied: 'refused',
  failure: 'failed',
};

export function AccessLogPage({ meta }: PageProps): ReactNode {
  const tz = meta.timezone;
  const [limit, setLimit] = useState(200);
  const log = useApi('GET /api/access-log', { query: { limit } });
  const [who, setWho] = useState('');
  const [outcome, setOutcome] = useState('');
  const entries = useMemo(
    () =>
      (log.data ?? []).filter(
        (e) =>
          (!who || (e.username ?? '').toLowerCase().includes(who.toLowerCase())) &&
          (!outcome || e.outcome === outcome),
      ),
    [log.data, who, outcome],
  );
  const refused = (log.data ?? []).filter((e) => e.outcome !== 'success').length;
  const whenCol = `When (${tz})`;
  const table: TableData = {
    columns: [whenCol, 'Who', 'Role', 'Action', 'What', 'Outcome', 'Detail'],
    rows: entries.map((e) => [
      zoned(e.at, tz, true),
      e.username,
      e.role,
      e.action,
      e.resource,
      OUTCOME[e.outcome],
      e.detail ?? '',
    ]),
  };
  return (
    <>
      <PageHeader title="Access log" question="Who viewed or changed what, and when?">
        <a
          className="button secondary"
          href={apiPath('GET /api/access-log/fhir', { query: { limit } })}
          download="uptake-access-log.fhir.json"
        >
          Download as FHIR AuditEvent
        </a>
      </PageHeader>
      <form className="filter" role="search" onSubmit={(e) => e.preventDefault()}>
        <label>
          User
          <input type="search" value={who} onChange={(e) => setWho(e.target.value)} />
        </label>
        <Select label="Outcome" value={outcome} onChange={(v) => setOutcome(v)}>
          <option value="">all</option>
          <option value="success">allowed</option>
          <option value="denied">refused</option>
          <option value="failure">failed</option>
        </Select>
        <Select label="Newest" value={limit} onChange={(v) => setLimit(Number(v))}>
          {LIMITS.map((l) => (
            <option key={l} value={l}>
              {l.toLocaleString('en')} entries
            </option>
          ))}
        </Select>
      </form>
      {log.error ? <ErrorBox error={log.error} /> : null}
      {log.loading && !log.data ? <Loading what="the access log" /> : null}
      {log.data ? (
        <>
          <p role="status">
            {entries.length.toLocaleString('en')} of the newest{' '}
            {log.data.length.toLocaleString('en')} entries; {refused.toLocaleString('en')} refused
            or failed.
          </p>
          <div className="table-wrap" tabIndex={0} role="region" aria-label="Access log table">
            <table>
              <caption>Views and changes, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">{whenCol}</th>
                  <th scope="col">Who</th>
                  <th scope="col">Role</th>
                  <th scope="col">Action</th>
                  <th scope="col">What</th>
                  <th scope="col">Outcome</th>
                  <th scope="col">Detail</th>
                </tr>
              </thead>
              <tbody>
                {entries.map((e, i) => (
                  <tr key={i} className={e.outcome === 'success' ? undefined : 'refused'}>
                    <th scope="row" className="nowrap">
                      {zoned(e.at, tz, true)}
                    </th>
                    <td>{e.username ?? '—'}</td>
                    <td>{e.role ?? '—'}</td>
                    <td>{e.action}</td>
                    <td>{e.resource}</td>
                    <td>{OUTCOME[e.outcome]}</td>
                    <td>{e.detail ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <CsvButton title="Access log" data={table} />
        </>
      ) : null}
    </>
  );
}
