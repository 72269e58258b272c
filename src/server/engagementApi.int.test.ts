/**
 * The engagement endpoints on every engine: who may call them, a leader's own groups only, the
 * small-cell rule for a leader and not for an administrator, the clinician's own figures beside
 * their specialty's, and every view in the access log. The figures themselves are tested in
 * `src/engage/engagementMeasures.int.test.ts`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngagementRow } from '../model/engagement.ts';
import { engines } from '../testing/testEngines.ts';
import {
  call,
  login,
  testSystem,
  removeTestDir,
  type Session,
  type TestSystem,
} from '../testing/testSystem.ts';

afterAll(removeTestDir);

interface Report {
  options: { redacted: boolean; by: string };
  rows: EngagementRow[];
}

describe.each(engines())('engagement API on $name', (engine) => {
  let sys: TestSystem;
  let admin: Session;
  let leader: Session;
  let it_: Session;
  let champion: Session;
  let clin: Session;
  let dept: string;
  let range: string;

  beforeAll(async () => {
    sys = await testSystem(engine);
    admin = await login(sys.app, sys.account('admin'));
    leader = await login(sys.app, sys.account('leader'));
    it_ = await login(sys.app, sys.account('it'));
    champion = await login(sys.app, sys.account('champion'));
    clin = await login(sys.app, sys.account('clinician', 0));
    // Two patients write to a clinician of the leader's first department: a messages block of 2
    // patients, below the small-cell rule.
    dept = sys.account('leader').groups[0]!.value;
    const [c] = await sys.store.all<{ user_id: string }>(
      `SELECT user_id FROM clinicians WHERE department = $1 ORDER BY user_id LIMIT 1`,
      [dept],
    );
    const at = `${sys.gen.from}T15:00:00Z`;
    for (const [id, patient] of [
      ['m1', 'pa'],
      ['m2', 'pb'],
    ])
      await sys.store.run(
        `INSERT INTO messages (message_id, sent_at, patient_id, clinician_id, direction)
         VALUES ($1, CAST($2 AS TIMESTAMPTZ), $3, $4, 'to_clinician')`,
        [id!, at, patient!, c!.user_id],
      );
    range = `from=${sys.gen.from}&to=${sys.gen.to}`;
  }, 600_000);
  afterAll(async () => sys?.close());

  it('refuses clinicians and champions (403) and anonymous callers (401)', async () => {
    const url = `/api/engagement?${range}`;
    expect((await call(sys.app, clin, 'GET', url)).statusCode).toBe(403);
    expect((await call(sys.app, champion, 'GET', url)).statusCode).toBe(403);
    expect((await call(sys.app, null, 'GET', url)).statusCode).toBe(401);
    expect((await call(sys.app, null, 'GET', `/api/me/engagement?${range}`)).statusCode).toBe(401);
    expect((await call(sys.app, admin, 'GET', `/api/engagement?from=x&to=y`)).statusCode).toBe(400);
  });

  it('shows a leader their groups with small blocks hidden, an administrator everything', async () => {
    const get = async (s: Session) => {
      const r = await call(sys.app, s, 'GET', `/api/engagement?${range}&by=department`);
      expect(r.statusCode).toBe(200);
      return r.json<Report>();
    };
    const [asLeader, asAdmin, asIt] = [await get(leader), await get(admin), await get(it_)];
    const own = sys.account('leader').groups.map((g) => g.value);
    expect(asLeader.rows.length).toBeGreaterThan(0);
    expect(asLeader.rows.every((r) => own.includes(r.group))).toBe(true);
    expect(asAdmin.rows.length).toBeGreaterThan(asLeader.rows.length);
    expect(asIt.rows.map((r) => r.group)).toEqual(asAdmin.rows.map((r) => r.group));
    expect(asLeader.options.redacted).toBe(true);
    expect(asAdmin.options.redacted).toBe(false);

    const forLeader = asLeader.rows.find((r) => r.group === dept)!;
    const forAdmin = asAdmin.rows.find((r) => r.group === dept)!;
    expect(forAdmin.suppressed).toContain('messages');
    expect(forLeader.suppressed).toEqual(forAdmin.suppressed);
    // The administrator sees the two messages; the leader sees none of the block.
    expect(forAdmin).toMatchObject({ patient_messages: 2, message_patients: 2 });
    expect(forLeader).toMatchObject({ patient_messages: null, message_patients: null });
    // Patients seen: a department of the generated system sees more than 11 patients in 3 weeks.
    expect(forAdmin.seen_patients).toBeGreaterThanOrEqual(11);
    if (!forAdmin.suppressed.includes('seen'))
      expect(forLeader.patients_seen).toBe(forAdmin.patients_seen);
  });

  it('gives a clinician their own figures beside their specialty’s', async () => {
    const a = sys.account('clinician', 0);
    const r = await call(sys.app, clin, 'GET', `/api/me/engagement?${range}&period=week`);
    expect(r.statusCode).toBe(200);
    const body = r.json<{
      clinician_id: string;
      peer_group: { group: string };
      mine: EngagementRow[];
      peers: EngagementRow[];
    }>();
    expect(body.clinician_id).toBe(a.clinician_id);
    expect(body.mine.every((x) => x.group === a.clinician_id)).toBe(true);
    expect(body.peers.every((x) => x.group === body.peer_group.group)).toBe(true);
    expect(body.peers.length).toBeGreaterThan(0);
    // The IT account is linked to no clinician: it has no figures of its own.
    expect(sys.account('it').clinician_id).toBeNull();
    const noClinician = await call(sys.app, it_, 'GET', `/api/me/engagement?${range}`);
    expect(noClinician.statusCode).toBe(403);
  });

  it('is described in the OpenAPI document', async () => {
    const doc = (await call(sys.app, null, 'GET', '/api/openapi.json')).json();
    const names = (p: string) =>
      doc.paths[p].get.parameters.map((x: { name: string }) => x.name).sort();
    expect(names('/api/engagement')).toEqual(['by', 'from', 'period', 'to']);
    expect(names('/api/me/engagement')).toEqual(['from', 'period', 'to']);
    expect(doc.components.schemas.EngagementRow.properties).toHaveProperty('reply_business_hours');
  });

  it('writes every view to the access log', async () => {
    const rows = await sys.store.all<{ resource: string; outcome: string }>(
      `SELECT resource, outcome FROM access_log WHERE resource LIKE 'engagement%'`,
    );
    expect(rows.some((r) => r.resource === 'engagement/department')).toBe(true);
    expect(rows.some((r) => r.resource.startsWith('engagement/me/'))).toBe(true);
  });
});
