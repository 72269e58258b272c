/**
 * `uptake demo`'s work, loaded only when the command runs (so that `uptake --help` and other
 * commands do not load the generator, the importers and the server).
 */
import { demoInvitee, ensureDemoChampions } from '../admin/demoChampions.ts';
import { localToday } from '../analysis/range.ts';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { TABLES } from '../model/canonical.ts';
import { DEFAULT_OPTIONS } from '../model/options.ts';
import { importCsv } from '../ingest/importCsv.ts';
import { importTraining } from '../ingest/importTraining.ts';
import { getTool, parseToolsFile, saveTool, toolExists } from '../analysis/tools.ts';
import { Pseudonymizer } from '../ingest/pseudonymize.ts';
import { groupMetrics, parseRequest } from '../metrics/computeMetrics.ts';
import { DuckDBStore, restrictStoreFiles } from '../store/duckdbStore.ts';
import { openWorker } from '../store/worker.ts';
import { dayFingerprint, dayGroupMetrics, refreshDays } from '../metrics/metricDays.ts';
import { readSettings } from '../admin/orgSettings.ts';
import { setSetting } from '../store/settings.ts';
import type { GenerateResult } from '../synth/generate.ts';
import { renderTable } from './format.ts';
import { generateWithProgress } from './generateRun.ts';
import { keyFile, rejectsDir } from '../admin/paths.ts';
import {
  describeAccounts,
  ensureDemoAccounts,
  ensureDemoHelpRequests,
} from '../admin/demoAccounts.ts';
import { demoClock, ensureDemoProgram } from '../admin/demoProgram.ts';
import { DEMO_SURVEY_EFFECT, ensureDemoSurveys } from '../admin/demoSurveys.ts';
import { startDemoFhir } from '../admin/demoFhir.ts';
import { parsePort, startServer, untilStopped } from '../server/index.ts';

/** The patient-side tables in the order the demo imports them. */
const PATIENT_IMPORT_ORDER = [
  'patient_accounts',
  'releases',
  'messages',
  'patient_events',
] as const;

export interface DemoFlags {
  dir: string;
  clinicians: string;
  days: string;
  fresh?: boolean;
  serve: boolean;
  port: string;
  host: string;
}

/** Generate, import, summarise and serve the demo system. */
export async function runDemo(flags: DemoFlags): Promise<void> {
  const port = parsePort(flags.port);
  const dataDir = join(flags.dir, 'data');
  const dbPath = join(flags.dir, 'uptake.duckdb');
  const manifest = join(flags.dir, 'generated.json');
  mkdirSync(flags.dir, { recursive: true });
  let gen: GenerateResult;
  if (!flags.fresh && existsSync(manifest)) {
    gen = JSON.parse(readFileSync(manifest, 'utf8')) as GenerateResult;
    process.stdout.write(
      `Using the synthetic health system in ${dataDir} (run with --fresh to make a new one).\n`,
    );
  } else {
    for (const f of [dbPath, `${dbPath}.wal`])
      if (existsSync(f)) (await import('node:fs')).rmSync(f);
    process.stdout.write(`Generating a synthetic health system in ${dataDir} …\n`);
    gen = await generateWithProgress({
      outDir: dataDir,
      clinicians: Number(flags.clinicians),
      days: Number(flags.days),
      seed: 1,
    });
    writeFileSync(manifest, JSON.stringify(gen, null, 2));
  }
  // The store holds password hashes and the access log: owner-only, also a demo made before.
  restrictStoreFiles(dbPath);
  const store = await DuckDBStore.open(dbPath);
  try {
    const [done] = await store.all<{ n: number }>(`SELECT count(*) AS n FROM imports`);
    if (!done?.n) {
      const pseudonymizer = Pseudonymizer.load(keyFile(store));
      for (const table of TABLES) {
        const r = await importCsv(store, {
          table,
          file: gen.files[table],
          pseudonymizer,
          rejectsDir: rejectsDir(store),
        });
        process.stdout.write(
          `imported ${r.rows_stored} ${table} rows in ${r.seconds.toFixed(1)} s\n`,
        );
      }
      // The patient side (engagement.md §1), so that the engagement measures have data; accounts
      // and releases first, then what refers to them. A demo generated before it had none.
      if (gen.patient) {
        for (const table of PATIENT_IMPORT_ORDER) {
          const r = await importCsv(store, {
            table,
            file: gen.patient.files[table],
            pseudonymizer,
            rejectsDir: rejectsDir(store),
          });
          process.stdout.write(
            `imported ${r.rows_stored} ${table} rows in ${r.seconds.toFixed(1)} s\n`,
          );
        }
      }
      // Training records and the go-live's tool definition, so that adoption and evaluation work.
      if (gen.training) {
        const r = await importTraining(store, {
          format: 'csv',
          file: gen.training.csv,
          pseudonymizer,
          rejectsDir: rejectsDir(store),
        });
        process.stdout.write(`imported ${r.rows_stored} training records\n`);
        const doc: unknown = JSON.parse(readFileSync(gen.training.tools, 'utf8'));
        for (const t of parseToolsFile(doc, gen.training.tools)) await saveTool(store, t);
      }
      await setSetting(store, 'timezone', gen.timezone);
    } else if (gen.training) {
      // A demo made before tools named a target metric: give its tool the file's target, so
      // the go-live page opens on the metric the tool is meant to move.
      const doc: unknown = JSON.parse(readFileSync(gen.training.tools, 'utf8'));
      for (const t of parseToolsFile(doc, gen.training.tools)) {
        if (!t.target_metric || !(await toolExists(store, t.name))) continue;
        const old = await getTool(store, t.name);
        if (!old.target_metric)
          await saveTool(store, {
            ...old,
            target_metric: t.target_metric,
            target_direction: t.target_direction,
            golives: [],
          });
      }
    }
    // The day table of the organisation's options, which the web app's pages add up: ready
    // before the first page (a no-op when the store has not changed since the last start).
    const t0 = performance.now();
    const settings = await readSettings(store);
    const worker = await openWorker(store);
    try {
      const r = await refreshDays(worker, settings.options);
      if (r.changed)
        process.stdout.write(
          `prepared the day table (${r.days} days) in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`,
        );
    } finally {
      await worker.close();
    }
    const req = parseRequest({
      from: gen.from,
      to: gen.to,
      period: 'all',
      options: { ...DEFAULT_OPTIONS, timezone: gen.timezone },
    });
    // The summary from the day table when it has these options (the same numbers, at once).
    const days = dayFingerprint(req.options) === dayFingerprint(settings.options);
    const groups = days ? dayGroupMetrics : groupMetrics;
    const org = await groups(store, req, 'org', 5);
    const dept = await groups(store, req, 'department', 5);
    const o = org[0];
    const f = (x: number | null | undefined) =>
      x === null || x === undefined ? '—' : x.toFixed(2);
    process.stdout.write(
      `\nUptake — synthetic health system, ${gen.from} to ${gen.to} (exclusive), ${gen.timezone}\n` +
        `${o?.clinicians ?? 0} clinicians with activity, ${o?.n ?? 0} with scheduled clinic time.\n` +
        `Median EHR hours per 8 scheduled hours (EHR-Time8): ${f(o?.ehr_time8_median)} (IQR ${f(o?.ehr_time8_p25)}–${f(o?.ehr_time8_p75)})\n` +
        `Median work outside work (WOW8): ${f(o?.wow8_median)}   inbox (IB-Time8): ${f(o?.ib_time8_median)}   notes (Note-Time8): ${f(o?.note_time8_median)}\n` +
        `Go-live: ${gen.goLive.tool} on ${gen.goLive.date} in ${gen.goLive.departments.join(', ')}.\n\n` +
        `By department (median [p25–p75] per 8 scheduled hours):\n` +
        renderTable(
          dept.map((d) => ({
            department: d.group,
            n: d.n,
            ehr_time8: `${f(d.ehr_time8_median)} [${f(d.ehr_time8_p25)}–${f(d.ehr_time8_p75)}]`,
            wow8: f(d.wow8_median),
            ib_time8: f(d.ib_time8_median),
            note_time8: f(d.note_time8_median),
          })),
          ['department', 'n', 'ehr_time8', 'wow8', 'ib_time8', 'note_time8'],
        ) +
        `\n\nOptions: gap model, timeout ${DEFAULT_OPTIONS.timeout_seconds} s, forward, drop, split, WOW = outside scheduled sessions.\n` +
        `Explore: npx uptake metrics --db ${dbPath} --from ${gen.from} --to ${gen.to} --by department --period week\n`,
    );
    if (!flags.serve) return;
    const accounts = await ensureDemoAccounts(
      store,
      join(flags.dir, 'accounts.json'),
      gen.goLive.departments,
    );
    // The demo runs on its data's clock: "today" is the day after the synthetic data end, so
    // goals' statuses and feedback clocks read as the demo means them whenever it is started.
    const now = await demoClock(store, gen, gen.timezone);
    await ensureDemoHelpRequests(store, accounts, now());
    const program = await ensureDemoProgram(store, accounts, {
      span: gen,
      now: now(),
      keyFile: keyFile(store),
    });
    if (program)
      process.stdout.write(
        `added the buy-in program: ${program.goals.length} goals, ${program.feedback.length} feedback items, ` +
          `${program.colleagues} clinician accounts that vote and write them\n`,
      );
    const surveys = await ensureDemoSurveys(store, {
      span: gen,
      now: now(),
      keyFile: keyFile(store),
    });
    if (surveys)
      process.stdout.write(
        `added surveys: SUS and NPS of the go-live departments before and after the go-live ` +
          `(${surveys.responses} responses; the model's go-live effect is +${DEMO_SURVEY_EFFECT.sus} SUS points ` +
          `and +${DEMO_SURVEY_EFFECT.nps_rating} on the 0–10 rating), and an open survey for everyone\n`,
      );
    const champions = await ensureDemoChampions(store, accounts, {
      today: localToday(gen.timezone, now()),
      timezone: gen.timezone,
      options: settings.options,
      now: now(),
    });
    if (champions)
      process.stdout.write(
        `added champions: ${champions.suggested} suggested by the data, ${champions.accepted ?? 'none'} accepted, ` +
          `${champions.invited ?? 'none'} invited; uncovered departments: ${champions.uncovered.join(', ') || 'none'}; ` +
          `${champions.training_targets} training targets\n`,
      );
    const invitee = await demoInvitee(store);
    // The EHR's FHIR server that follow-ups are delivered to (a real FHIR R4 implementation on
    // loopback, seeded with the recent visits of the demo's clinicians).
    const fhir = existsSync(gen.files.schedule)
      ? await startDemoFhir(store, {
          scheduleCsv: gen.files.schedule,
          clinicianIds: accounts.flatMap((a) => (a.clinician_id ? [a.clinician_id] : [])),
          now: now(),
        })
      : null;
    const { app, url } = await startServer(store, { port, host: flags.host, now });
    process.stdout.write(
      `\nUptake is running on ${url}  — open it in a browser (Ctrl-C stops it).\n` +
        `The demo's clock starts at ${now().toISOString().slice(0, 16).replace('T', ' ')} UTC, just after its data end, ` +
        `so goals and feedback clocks read as of then.\n` +
        (fhir
          ? `The EHR's FHIR server (for follow-ups written on My report): ${fhir.server.baseUrl} — ` +
            `${fhir.visits} recent visits; a follow-up appears there as Communication, CarePlan and Task ` +
            `(e.g. ${fhir.server.baseUrl}/Communication).\n`
          : '') +
        `Demo accounts (passwords generated at random on first start, kept in ${join(flags.dir, 'accounts.json')}):\n` +
        `  role       user name / password / what it shows\n` +
        describeAccounts(
          accounts,
          invitee
            ? [
                {
                  label: 'invited',
                  username: invitee.username,
                  password: invitee.password,
                  about: `a clinician invited to be a champion of ${invitee.department}: accept it on My report (a new password on each start)`,
                },
              ]
            : [],
        ) +
        '\n',
    );
    await untilStopped(app);
    await fhir?.server.close();
  } finally {
    await store.close();
  }
}
