/**
 * Uploads (issue 11, item 6 c, d): errors and import reports name the uploaded file by its own
 * name, never by the server's temporary copy (`uptake-upload-…/events.upload`), in the answer,
 * the imports table and the stored report; and every refused upload — a file the importer
 * refuses, a wrong content type, a bad query, a file too large — is in the access log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { engines } from '../testing/testEngines.ts';
import {
  login,
  testSystem,
  removeTestDir,
  type Session,
  type TestSystem,
} from '../testing/testSystem.ts';

afterAll(removeTestDir);

/** The server's temporary copy of an upload, by its folder or its file. */
const TEMP = /uptake-upload-|events\.upload/;

describe.each(engines())('uploads on $name', (engine) => {
  let sys: TestSystem;
  let admin: Session;

  beforeAll(async () => {
    sys = await testSystem(engine, { maxUploadBytes: 4096 });
    admin = await login(sys.app, sys.account('admin'));
  }, 600_000);
  afterAll(async () => sys?.close());

  const upload = (query: string, payload: string, type = 'text/csv') =>
    sys.app.inject({
      method: 'POST',
      url: `/api/imports?${query}`,
      headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrf, 'content-type': type },
      payload,
    });

  /** The newest access-log entries of uploads, newest first. */
  const uploads = async () =>
    sys.store.all<{ resource: string; outcome: string; detail: string; username: string }>(
      `SELECT resource, outcome, detail, username FROM access_log WHERE action = 'upload' ORDER BY id DESC`,
    );

  it('names the uploaded file, not the temporary copy, in reports and in the imports table', async () => {
    const uid = sys.account('clinician').clinician_id!;
    const csv =
      'event_id,occurred_at,user_id,action,category,patient_id\n' +
      `pv-1,2026-01-26T10:00:00-05:00,${uid},note_edit,notes,MRN-1\n` +
      `pv-2,2026-01-26T10:01:00,${uid},note_edit,notes,MRN-2\n`;
    const r = await upload('table=events&filename=ward%206%20events.csv', csv);
    expect(r.statusCode, r.body).toBe(200);
    const report = r.json() as { import_id: number; file: string; rows_rejected: number };
    expect(report.file).toBe('ward 6 events.csv');
    expect(report.rows_rejected).toBe(1);
    const list = await sys.app.inject({
      method: 'GET',
      url: '/api/imports',
      headers: { cookie: admin.cookie },
    });
    const row = (list.json() as { import_id: number; file: string; report: { file: string } }[])
      .filter((x) => x.import_id === report.import_id)
      .at(0)!;
    expect(row.file).toBe('ward 6 events.csv');
    expect(row.report.file).toBe('ward 6 events.csv');
    // (The rejects file is in the server's rejects folder, where an administrator finds it.)
    expect(JSON.stringify(row)).not.toMatch(/uptake-upload-/);
    const detail = await sys.app.inject({
      method: 'GET',
      url: `/api/imports/${report.import_id}`,
      headers: { cookie: admin.cookie },
    });
    expect(detail.body).not.toMatch(/uptake-upload-/);
    const [stored] = await sys.store.all<{ file: string; report: string }>(
      `SELECT file, report FROM imports WHERE import_id = $1`,
      [report.import_id],
    );
    expect(stored!.file).toBe('ward 6 events.csv');
    expect(stored!.report).not.toMatch(/uptake-upload-/);
    // Without a file name: the table's name, still no server path.
    const unnamed = await upload(
      'table=events',
      'event_id,occurred_at,user_id,action,category,patient_id\n' +
        `pv-3,2026-01-26T10:02:00-05:00,${uid},note_edit,notes,MRN-3\n`,
    );
    expect(unnamed.statusCode, unnamed.body).toBe(200);
    expect(unnamed.json().file).toBe('events.upload');
  });

  it('refuses a file by its own name and writes every refused upload to the access log', async () => {
    const before = (await uploads()).length;
    // The importer's refusal: not the table asked for.
    const missing = await upload('table=orders&filename=orders%20march.csv', 'order_id,foo\n1,2\n');
    expect(missing.statusCode, missing.body).toBe(400);
    const msg = missing.json().error.message as string;
    expect(msg).toMatch(/^orders march\.csv: not a file Uptake can import into orders/);
    expect(msg).not.toMatch(TEMP);
    // Not importable at all, without a file name.
    const junk = await upload('table=events', 'hello\n');
    expect(junk.statusCode, junk.body).toBe(400);
    expect(junk.json().error.message).not.toMatch(/uptake-upload-|\/tmp\//);
    // A content type that is not a file.
    const plain = await upload('table=events&filename=a.csv', 'x\n', 'text/plain');
    expect(plain.statusCode).toBe(400);
    expect(plain.json().error.message).toMatch(/content-type text\/csv/);
    // A file name that is a path, refused at the edge.
    const dots = await upload('table=events&filename=a%2Fb.csv', 'x\n');
    expect(dots.statusCode, dots.body).toBe(400);
    // Larger than the server takes.
    const big = await upload('table=events&filename=big.csv', 'x'.repeat(5000));
    expect(big.statusCode, big.body).toBe(413);

    const log = await uploads();
    expect(log.length - before).toBe(5);
    const refused = log.slice(0, 5).reverse();
    for (const e of refused)
      expect(e).toMatchObject({ resource: 'imports', outcome: 'failure', username: 'admin' });
    expect(refused.map((e) => e.detail)).toEqual([
      expect.stringMatching(/^refused: orders march\.csv: not a file Uptake can import/),
      expect.stringMatching(/^refused: .*not a file Uptake can import/),
      expect.stringMatching(/^refused: send the file as the body with content-type/),
      expect.stringMatching(/^refused: query filename/),
      expect.stringMatching(/^refused: the file is larger than/),
    ]);
    for (const e of refused) expect(e.detail).not.toMatch(/uptake-upload-|\/tmp\//);
    // The refusals stored nothing.
    const [n] = await sys.store.all<{ n: number }>(
      `SELECT count(*) AS n FROM imports WHERE file LIKE '%march%' OR file LIKE '%big%'`,
    );
    expect(Number(n!.n)).toBe(0);
  });
});
