/**
 * Administrators' routes: imports (list, one import, upload), settings, users and the access log.
 */
import type { FastifyInstance } from 'fastify';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { UptakeError } from '../../errors/UptakeError.ts';
import { importFiles } from '../../ingest/importFiles.ts';
import { previewRemoval, removeImport } from '../../ingest/removeImport.ts';
import { makeTempDir, removeTempDir } from '../../store/tempFiles.ts';
import { exportTable } from '../../export/exportTable.ts';
import { Pseudonymizer } from '../../ingest/pseudonymize.ts';
import { inRoster } from '../../admin/accounts.ts';
import { firstRejectedLines, getImport, listImports } from '../../admin/imports.ts';
import { changeSettings, type OrgSettings } from '../../admin/orgSettings.ts';
import type { SmtpSetting } from '../../model/feedback.ts';
import type { Mailer } from '../mailer.ts';
import { keyFile, rejectsDir } from '../../admin/paths.ts';
import type { SettingKey } from '../../model/constants.ts';
import { isTimeZone, type MetricOptions } from '../../model/options.ts';
import { API } from '../contract.ts';
import { defineRoute, logAccess, type Services } from '../routing.ts';
import { importReportSchema } from '../schemas.ts';

const ADMIN = ['admin'] as const;

/** The content types an upload may have (any file: the format is read from its contents). */
const UPLOAD_TYPES = [
  'text/csv',
  'application/octet-stream',
  'application/json',
  'application/fhir+json',
  'application/x-ndjson',
  'application/fhir+ndjson',
];
/** Rejected lines returned by one import's page (all are in the rejects file). */
const MAX_REJECTS = 10_000;

function withoutTimezone(o: MetricOptions): Omit<MetricOptions, 'timezone'> {
  const { timezone, ...rest } = o;
  void timezone;
  return rest;
}

/** The SMTP setting as the API shows it: the password never, only whether one is set. */
function smtpOut(smtp: SmtpSetting | null) {
  if (!smtp) return null;
  const { password, ...rest } = smtp;
  return { ...rest, password_set: password !== undefined };
}

function settingsOut(s: OrgSettings) {
  const metric = withoutTimezone(s.options);
  return {
    timezone: s.timezone,
    suppression_threshold: s.suppression_threshold,
    identified_reports: s.identified_reports,
    metric_options: metric,
    holidays: s.holidays,
    sla_targets: s.sla_targets,
    goal_rules: s.goal_rules,
    smtp: smtpOut(s.smtp),
    survey_min_days: s.survey_min_days,
    followups: s.followups,
  };
}

/** Copy `body` to `file`, refusing more than `max` bytes (also the surveys' CSV uploads). */
export async function saveUpload(body: Readable, file: string, max: number): Promise<number> {
  let bytes = 0;
  const limit = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      if (bytes > max)
        done(
          new UptakeError(
            'TOO_LARGE',
            `the file is larger than ${Math.round(max / 2 ** 20)} MiB; import it with the CLI (uptake import)`,
          ),
        );
      else done(null, chunk);
    },
  });
  await pipeline(body, limit, createWriteStream(file, { mode: 0o600 }));
  return bytes;
}

const EXPORT_TYPES = {
  parquet: 'application/vnd.apache.parquet',
  csv: 'text/csv; charset=utf-8',
  json: 'application/x-ndjson; charset=utf-8',
} as const;

export function adminRoutes(app: FastifyInstance, s: Services, mailer: Mailer): void {
  const checkInRoster = async (id: string): Promise<void> => {
    if (!(await inRoster(s.db, id)))
      throw new UptakeError(
        'INVALID_INPUT',
        `body clinician_id: ${id} is not in the roster; import the roster first or fix the id`,
      );
  };

  defineRoute(app, s, {
    ...API['GET /api/imports'],
    tag: 'data',
    summary: 'Past imports with their reports',
    access: ADMIN,
    async handler({ req, auth }) {
      const rows = await listImports(s.db);
      await logAccess(s, req, auth, 'view', 'imports');
      return rows.map((r) => {
        const parsed = r.report ? importReportSchema.safeParse(r.report) : null;
        return { ...r, report: parsed?.success ? parsed.data : null };
      });
    },
  });

  defineRoute(app, s, {
    ...API['GET /api/imports/:id'],
    tag: 'data',
    summary: 'One import: its report and its rejected lines with reasons',
    description: `At most ${MAX_REJECTS} rejected lines; never the rejected row itself (it may hold a raw identifier).`,
    access: ADMIN,
    async handler({ req, auth, params }) {
      const imp = await getImport(s.db, params.id);
      if (!imp) throw new UptakeError('NOT_FOUND', `no import ${params.id}`);
      const rejects = await firstRejectedLines(s.db, params.id, MAX_REJECTS);
      await logAccess(s, req, auth, 'view', `imports/${params.id}`);
      return { report: imp.report, rejects };
    },
  });

  defineRoute(app, s, {
    ...API['GET /api/imports/:id/removal'],
    tag: 'data',
    summary: 'What removing an import would remove (nothing changes)',
    access: ADMIN,
    async handler({ req, auth, params }) {
      const summary = await previewRemoval(s.db, params.id);
      await logAccess(s, req, auth, 'view', `imports/${params.id}/removal`);
      return { ...summary, removed: false };
    },
  });

  defineRoute(app, s, {
    ...API['DELETE /api/imports/:id'],
    tag: 'data',
    summary: 'Remove a wrong import: every row it stored, its rejected lines and rejects files',
    description:
      'As `uptake imports remove ID --yes`. Rows carry the import that stored them; those still ' +
      'there are deleted from every table in one transaction, and the removal is recorded as a ' +
      'new entry of the imports list (the reports then recompute). Roster rows the import ' +
      'replaced are not brought back. An import removed already, or a removal entry, answers 409.',
    access: ADMIN,
    async handler({ req, auth, params }) {
      const summary = await s.db.exclusive((raw) => removeImport(raw, params.id));
      await logAccess(
        s,
        req,
        auth,
        'delete',
        `imports/${params.id}`,
        `${summary.table}: ${Object.entries(summary.rows)
          .map(([t, n]) => `${n} ${t}`)
          .join(', ')}, ${summary.rejects} rejected lines removed (entry ${summary.removal_id})`,
      );
      s.warm();
      return { ...summary, removed: true };
    },
  });

  app.register(async (scope) => {
    // Files arrive as the raw body: streamed to a temporary file, never held in memory. Any
    // content type reaches the handler, which refuses the others itself, so that every refused
    // upload is written to the access log (`onFailure`).
    scope.addContentTypeParser('*', (_req, payload, done) => done(null, payload));
    defineRoute(scope, s, {
      ...API['POST /api/imports'],
      tag: 'data',
      summary: 'Upload a file and import it (the same importers as `uptake import`)',
      description:
        'The body is the file (content-type text/csv, application/json, application/fhir+json, ' +
        'application/x-ndjson or application/octet-stream): canonical CSV, an Epic access-log ' +
        'export (events; give source_tz) or FHIR R4 (NDJSON, Bundle or resource). The format is ' +
        'taken from the contents unless given. Returns the import report. Imports run one at a ' +
        'time. Reports and messages name the file by `filename`, never by the server’s temporary ' +
        'copy; every upload, refused or not, is written to the access log.',
      access: ADMIN,
      onFailure: async ({ req, auth }, e) =>
        logAccess(
          s,
          req,
          auth,
          'upload',
          'imports',
          `refused: ${e instanceof Error ? e.message : String(e)}`,
          'failure',
        ),
      async handler({ req, auth, query, body }) {
        const type = String(req.headers['content-type'] ?? '')
          .split(';')[0]!
          .trim()
          .toLowerCase();
        if (!body || typeof (body as Readable).pipe !== 'function' || !UPLOAD_TYPES.includes(type))
          throw new UptakeError(
            'INVALID_INPUT',
            `send the file as the body with content-type ${UPLOAD_TYPES.join(', ')}`,
          );
        if (query.source_tz && !isTimeZone(query.source_tz))
          throw new UptakeError(
            'INVALID_INPUT',
            `query source_tz: ${query.source_tz} is not an IANA time zone`,
          );
        const name = query.filename ?? `${query.table}.upload`;
        // Named by this process (`tempFiles.ts`): removed below, and swept at the next start if
        // the server is killed meanwhile.
        const dir = await makeTempDir('upload');
        const file = join(dir, name);
        try {
          const bytes = await saveUpload(body as Readable, file, s.maxUploadBytes);
          const [report] = await s.db.exclusive(async (raw) =>
            importFiles(raw, {
              table: query.table,
              format: query.format,
              files: [file],
              label: name,
              sourceTz: query.source_tz,
              identifierSystem: query.identifier_system,
              defaultRole: query.default_role,
              pseudonymizer: Pseudonymizer.load(s.keyFile ?? keyFile(raw)),
              rejectsDir: s.rejectsDir ?? rejectsDir(raw),
            }),
          );
          if (!report) throw new UptakeError('INVALID_INPUT', `${name}: nothing to import`);
          await logAccess(
            s,
            req,
            auth,
            'upload',
            `imports/${report.import_id}`,
            `${query.table} ${name} ${bytes} bytes: ${report.rows_stored} stored, ${report.rows_rejected} rejected`,
          );
          s.warm();
          return report;
        } catch (e) {
          // The importers name the file they read: the upload's own name, not the server's path.
          if (e instanceof Error)
            e.message = e.message.replaceAll(file, name).replaceAll(dir, 'the upload');
          throw e;
        } finally {
          await removeTempDir(dir);
        }
      },
    });
  });

  defineRoute(app, s, {
    ...API['GET /api/export/:table'],
    tag: 'data',
    summary: 'Download a canonical table as Parquet, CSV or JSON (as `uptake export`)',
    description:
      'In the columns of the table’s canonical CSV, importable again; patient ids are the stored ' +
      'pseudonyms. Every download is written to the access log.',
    access: ADMIN,
    async handler({ req, auth, params, query }) {
      const dir = await makeTempDir('export');
      const name = `${params.table}.${query.format}`;
      const path = join(dir, name);
      try {
        const rows = await exportTable(s.db, params.table, path, query.format);
        await logAccess(
          s,
          req,
          auth,
          'view',
          `export/${params.table}`,
          `${rows} rows as ${query.format}`,
        );
      } catch (e) {
        await removeTempDir(dir);
        throw e;
      }
      return {
        path,
        name,
        type: EXPORT_TYPES[query.format],
        cleanup: () => removeTempDir(dir),
      };
    },
  });

  defineRoute(app, s, {
    ...API['GET /api/settings'],
    tag: 'admin',
    summary: 'Organisation settings',
    access: ADMIN,
    async handler({ req, auth }) {
      const out = settingsOut(await s.settings());
      await logAccess(s, req, auth, 'view', 'settings');
      return out;
    },
  });

  defineRoute(app, s, {
    ...API['PUT /api/settings'],
    tag: 'admin',
    summary: 'Change organisation settings (only the fields sent)',
    access: ADMIN,
    async handler({ req, auth, body }) {
      const current = await s.settings();
      const writes: [SettingKey, string][] = [];
      if (body.timezone !== undefined) writes.push(['timezone', body.timezone]);
      if (body.suppression_threshold !== undefined)
        writes.push(['suppression_threshold', String(body.suppression_threshold)]);
      if (body.identified_reports !== undefined)
        writes.push(['identified_reports', String(body.identified_reports)]);
      if (body.metric_options !== undefined) {
        writes.push([
          'metric_options',
          JSON.stringify({ ...withoutTimezone(current.options), ...body.metric_options }),
        ]);
      }
      if (body.holidays !== undefined)
        writes.push(['holidays', JSON.stringify([...new Set(body.holidays)].sort())]);
      if (body.sla_targets !== undefined)
        writes.push([
          'sla_targets',
          JSON.stringify({ ...current.sla_targets, ...body.sla_targets }),
        ]);
      if (body.goal_rules !== undefined)
        writes.push(['goal_rules', JSON.stringify({ ...current.goal_rules, ...body.goal_rules })]);
      if (body.smtp !== undefined) {
        // Write-only: without a password the stored one is kept — for the same host and user
        // only, so that it is never sent to a server or account it was not typed for — and
        // `null` removes it.
        let smtp: SmtpSetting | null = null;
        if (body.smtp) {
          const { password, ...rest } = body.smtp;
          const same = current.smtp?.host === rest.host && current.smtp.user === rest.user;
          const kept =
            password === undefined
              ? same
                ? current.smtp?.password
                : undefined
              : (password ?? undefined);
          smtp = kept === undefined ? rest : { ...rest, password: kept };
        }
        writes.push(['smtp', JSON.stringify(smtp)]);
      }
      if (body.survey_min_days !== undefined)
        writes.push(['survey_min_days', String(body.survey_min_days)]);
      if (body.followups !== undefined)
        writes.push(['followups', JSON.stringify({ ...current.followups, ...body.followups })]);
      await changeSettings(s.db, writes);
      // The access log says a password was sent, never what it is.
      const logged = body.smtp
        ? {
            ...body,
            smtp: {
              ...body.smtp,
              password:
                body.smtp.password === undefined
                  ? undefined
                  : body.smtp.password === null
                    ? '(removed)'
                    : '(set)',
            },
          }
        : body;
      await logAccess(s, req, auth, 'update', 'settings', JSON.stringify(logged));
      return settingsOut(await s.settings());
    },
  });

  defineRoute(app, s, {
    ...API['POST /api/settings/smtp/test'],
    tag: 'admin',
    summary: 'Send a test e-mail to me through the SMTP settings',
    description:
      'To `<my user name>@<domain>`, now (not in the background): 409 when no SMTP server is ' +
      'configured, 503 with the server’s answer when it refuses or cannot be reached.',
    access: ADMIN,
    async handler({ req, auth }) {
      const username = auth!.user.username;
      const to = await mailer.sendNow({
        username,
        subject: 'Uptake: a test e-mail',
        text:
          `This is a test e-mail from Uptake, sent by ${username} from the Settings page.\n\n` +
          `Notices of the buy-in program (goals, feedback to IT) are e-mailed this way.\n`,
      });
      await logAccess(s, req, auth, 'update', 'settings/smtp/test', `sent to ${to}`);
      return { to };
    },
  });

  defineRoute(app, s, {
    ...API['GET /api/users'],
    tag: 'admin',
    summary: 'Accounts and their roles',
    access: ADMIN,
    async handler({ req, auth }) {
      const users = await s.accounts.list();
      await logAccess(s, req, auth, 'view', 'users');
      return users;
    },
  });

  defineRoute(app, s, {
    ...API['POST /api/users'],
    tag: 'admin',
    summary: 'Create an account',
    access: ADMIN,
    async handler({ req, auth, body }) {
      if (body.clinician_id) await checkInRoster(body.clinician_id);
      const user = await s.accounts.create({
        username: body.username,
        password: body.password,
        role: body.role,
        clinician_id: body.clinician_id ?? null,
        groups: body.role === 'leader' || body.role === 'champion' ? (body.groups ?? []) : [],
      });
      await logAccess(s, req, auth, 'create', `users/${user.username}`, `role ${user.role}`);
      return user;
    },
  });

  defineRoute(app, s, {
    ...API['PUT /api/users/:username'],
    tag: 'admin',
    summary: 'Change an account: role, groups, roster clinician or password',
    description:
      'Only the fields sent change. A new role or password ends the account’s sessions. An ' +
      'administrator cannot change their own role (another administrator must).',
    access: ADMIN,
    async handler({ req, auth, params, body }) {
      if (params.username === auth!.user.username && body.role && body.role !== 'admin')
        throw new UptakeError(
          'CONFLICT',
          'you cannot change your own role; ask another administrator',
        );
      if (body.clinician_id) await checkInRoster(body.clinician_id);
      const user = await s.accounts.update(params.username, body);
      await logAccess(
        s,
        req,
        auth,
        'update',
        `users/${user.username}`,
        Object.keys(body)
          .map((k) =>
            k === 'password' ? 'password reset' : k === 'role' ? `role ${user.role}` : k,
          )
          .join(', '),
      );
      return user;
    },
  });

  defineRoute(app, s, {
    ...API['DELETE /api/users/:username'],
    tag: 'admin',
    summary: 'Delete an account (and end its sessions)',
    access: ADMIN,
    async handler({ req, auth, params }) {
      if (params.username === auth!.user.username)
        throw new UptakeError(
          'CONFLICT',
          'you cannot delete your own account; ask another administrator',
        );
      if (!(await s.accounts.delete(params.username)))
        throw new UptakeError('NOT_FOUND', `no user ${params.username}`);
      await logAccess(s, req, auth, 'delete', `users/${params.username}`);
    },
  });

  defineRoute(app, s, {
    ...API['GET /api/access-log'],
    tag: 'admin',
    summary: 'Who viewed or changed what, and when (newest first)',
    access: ADMIN,
    async handler({ req, auth, query }) {
      const rows = await s.log.list(query.limit);
      await logAccess(s, req, auth, 'view', 'access-log');
      return rows;
    },
  });

  defineRoute(app, s, {
    ...API['GET /api/access-log/fhir'],
    tag: 'admin',
    summary: 'The access log as a FHIR R4 Bundle (collection) of AuditEvent',
    access: ADMIN,
    async handler({ req, auth, query }) {
      const bundle = await s.log.fhir(query.limit);
      await logAccess(s, req, auth, 'view', 'access-log/fhir');
      return bundle;
    },
  });
}
