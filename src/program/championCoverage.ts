/**
 * Champion coverage per department and each champion's activity (program.md §4): champions per
 * 10 clinicians of each department of the roster; a department with none, or fewer than 1 per 15
 * clinicians, is `uncovered` — said in words, never by colour alone. Activity: the help requests a
 * champion answered and the median time from a request to its first answer in business hours
 * (`businessHours.ts`: Monday–Friday 08:00–17:00 in the organisation's time zone, minus its
 * holidays setting).
 *
 * Which champions cover a department is `championCoverage` of `helpRequests.ts` (by department,
 * or by a specialty or role some of its clinicians have), so the help routing and this page agree.
 */
import { CLINICIANS_PER_CHAMPION, type CoverageReport } from '../model/champions.ts';
import type { BusinessCalendar } from '../model/businessTime.ts';
import type { Sql } from '../store/Store.ts';
import { businessHours } from './businessHours.ts';
import { championCoverage, type HelpActor } from './helpRequests.ts';

/** Whether `champions` for `clinicians` leaves a department uncovered, and the words for it. */
export function coverageStatus(
  champions: number,
  clinicians: number,
): { per_10: number; uncovered: boolean; status: string } {
  const per_10 = clinicians > 0 ? (champions * 10) / clinicians : 0;
  const of = `${champions} champion${champions === 1 ? '' : 's'} for ${clinicians} clinician${clinicians === 1 ? '' : 's'}`;
  if (champions === 0) return { per_10, uncovered: true, status: 'uncovered: no champion' };
  // Fewer than 1 per 15: champions / clinicians < 1 / 15, in whole numbers.
  if (champions * CLINICIANS_PER_CHAMPION < clinicians)
    return {
      per_10,
      uncovered: true,
      status: `uncovered: ${of}, fewer than 1 per ${CLINICIANS_PER_CHAMPION}`,
    };
  return { per_10, uncovered: false, status: `covered: ${of}` };
}

function iso(v: string): number {
  return Date.parse(v.replace(' ', 'T').replace(/([+-]\d{2})$/, '$1:00'));
}

function median(xs: number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = (s.length - 1) / 2;
  return (s[Math.floor(mid)]! + s[Math.ceil(mid)]!) / 2;
}

/**
 * Coverage of every department of the roster by the `champions` accounts, and each champion's
 * activity. A request counts for the champion who last answered it (`answered_by`); its time to
 * first answer runs from its creation to its first answer (`answered_at`).
 */
export async function coverageReport(
  db: Sql,
  champions: readonly HelpActor[],
  cal: BusinessCalendar,
): Promise<CoverageReport> {
  const departments = (await championCoverage(db, champions)).map((r) => ({
    ...r,
    ...coverageStatus(r.champions.length, r.clinicians),
  }));
  const answered = champions.length
    ? await db.all<{ answered_by: string; created_at: string; answered_at: string }>(
        `SELECT answered_by, CAST(created_at AS VARCHAR) AS created_at, CAST(answered_at AS VARCHAR) AS answered_at
         FROM help_requests WHERE answered_at IS NOT NULL
           AND answered_by IN (${champions.map((_, i) => `$${i + 1}`).join(', ')})`,
        champions.map((c) => c.username),
      )
    : [];
  const hours = new Map<string, number[]>();
  for (const r of answered) {
    const list = hours.get(r.answered_by) ?? [];
    list.push(businessHours(cal, iso(r.created_at), iso(r.answered_at)));
    hours.set(r.answered_by, list);
  }
  const activity = champions
    .map((c) => ({
      username: c.username,
      answered: hours.get(c.username)?.length ?? 0,
      median_business_hours_to_first_answer: median(hours.get(c.username) ?? []),
    }))
    .sort((a, b) => a.username.localeCompare(b.username));
  return { departments, activity };
}
