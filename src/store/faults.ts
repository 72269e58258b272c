/**
 * Faults of the machine rather than of the input — a full disk, a lost connection to PostgreSQL,
 * a folder that may not be written — as one clear line each (a user error, exit 1, HTTP 503),
 * never a driver's stack. Recognised here once for both engines and the file system, so that
 * importers, the CLI and the server say the same thing.
 */
import { UptakeError } from '../errors/UptakeError.ts';

export type FaultKind = 'disk-full' | 'connection-lost' | 'no-access';

/**
 * A fault of the machine, in the closed error set (UNAVAILABLE). `message` says what happened and
 * what to do; `whileCommitting` is true when a connection was lost while its transaction was
 * committing, so that whether it committed is unknown.
 */
export class StoreFault extends UptakeError {
  readonly kind: FaultKind;
  /** What happened, e.g. "the disk holding /data/uptake.duckdb.wal is full (…)". */
  readonly what: string;
  /** What to do, e.g. "free space there and run the command again". */
  readonly todo: string;
  readonly whileCommitting: boolean;
  constructor(
    kind: FaultKind,
    what: string,
    todo: string,
    opts: { cause?: unknown; whileCommitting?: boolean } = {},
  ) {
    super('UNAVAILABLE', `${what}; ${todo}`, { cause: opts.cause });
    this.kind = kind;
    this.what = what;
    this.todo = todo;
    this.whileCommitting = opts.whileCommitting ?? false;
  }
}

const DISK_FULL_TEXT = /No space left on device|Disk quota exceeded/i;

/** The file named in an engine's I/O error message, when it names one. */
function fileIn(message: string): string | null {
  return /(?:file|directory) "([^"]+)"/i.exec(message)?.[1] ?? null;
}

/**
 * A full disk, from Node's file system (ENOSPC, EDQUOT), DuckDB (an I/O error "No space left on
 * device") or PostgreSQL (SQLSTATE 53100 disk_full and the 53xxx resource errors naming it);
 * otherwise null. `where` names the PostgreSQL server for its errors.
 */
export function diskFull(e: unknown, where?: string): StoreFault | null {
  const err = e as { code?: unknown; path?: unknown; message?: unknown };
  const code = typeof err?.code === 'string' ? err.code : '';
  const message = typeof err?.message === 'string' ? err.message : String(e);
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    const path = typeof err.path === 'string' ? err.path : null;
    return new StoreFault(
      'disk-full',
      `${path ? `the disk holding ${path}` : 'a disk'} is full (${code === 'EDQUOT' ? 'disk quota exceeded' : 'no space left on device'})`,
      'free space there and run the command again',
      { cause: e },
    );
  }
  if (code === '53100' || (code.startsWith('53') && DISK_FULL_TEXT.test(message)))
    return new StoreFault(
      'disk-full',
      `the disk of the PostgreSQL server${where ? ` at ${where}` : ''} is full (${message.split('\n')[0]})`,
      'free space on the server (or ask its administrator to) and run the command again',
      { cause: e },
    );
  if (DISK_FULL_TEXT.test(message)) {
    const path = fileIn(message);
    return new StoreFault(
      'disk-full',
      `${path ? `the disk holding ${path}` : 'a disk'} is full (no space left on device)`,
      'free space there and run the command again',
      { cause: e },
    );
  }
  return null;
}

/** SQLSTATEs and socket errors of a connection that went away (class 08, 57P01–57P03). */
const LOST_CODES = new Set([
  '57P01', // admin_shutdown: pg_terminate_backend, or a fast shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: starting up or shutting down
  '08000',
  '08003',
  '08006',
  'ECONNRESET',
  'EPIPE',
  'ECONNREFUSED',
  'ETIMEDOUT',
]);

/** True for an error of a PostgreSQL connection that was lost (not one of a statement). */
export function isLostConnection(e: unknown): boolean {
  const err = e as { code?: unknown; message?: unknown };
  const code = typeof err?.code === 'string' ? err.code : '';
  if (LOST_CODES.has(code)) return true;
  const message = typeof err?.message === 'string' ? err.message : '';
  return /Connection terminated|connection is closed|Client has encountered a connection error|server closed the connection unexpectedly/i.test(
    message,
  );
}

/**
 * A lost PostgreSQL connection as one line saying what happened and what to do. `whileCommitting`:
 * the loss came during COMMIT, so whether the transaction was stored is unknown.
 */
export function lostConnection(e: unknown, where: string, whileCommitting = false): StoreFault {
  const msg = (e as { message?: unknown })?.message;
  const detail = typeof msg === 'string' && msg ? msg.split('\n')[0]! : String(e);
  return new StoreFault(
    'connection-lost',
    `the connection to PostgreSQL at ${where} was lost (${detail}): the server stopped, restarted or ended the session${whileCommitting ? ' while the work was being committed' : ''}`,
    whileCommitting
      ? 'whether it was stored is unknown; check, then run the command again'
      : 'nothing unfinished was stored; run the command again once PostgreSQL is back',
    { cause: e, whileCommitting },
  );
}

/**
 * A file-system error on a path Uptake writes or reads beside the data (a rejects file, a
 * temporary copy, an input file) as one line; null for an error that is not one of these.
 */
export function fileFault(e: unknown): StoreFault | UptakeError | null {
  const full = diskFull(e);
  if (full) return full;
  const err = e as { code?: unknown; path?: unknown; syscall?: unknown };
  const code = typeof err?.code === 'string' ? err.code : '';
  const path = typeof err?.path === 'string' ? err.path : 'a file';
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS')
    return new StoreFault(
      'no-access',
      `${path}: ${code === 'EROFS' ? 'on a read-only file system' : 'permission denied'}`,
      'give this user access to it (or choose another folder) and run the command again',
      { cause: e },
    );
  if (code === 'EISDIR')
    return new UptakeError(
      'INVALID_INPUT',
      `${path} is a folder, where a file was expected; give a file (or remove the folder)`,
      { cause: e },
    );
  if (code === 'ENOTDIR')
    return new UptakeError(
      'INVALID_INPUT',
      `${path}: a part of the path is a file, not a folder; fix the path`,
      { cause: e },
    );
  return null;
}
