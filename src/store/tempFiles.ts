/**
 * Temporary files that must not outlive the work they serve: the staging CSV a PostgreSQL import
 * streams with COPY (as large as the file imported), the staging DuckDB's spill files, a
 * line-normalised copy of an input file, an upload, an export on its way, and a rejects file
 * whose import has not committed yet.
 *
 * Each temporary folder is named `uptake-<kind>-<host>-<pid>-XXXXXX` in the system's temporary
 * folder, so that whatever becomes of the process, its leftovers can be recognised:
 * - on success or error, the code that made a folder removes it (`finally`);
 * - on SIGINT or SIGTERM, `removeTrackedSync` removes every folder and pending file still
 *   tracked before the process exits (the CLI's signal handler calls it);
 * - after `kill -9`, a power cut or an out-of-memory kill nothing runs, so the next store opened
 *   on this machine sweeps the folders of processes that no longer exist (`sweepOrphans`). The
 *   host name keeps a machine that shares its temporary folder with another (a container with a
 *   mounted /tmp) from taking the other's live folders for orphans.
 */
import { readdirSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';

/** Kinds of temporary folder, each a prefix `uptake-<kind>-`. */
export type TempKind = 'copy' | 'export' | 'lines' | 'ids' | 'upload' | 'spill';
const KINDS: readonly TempKind[] = ['copy', 'export', 'lines', 'ids', 'upload', 'spill'];

/** This machine's name as it appears in folder names (letters, digits and dots only). */
function host(): string {
  return hostname().replace(/[^A-Za-z0-9.]/g, '') || 'host';
}

const tracked = new Set<string>();

/** How the temporary folders of `kind` made by process `pid` of this machine begin. */
export function tempDirPrefix(kind: TempKind, pid = process.pid): string {
  return `uptake-${kind}-${host()}-${pid}-`;
}

/** A new temporary folder of `kind`, owner-only, tracked until `removeTempDir`. */
export async function makeTempDir(kind: TempKind): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), tempDirPrefix(kind)));
  tracked.add(dir);
  return dir;
}

/** Remove a folder made by `makeTempDir` (and forget it). */
export async function removeTempDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  tracked.delete(dir);
}

/**
 * Track a file written for work that is not committed yet (a rejects file, written inside its
 * import's transaction): `removeTrackedSync` removes it if the process is stopped first. Returns
 * the function that stops tracking it (once the work has committed, or the file was removed).
 */
export function trackPendingFile(path: string): () => void {
  tracked.add(path);
  return () => void tracked.delete(path);
}

/**
 * Remove every tracked folder and pending file, synchronously: called when the process is about
 * to exit on a signal, when no asynchronous work will run any more.
 */
export function removeTrackedSync(): void {
  for (const p of tracked) {
    try {
      rmSync(p, { recursive: true, force: true });
    } catch {
      // best effort: the process is stopping
    }
  }
  tracked.clear();
}

/** True unless the process `pid` certainly does not exist (EPERM: it exists, as another user). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/**
 * Remove the temporary folders that processes of this machine left when they were killed
 * without a chance to clean up (`kill -9`): those named with a process id that no longer exists.
 * Returns the folders removed. Never fails: a folder it cannot remove stays.
 */
export function sweepOrphans(dir = tmpdir()): string[] {
  const pattern = new RegExp(
    `^uptake-(?:${KINDS.join('|')})-${host().replaceAll('.', '\\.')}-(\\d+)-[A-Za-z0-9]{6}$`,
  );
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return removed;
  }
  for (const name of names) {
    const m = pattern.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid === process.pid || alive(pid)) continue;
    try {
      rmSync(join(dir, name), { recursive: true, force: true });
      removed.push(join(dir, name));
    } catch {
      // another process may be sweeping it too, or it is not ours to remove
    }
  }
  return removed;
}
