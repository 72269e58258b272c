/**
 * Data (administrators): "Is the data complete and clean?" Imports with their reports, rejected
 * rows (line and reason only: a rejected row can hold a raw patient identifier, so it is never
 * shown), actions without a category, and uploading a file.
 */
import { useRef, useState, type FormEvent, type ReactNode } from 'react';
import { api, ApiError } from '../api.ts';
import { CsvButton, DataTable } from '../components/Chart.tsx';
import {
  ErrorBox,
  Freshness,
  Loading,
  PageHeader,
  Select,
  type PageProps,
} from '../components/ui.tsx';
import { zoned } from '../dates.ts';
import { href, useApi } from '../hooks.ts';

interface ImportRow {
  import_id: number;
  table_name?: string;
  table?: string;
  format?: string;
  file?: string;
  started_at?: string | null;
  finished_at?: string | null;
  rows_read?: number;
  rows_stored?: number;
  rows_duplicate?: number;
  rows_rejected?: number;
  unmapped?: number;
}

interface ImportReport {
  import_id: number;
  table: string;
  format: string;
  file: string;
  rows_read: number;
  rows_stored: number;
  rows_updated?: number;
  rows_rejected: number;
  rows_duplicate: number;
  unmapped_events: number;
  top_unmapped_actions: { action: string; events: number }[];
  unknown_columns: string[];
  time_range: { from: string; to: string } | null;
  seconds: number;
  notes?: Record<string, number>;
}

const TABLES = ['events', 'clinicians', 'schedule', 'orders'] as const;

/** The upload's name as the server accepts it: letters, digits, `._-` and spaces. */
const safeName = (name: string): string =>
  name.replace(/[^A-Za-z0-9._ -]/g, '_').slice(-120) || 'upload.csv';

const n = (x: number | undefined | null): string =>
  x === undefined || x === null ? '—' : Number(x).toLocaleString('en');

/** Only the file's own name: server paths are not the reader's business. */
const baseName = (f: string | undefined): string => (f ?? '').split(/[\\/]/).at(-1) ?? '';

export function DataPage({
  meta,
  importId,
}: PageProps & { importId: string | undefined }): ReactNode {
  const list = useApi<ImportRow[] | { imports: ImportRow[] }>('/api/imports');
  const rows = list.data ? (Array.isArray(list.data) ? list.data : list.data.imports) : [];
  const tz = meta.timezone;
  const finished = `Finished (${tz})`;
  const columns = [
    'Import',
    'Table',
    'Format',
    'File',
    finished,
    'Rows read',
    'Stored',
    'Already present',
    'Rejected',
    'Events without category',
  ];
  const finishedAt = (r: ImportRow): string => zoned(r.finished_at ?? r.started_at ?? null, tz);
  return (
    <>
      <PageHeader title="Data" question="Is the data complete and clean, and what came in last?" />
      <Freshness meta={meta} />
      {importId ? <ImportDetail id={importId} timezone={tz} /> : null}
      <section className="section" aria-labelledby="imports">
        <h2 id="imports">Imports</h2>
        {list.error ? <ErrorBox error={list.error} /> : null}
        {list.loading && !list.data ? <Loading what="imports" /> : null}
        {list.data ? (
          rows.length ? (
            <div className="table-wrap" tabIndex={0} role="region" aria-label="Imports table">
              <table>
                <caption>
                  Every import, newest last. Select an import for its report and rejected rows.
                </caption>
                <thead>
                  <tr>
                    {columns.map((c) => (
                      <th scope="col" key={c}>
                        {c}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {rows.map((r) => (
                    <tr
                      key={r.import_id}
                      aria-current={String(r.import_id) === importId ? 'true' : undefined}
                    >
                      <th scope="row">
                        <a href={href(['data', String(r.import_id)])}>#{r.import_id}</a>
                      </th>
                      <td>{r.table_name ?? r.table}</td>
                      <td>{r.format}</td>
                      <td>{baseName(r.file)}</td>
                      <td className="nowrap">{finishedAt(r)}</td>
                      <td className="num">{n(r.rows_read)}</td>
                      <td className="num">{n(r.rows_stored)}</td>
                      <td className="num">{n(r.rows_duplicate)}</td>
                      <td className={`num${r.rows_rejected ? ' attention' : ''}`}>
                        {n(r.rows_rejected)}
                      </td>
                      <td className="num">{n(r.unmapped)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : (
            <p>No imports yet. Upload the roster, schedule, orders and events below.</p>
          )
        ) : null}
        {rows.length ? (
          <CsvButton
            title="Imports"
            data={{
              columns,
              rows: rows.map((r) => [
                r.import_id,
                r.table_name ?? r.table ?? '',
                r.format ?? '',
                baseName(r.file),
                finishedAt(r),
                r.rows_read ?? null,
                r.rows_stored ?? null,
                r.rows_duplicate ?? null,
                r.rows_rejected ?? null,
                r.unmapped ?? null,
              ]),
            }}
          />
        ) : null}
      </section>
      <Upload onDone={list.reload} timezone={meta.timezone} />
      <Download />
    </>
  );
}

function ImportDetail({ id, timezone }: { id: string; timezone: string }): ReactNode {
  const d = useApi<{ report: ImportReport; rejects: { line: number; reason: string }[] }>(
    `/api/imports/${encodeURIComponent(id)}`,
  );
  return (
    <section className="section detail" aria-labelledby="import-detail">
      <h2 id="import-detail">Import #{id}</h2>
      {d.error ? <ErrorBox error={d.error} /> : null}
      {d.loading && !d.data ? <Loading what={`import ${id}`} /> : null}
      {d.data ? (
        <ReportView report={d.data.report} rejects={d.data.rejects} timezone={timezone} />
      ) : null}
      <p>
        <a href={href(['data'])}>Close this import</a>
      </p>
    </section>
  );
}

function ReportView({
  report,
  rejects,
  timezone,
}: {
  report: ImportReport;
  rejects: { line: number; reason: string }[];
  timezone: string;
}): ReactNode {
  const shown = rejects.slice(0, 200);
  return (
    <>
      <dl className="facts">
        <div>
          <dt>Table</dt>
          <dd>{report.table}</dd>
        </div>
        <div>
          <dt>File</dt>
          <dd>
            {baseName(report.file)} ({report.format})
          </dd>
        </div>
        <div>
          <dt>Rows read</dt>
          <dd>{n(report.rows_read)}</dd>
        </div>
        <div>
          <dt>Stored</dt>
          <dd>{n(report.rows_stored)}</dd>
        </div>
        {report.rows_updated !== undefined ? (
          <div>
            <dt>Updated</dt>
            <dd>{n(report.rows_updated)}</dd>
          </div>
        ) : null}
        <div>
          <dt>Already present</dt>
          <dd>{n(report.rows_duplicate)}</dd>
        </div>
        <div>
          <dt>Rejected</dt>
          <dd>{n(report.rows_rejected)}</dd>
        </div>
        <div>
          <dt>Events without a category</dt>
          <dd>{n(report.unmapped_events)}</dd>
        </div>
        <div>
          <dt>Time range ({timezone})</dt>
          <dd>
            {report.time_range
              ? `${zoned(report.time_range.from, timezone)} – ${zoned(report.time_range.to, timezone)}`
              : '—'}
          </dd>
        </div>
        <div>
          <dt>Took</dt>
          <dd>{report.seconds.toFixed(1)} s</dd>
        </div>
        {report.unknown_columns.length ? (
          <div>
            <dt>Columns ignored</dt>
            <dd>{report.unknown_columns.join(', ')}</dd>
          </div>
        ) : null}
      </dl>
      {report.top_unmapped_actions.length ? (
        <>
          <h3>Actions without a category</h3>
          <p>
            These actions count as "other" time. Add them to an action map (
            <code>action,category</code>) and import again to file them under notes, orders, inbox…
          </p>
          <DataTable
            caption="Most frequent unmapped actions"
            data={{
              columns: ['Action', 'Events'],
              rows: report.top_unmapped_actions.map((a) => [a.action, n(a.events)]),
            }}
          />
        </>
      ) : null}
      <h3>Rejected rows</h3>
      {rejects.length ? (
        <>
          <p>
            {rejects.length > shown.length
              ? `The first ${shown.length} of ${n(rejects.length)} rejected rows.`
              : `${n(rejects.length)} rejected row${rejects.length === 1 ? '' : 's'}.`}{' '}
            The rows themselves stay in the rejects file on the server (they may hold patient
            identifiers).
          </p>
          <DataTable
            caption="Rejected rows: line and reason"
            data={{ columns: ['Line', 'Reason'], rows: shown.map((r) => [r.line, r.reason]) }}
          />
        </>
      ) : (
        <p>None.</p>
      )}
    </>
  );
}

const EXPORT_TABLES = ['events', 'clinicians', 'schedule', 'orders', 'training'] as const;

/** Download a canonical table (as `uptake export`): a link the browser follows with the session. */
function Download(): ReactNode {
  const [table, setTable] = useState<string>('events');
  const [format, setFormat] = useState<string>('parquet');
  return (
    <section className="section" aria-labelledby="download">
      <h2 id="download">Download a table</h2>
      <p>
        A table in the columns of its canonical CSV, importable again. Patient identifiers are the
        stored pseudonyms, times are in UTC, and the download is recorded in the access log.
      </p>
      <div className="upload">
        <Select label="Table to download" value={table} onChange={setTable}>
          {EXPORT_TABLES.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </Select>
        <Select label="File format" value={format} onChange={setFormat}>
          <option value="parquet">Parquet</option>
          <option value="csv">CSV</option>
          <option value="json">JSON (one object per line)</option>
        </Select>
        <a className="button" href={`/api/export/${table}?format=${format}`} download>
          Download {table}.{format}
        </a>
      </div>
    </section>
  );
}

/** The upload's formats: the server detects the format from the contents by default. */
const FORMATS: readonly [string, string][] = [
  ['auto', 'Detect from the file'],
  ['csv', 'Canonical CSV'],
  ['epic-access-log', 'Epic access-log export (events)'],
  ['fhir', 'FHIR R4 (NDJSON, Bundle or resource)'],
  ['parquet', 'Parquet (canonical columns)'],
];

function Upload({ onDone, timezone }: { onDone: () => void; timezone: string }): ReactNode {
  const [table, setTable] = useState<string>('events');
  const [format, setFormat] = useState<string>('auto');
  const [sourceTz, setSourceTz] = useState<string>(timezone);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<ImportReport | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const file = useRef<HTMLInputElement>(null);
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const f = file.current?.files?.[0];
    if (!f) {
      setError(new ApiError(400, 'NO_FILE', 'Choose a file to upload.'));
      return;
    }
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      const r = await api<ImportReport | { report: ImportReport }>(
        `/api/imports?${new URLSearchParams({
          table,
          format,
          filename: safeName(f.name),
          ...(sourceTz.trim() ? { source_tz: sourceTz.trim() } : {}),
        }).toString()}`,
        { method: 'POST', body: f, contentType: 'application/octet-stream' },
      );
      setResult('report' in r ? r.report : r);
      onDone();
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'NETWORK', String(err)));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="section" aria-labelledby="upload">
      <h2 id="upload">Upload a file</h2>
      <p>
        Canonical CSV with a header row, an Epic access-log export (events) or FHIR R4 (NDJSON, a
        Bundle or one resource); the format is detected from the file unless you choose it. Times
        written without an offset (every Epic ACCESS_TIME) are read in the source time zone.
        Importing the same file again stores nothing twice. Patient identifiers are pseudonymized on
        arrival.
      </p>
      <form className="upload" onSubmit={(e) => void submit(e)} aria-label="Upload a file">
        <Select label="Table" value={table} onChange={(v) => setTable(v)}>
          {TABLES.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </Select>
        <Select label="Format" value={format} onChange={(v) => setFormat(v)}>
          {FORMATS.map(([k, l]) => (
            <option key={k} value={k}>
              {l}
            </option>
          ))}
        </Select>
        <label>
          Source time zone
          <input
            type="text"
            value={sourceTz}
            onChange={(e) => setSourceTz(e.target.value)}
            placeholder="America/Chicago"
            spellCheck={false}
            autoComplete="off"
          />
        </label>
        <label>
          File
          <input
            ref={file}
            type="file"
            accept=".csv,.txt,.ndjson,.json,.parquet,text/csv,application/json,application/x-ndjson"
            required
          />
        </label>
        <button type="submit" disabled={busy}>
          {busy ? 'Importing…' : 'Import'}
        </button>
      </form>
      <div role="status" aria-live="polite">
        {result ? (
          <p className="ok">
            Imported into {result.table}: {n(result.rows_stored)} stored, {n(result.rows_duplicate)}{' '}
            already present, {n(result.rows_rejected)} rejected.{' '}
            <a href={href(['data', String(result.import_id)])}>See the report</a>.
          </p>
        ) : null}
      </div>
      {error ? <ErrorBox error={error} /> : null}
    </section>
  );
}
