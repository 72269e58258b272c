/**
 * The demo's champions (issue #14, "Demo and tests"), on both engines: on seven weeks of
 * generated data with its training records and tool, on the demo's clock, the suggested
 * champions, one accepted (a champion account of the department), one waiting, uncovered
 * departments and training targets — and nothing made twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { engines } from '../testing/testEngines.ts';
import { generate, type GenerateResult } from '../synth/generate.ts';
import { importCsv } from '../ingest/importCsv.ts';
import { importTraining } from '../ingest/importTraining.ts';
import { Pseudonymizer } from '../ingest/pseudonymize.ts';
import { TABLES } from '../model/canonical.ts';
import { DEFAULT_OPTIONS } from '../model/options.ts';
import { parseToolsFile, saveTool } from '../analysis/tools.ts';
import { refreshDays } from '../metrics/metricDays.ts';
import { setSetting } from '../store/settings.ts';
import type { Store } from '../store/Store.ts';
import { ensureDemoAccounts } from './demoAccounts.ts';
import { accountsOf } from './accounts.ts';
import { demoInvitee, ensureDemoChampions } from './demoChampions.ts';

let dir: string;
let gen: GenerateResult;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'uptake-demo-champions-'));
  gen = await generate({ outDir: join(dir, 'data'), clinicians: 40, days: 49, seed: 3 });
}, 300_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

for (const engine of engines()) {
  describe(`demo champions (${engine.name})`, () => {
    let store: Store;
    beforeAll(async () => {
      store = await engine.open();
      const pseudonymizer = Pseudonymizer.load(join(dir, 'key'));
      const rejectsDir = join(dir, `rejects-${engine.name}`);
      for (const table of TABLES)
        await importCsv(store, { table, file: gen.files[table], pseudonymizer, rejectsDir });
      await importTraining(store, {
        format: 'csv',
        file: gen.training!.csv,
        pseudonymizer,
        rejectsDir,
      });
      const doc: unknown = JSON.parse(readFileSync(gen.training!.tools, 'utf8'));
      for (const t of parseToolsFile(doc, gen.training!.tools)) await saveTool(store, t);
      await setSetting(store, 'timezone', gen.timezone);
      await refreshDays(store, { ...DEFAULT_OPTIONS, timezone: gen.timezone });
    }, 600_000);
    afterAll(async () => store.close());

    it('suggests, accepts one, invites another, leaves departments uncovered, finds targets', async () => {
      const demo = await ensureDemoAccounts(
        store,
        join(dir, `accounts-${engine.name}.json`),
        gen.goLive.departments,
      );
      const o = {
        today: gen.to,
        timezone: gen.timezone,
        options: { ...DEFAULT_OPTIONS, timezone: gen.timezone },
        now: new Date(`${gen.to}T15:00:00Z`),
      };
      const r = await ensureDemoChampions(store, demo, o);
      expect(r).not.toBeNull();
      expect(r!.suggested).toBeGreaterThanOrEqual(2);
      expect(r!.accepted).not.toBeNull();
      expect(r!.invited).not.toBeNull();
      expect(r!.uncovered.length).toBeGreaterThan(0);
      expect(r!.training_targets).toBeGreaterThan(0);
      const accepted = (await accountsOf(store).get(r!.accepted!))!;
      expect(accepted.role).toBe('champion');
      const [inv] = await store.all<{ department: string }>(
        `SELECT department FROM champion_invitations WHERE state = 'accepted'`,
      );
      expect(accepted.groups).toEqual([{ by: 'department', value: inv!.department }]);
      expect(await store.all(`SELECT state FROM champion_invitations ORDER BY state`)).toEqual([
        { state: 'accepted' },
        { state: 'invited' },
      ]);
      expect((await accountsOf(store).get(r!.invited!))!.role).toBe('clinician');
      // The waiting invitee can sign in (a new password each start) and see it.
      const invitee = (await demoInvitee(store))!;
      expect(invitee.username).toBe(r!.invited);
      expect(
        await accountsOf(store).authenticate(invitee.username, invitee.password),
      ).not.toBeNull();
      // Started again: nothing new.
      expect(await ensureDemoChampions(store, demo, o)).toBeNull();
    });
  });
}
