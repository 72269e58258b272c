/**
 * Uptake's own access log: who viewed or changed what, when, and whether it was allowed. Every
 * data view of the API writes one entry (and so does every refusal, login and change); an
 * administrator reads it as JSON or exports it as a FHIR R4 Bundle of AuditEvent resources.
 *
 * Writing is a group commit: `write` queues the entry and resolves once it is stored; while one
 * multi-row INSERT is under way, the entries that arrive meanwhile wait and go together in the
 * next one. So a busy server writes one statement per batch instead of one per view, an idle one
 * writes at once (no timer), and a page is answered only after its view is stored: no view is
 * lost when the process dies, and a view that cannot be logged is not shown (its request fails,
 * as before). A batch the store refuses is retried one entry at a time, so that one bad entry
 * fails only its own request.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Sql, SqlValue } from '../store/Store.ts';
import type { AccessLogRow, AuditBundle, AuditEvent, Outcome } from '../model/accessLog.ts';

export type { Outcome };

/** What was done: views are reads; the rest are changes or sign-in events. */
export type AccessAction = 'view' | 'login' | 'logout' | 'create' | 'update' | 'delete' | 'upload';

export interface AccessEntry {
  username: string | null;
  role: string | null;
  action: AccessAction;
  resource: string;
  outcome: Outcome;
  detail?: string | null | undefined;
  ip?: string | null | undefined;
}

type Row = AccessLogRow;

let seq = 0;

/** Entries per INSERT at most (9 values each: PostgreSQL binds at most 65,535). */
export const MAX_BATCH = 500;

export interface AccessLogOptions {
  /** Where rows are appended (default `db`): the server's own DuckDB connection for them. */
  appender?: Sql;
  /** For tests: awaited before each INSERT with its number of entries (a slow store). */
  beforeFlush?: ((entries: number) => Promise<void>) | undefined;
}

interface Pending {
  values: SqlValue[];
  stored(): void;
  /** The store's error, passed on as it came. */
  refused(e: unknown): void;
}

export class AccessLog {
  private queue: Pending[] = [];
  private flushing: Promise<void> | null = null;
  private readonly appender: Sql;
  constructor(
    private readonly db: Sql,
    private readonly epochUs: (e: string) => string,
    private readonly now: () => Date = () => new Date(),
    private readonly opts: AccessLogOptions = {},
  ) {
    this.appender = opts.appender ?? db;
  }

  /** Store one entry; resolves once it is stored (with the others of its batch). */
  write(e: AccessEntry): Promise<void> {
    const at = this.now();
    // Ids sort in writing order (time, then a per-process counter), so the newest come first.
    const id = `${String(at.getTime()).padStart(15, '0')}${String(seq++ % 1000).padStart(3, '0')}-${randomBytes(4).toString('hex')}`;
    const values: SqlValue[] = [
      id,
      at.toISOString(),
      e.username,
      e.role,
      e.action,
      e.resource.slice(0, 500),
      e.outcome,
      e.detail?.slice(0, 2000) ?? null,
      e.ip ?? null,
    ];
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ values, stored: resolve, refused: reject });
      this.flushing ??= this.drain();
    });
  }

  /** Resolves when every entry written so far is stored (or refused). */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  /** Store queued entries, a batch at a time, until none is left. */
  private async drain(): Promise<void> {
    try {
      while (this.queue.length) {
        const batch = this.queue.splice(0, MAX_BATCH);
        try {
          await this.insert(batch);
          for (const p of batch) p.stored();
        } catch (e) {
          if (batch.length === 1) batch[0]!.refused(e);
          else
            for (const p of batch)
              await this.insert([p]).then(
                () => p.stored(),
                (err: unknown) => p.refused(err),
              );
        }
      }
    } finally {
      this.flushing = null;
    }
  }

  private async insert(batch: readonly Pending[]): Promise<void> {
    await this.opts.beforeFlush?.(batch.length);
    const rows = batch.map(
      (_, i) =>
        `($${i * 9 + 1}, CAST($${i * 9 + 2} AS TIMESTAMPTZ), ${[3, 4, 5, 6, 7, 8, 9].map((k) => `$${i * 9 + k}`).join(', ')})`,
    );
    await this.appender.run(
      `INSERT INTO access_log (id, logged_at, username, role, action, resource, outcome, detail, ip)
       VALUES ${rows.join(', ')}`,
      batch.flatMap((p) => p.values),
    );
  }

  private async rows(limit: number): Promise<(Row & { id: string; ip: string | null })[]> {
    const rows = await this.db.all<Omit<Row, 'at'> & { id: string; us: number; ip: string | null }>(
      `SELECT id, ${this.epochUs('logged_at')} AS us, username, role, action, resource, outcome, detail, ip
       FROM access_log ORDER BY id DESC LIMIT $1`,
      [limit],
    );
    return rows.map(({ us, ...r }) => ({ ...r, at: new Date(Number(us) / 1000).toISOString() }));
  }

  /** The newest `limit` entries, newest first. */
  async list(limit: number): Promise<Row[]> {
    return (await this.rows(limit)).map(({ id: _id, ip: _ip, ...r }) => r);
  }

  /** The newest `limit` entries as a FHIR R4 Bundle (type collection) of AuditEvent. */
  async fhir(limit: number): Promise<AuditBundle> {
    const rows = await this.rows(limit);
    return {
      resourceType: 'Bundle',
      type: 'collection',
      timestamp: this.now().toISOString(),
      entry: rows.map((r) => ({
        fullUrl: `urn:uuid:${uuidFrom(r.id)}`,
        resource: toAuditEvent(r),
      })),
    };
  }
}

const DCM = 'http://dicom.nema.org/resources/ontology/DCM';
const REST = 'http://hl7.org/fhir/restful-interaction';

function toAuditEvent(r: Row & { id: string; ip: string | null }): AuditEvent {
  const signIn = r.action === 'login' || r.action === 'logout';
  const crud = { view: 'R', create: 'C', upload: 'C', update: 'U', delete: 'D' } as const;
  const interaction = {
    view: 'read',
    create: 'create',
    upload: 'create',
    update: 'update',
    delete: 'delete',
  } as const;
  const ev: AuditEvent = {
    resourceType: 'AuditEvent',
    id: r.id,
    type: signIn
      ? { system: DCM, code: '110114', display: 'User Authentication' }
      : {
          system: 'http://terminology.hl7.org/CodeSystem/audit-event-type',
          code: 'rest',
          display: 'RESTful Operation',
        },
    subtype: signIn
      ? [
          r.action === 'login'
            ? { system: DCM, code: '110122', display: 'Login' }
            : { system: DCM, code: '110123', display: 'Logout' },
        ]
      : [{ system: REST, code: interaction[r.action as keyof typeof interaction] ?? 'read' }],
    action: signIn ? 'E' : (crud[r.action as keyof typeof crud] ?? 'R'),
    recorded: r.at,
    outcome: r.outcome === 'success' ? '0' : r.outcome === 'denied' ? '4' : '8',
    agent: [
      {
        type: {
          coding: [
            {
              system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType',
              code: 'IRCP',
              display: 'information recipient',
            },
          ],
        },
        ...(r.role ? { role: [{ text: r.role }] } : {}),
        who: {
          identifier: { system: 'urn:uptake:username', value: r.username ?? '(unknown)' },
          display: r.username ?? '(unknown)',
        },
        requestor: true,
        ...(r.ip ? { network: { address: r.ip, type: '2' } } : {}),
      },
    ],
    source: {
      observer: { display: 'Uptake' },
      type: [
        {
          system: 'http://terminology.hl7.org/CodeSystem/security-source-type',
          code: '3',
          display: 'Web Server',
        },
      ],
    },
    entity: [{ what: { display: r.resource }, ...(r.detail ? { description: r.detail } : {}) }],
  };
  if (r.outcome !== 'success') ev.outcomeDesc = r.outcome;
  return ev;
}

/** A stable UUID-shaped name for an entry id (for Bundle.entry.fullUrl). */
function uuidFrom(id: string): string {
  const hex = createHash('sha256').update(id).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
