/**
 * Data (administrators): "Is the data complete and clean?" Imports with their reports, rejected
 * rows (line and reason only: a rejected row can hold a raw patient identifier, so it is never
 * shown), actions without a category, uploading a file, and removing a wrong import (what it
 * would remove is shown, and confirmed, first).
 */
import { useRef, useState, type FormEvent, type ReactNode } from 'react';
import {
  api,
  ApiError,
  apiPath,
  members,
  type ApiParams,
  type ApiResponse,
  type ExportQuery,
  type ImportReport,
  type ImportRow,
  type UploadQuery,
} from '../api.ts';
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

type Rejects = ApiResponse<'GET /api/imports/:id'>['rejects'];
type UploadTable = UploadQuery['table'];
type UploadFormat = NonNullable<UploadQuery['format']>;
type ExportTable = ApiParams<'GET /api/export/:table'>['table'];
type ExportFormat = NonNullable<ExportQuery['format']>;
/** What removing an import removes (`removed: false`: what it would remove). */
type Removal = ApiResponse<'GET /api/imports/:id/removal'>;

/** The tables an upload fills (the server's closed set). */
const TABLES = members<UploadTable>({
  events: true,
  clinicians: true,
  schedule: true,
  orders: true,
  patient_events: true,
  patient_accounts: true,
  messages: true,
  releases: true,
});

/** The upload's name as the server accepts it: letters, digits, `._-` and spaces. */
const safeName = (name: string): string =>
  name.replace(/[^A-Za-z0-9._ -]/g, '_').slice(-120) || 'upload.csv';

const n = (x: number | undefined | null): string =>
  x === undefined || x === null ? '—' : Number(x).toLocaleString('en');

/** Only the file's own name: server paths are not the reader's business. */
const baseName = (f: string): string => f.split(/[\\/]/).at(-1) ?? '';

export function DataPage({
  meta,
  importId,
}: PageProps & { importId: string | undefined }): ReactNode {
  const list = useApi('GET /api/imports');
  const rows = list.data ?? [];
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
    'Removed by',
  ];
  const finishedAt = (r: ImportRow): string => zoned(r.finished_at ?? r.started_at ?? null, tz);
  return (
    <>
      <PageHeader title="Data" question="Is the data complete and clean, and what came in last?" />
      <Freshness meta={meta} />
      {importId ? (
        <ImportDetail
          key={importId}
          id={importId}
          timezone={tz}
          removedBy={rows.find((r) => String(r.import_id) === importId)?.removed_by ?? null}
          onRemoved={list.reload}
        />
      ) : null}
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
                      <td>{r.table_name}</td>
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
                      <td>
                        {r.removed_by ? (
                          <a href={href(['data', String(r.removed_by)])}>#{r.removed_by}</a>
                        ) : null}
                      </td>
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
                r.table_name,
                r.format,
                baseName(r.file),
                finishedAt(r),
                r.rows_read,
                r.rows_stored,
                r.rows_duplicate,
                r.rows_rejected,
                r.unmapped,
                r.removed_by ? `#${r.removed_by}` : '',
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

function ImportDetail({
  id,
  timezone,
  removedBy,
  onRemoved,
}: {
  id: string;
  timezone: string;
  removedBy: number | null;
  onRemoved: () => void;
}): ReactNode {
  const d = useApi('GET /api/imports/:id', { params: { id } });
  const removal = d.data?.report.format === 'removal';
  // What this page removed, kept here: the list reloads after a removal and re-renders the
  // detail with `removedBy`, which must not take the confirmation away.
  const [removed, setRemoved] = useState<Removal | null>(null);
  return (
    <section className="section detail" aria-labelledby="import-detail">
      <h2 id="import-detail">
        {removal ? 'Entry' : 'Import'} #{id}
      </h2>
      {d.error ? <ErrorBox error={d.error} /> : null}
      {d.loading && !d.data ? <Loading what={`import ${id}`} /> : null}
      {d.data && removal ? (
        <p>This entry records the removal of an import: {d.data.report.file}. It stored no rows.</p>
      ) : null}
      {d.data && !removal ? (
        <ReportView report={d.data.report} rejects={d.data.rejects} timezone={timezone} />
      ) : null}
      {removed ? (
        <p className="ok" role="status">
          Removed import #{removed.import_id}: {rowsText(removed.rows)} and {n(removed.rejects)}{' '}
          rejected line{removed.rejects === 1 ? '' : 's'} (recorded as entry #{removed.removal_id}).
        </p>
      ) : null}
      {d.data && !removal && !removed ? (
        removedBy ? (
          <p>
            Removed: its rows are no longer stored (
            <a href={href(['data', String(removedBy)])}>entry #{removedBy}</a>).
          </p>
        ) : (
          <RemoveImport
            id={id}
            onRemoved={(r) => {
              setRemoved(r);
              onRemoved();
            }}
          />
        )
      ) : null}
      <p>
        <a href={href(['data'])}>Close this import</a>
      </p>
    </section>
  );
}

const rowsText = (rows: Record<string, number>): string =>
  Object.entries(rows)
    .map(([t, k]) => `${n(k)} ${t} row${k === 1 ? '' : 's'}`)
    .join(', ');

/**
 * Remove a wrong import: first what it would remove (asked of the server, which counts the rows
 * still stored), then a confirmation; the reports recompute afterwards.
 */
function RemoveImport({
  id,
  onRemoved,
}: {
  id: string;
  onRemoved: (r: Removal) => void;
}): ReactNode {
  const [preview, setPreview] = useState<Removal | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const call = async (f: () => Promise<void>): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      await f();
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'NETWORK', String(err)));
    } finally {
      setBusy(false);
    }
  };
  const ask = () =>
    call(async () => setPreview(await api('GET /api/imports/:id/removal', { params: { id } })));
  const remove = () =>
    call(async () => {
      const r = await api('DELETE /api/imports/:id', { params: { id } });
      setPreview(null);
      onRemoved(r);
    });
  return (
    <div className="remove-import">
      <h3>Remove this import</h3>
      {preview ? (
        <div role="alertdialog" aria-labelledby="remove-question" aria-describedby="remove-what">
          <p id="remove-question">
            <strong>Remove import #{preview.import_id}?</strong>
          </p>
          <p id="remove-what">
            This deletes the {rowsText(preview.rows)} it stored, its {n(preview.rejects)} rejected
            line{preview.rejects === 1 ? '' : 's'} and its rejects file. It cannot be undone: import
            the file again to bring the rows back.
            {preview.replaced_rows
              ? ` ${n(preview.replaced_rows)} roster rows it changed will not get their earlier versions back.`
              : ''}
          </p>
          <button type="button" onClick={() => void remove()} disabled={busy}>
            {busy ? 'Removing…' : `Remove import #${preview.import_id}`}
          </button>{' '}
          <button
            type="button"
            className="secondary"
            onClick={() => setPreview(null)}
            disabled={busy}
          >
            Cancel
          </button>
        </div>
      ) : (
        <>
          <p>
            A wrong file? Removing the import deletes every row it stored; the reports then
            recompute.
          </p>
          <button type="button" className="secondary" onClick={() => void ask()} disabled={busy}>
            Remove import #{id}…
          </button>
        </>
      )}
      {error ? <ErrorBox error={error} /> : null}
    </div>
  );
}

function ReportView({
  report,
  rejects,
  timezone,
}: {
  report: ImportReport;
  rejects: Rejects;
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
        <div>
          <dt>Updated</dt>
          <dd>{n(report.rows_updated)}</dd>
        </div>
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

/** The tables a download may name (the server's closed set). */
const EXPORT_TABLES = members<ExportTable>({
  events: true,
  clinicians: true,
  schedule: true,
  orders: true,
  training: true,
  patient_events: true,
  patient_accounts: true,
  messages: true,
  releases: true,
});
const EXPORT_FORMATS: Record<ExportFormat, string> = {
  parquet: 'Parquet',
  csv: 'CSV',
  json: 'JSON (one object per line)',
};

/** Download a canonical table (as `uptake export`): a link the browser follows with the session. */
function Download(): ReactNode {
  const [table, setTable] = useState<ExportTable>('events');
  const [format, setFormat] = useState<ExportFormat>('parquet');
  return (
    <section className="section" aria-labelledby="download">
      <h2 id="download">Download a table</h2>
      <p>
        A table in the columns of its canonical CSV, importable again. Patient identifiers are the
        stored pseudonyms, times are in UTC, and the download is recorded in the access log.
      </p>
      <div className="upload">
        <Select
          label="Table to download"
          value={table}
          onChange={(v) => setTable(v as ExportTable)}
        >
          {EXPORT_TABLES.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </Select>
        <Select label="File format" value={format} onChange={(v) => setFormat(v as ExportFormat)}>
          {members(EXPORT_FORMATS).map((f) => (
            <option key={f} value={f}>
              {EXPORT_FORMATS[f]}
            </option>
          ))}
        </Select>
        <a
          className="button"
          href={apiPath('GET /api/export/:table', { params: { table }, query: { format } })}
          download
        >
          Download {table}.{format}
        </a>
      </div>
    </section>
  );
}

/** The upload's formats: the server detects the format from the contents by default. */
const FORMATS: Record<UploadFormat, string> = {
  auto: 'Detect from the file',
  csv: 'Canonical CSV',
  'epic-access-log': 'Epic access-log export (events)',
  fhir: 'FHIR R4 (NDJSON, Bundle or resource)',
  parquet: 'Parquet (canonical columns)',
};

function Upload({ onDone, timezone }: { onDone: () => void; timezone: string }): ReactNode {
  const [table, setTable] = useState<UploadTable>('events');
  const [format, setFormat] = useState<UploadFormat>('auto');
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
      const r = await api('POST /api/imports', {
        query: {
          table,
          format,
          filename: safeName(f.name),
          ...(sourceTz.trim() ? { source_tz: sourceTz.trim() } : {}),
        },
        file: f,
        contentType: 'application/octet-stream',
      });
      setResult(r);
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
        <Select label="Table" value={table} onChange={(v) => setTable(v as UploadTable)}>
          {TABLES.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </Select>
        <Select label="Format" value={format} onChange={(v) => setFormat(v as UploadFormat)}>
          {members(FORMATS).map((k) => (
            <option key={k} value={k}>
              {FORMATS[k]}
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
