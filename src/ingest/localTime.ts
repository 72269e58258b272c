/**
 * Local wall-clock times (no offset) of a named IANA zone turned into instants, in DuckDB SQL and
 * set-based: no JavaScript per row, and no time-zone lookup per row except on the few days around
 * a clock change.
 *
 * DuckDB's own `CAST(t AS TIMESTAMP) AT TIME ZONE z` never fails: a local time that does not exist
 * (the spring-forward gap) is silently moved, and one that occurs twice (fall-back) silently takes
 * the later instant. An import must instead reject the first and choose the second knowingly, so:
 *
 * 1. For each distinct local date d of the data, the zone's UTC offset is sampled every hour over
 *    [d − 1 day, d + 2 days] (UTC); every instant whose local time falls on d lies in that window,
 *    whatever the offset (−12 h … +14 h). `offsetsTableSql` builds that table: the offsets at the
 *    start (`o1`) and end (`o2`) of the window, and `simple` when all 73 samples agree.
 * 2. On a simple date (all but a few days a year) the only instant is `t − o1`: plain arithmetic.
 * 3. Otherwise the candidates are `t − o1` and `t − o2`, and each is kept only if converting it back
 *    to the zone gives `t` exactly. Two distinct survivors: the time is ambiguous (earlier and later
 *    instant). None: the time does not exist.
 *
 * The one assumption is that the zone changes its offset at most once, and never for less than an
 * hour, within any three days — true of every tz database zone in the period audit logs cover.
 * Should it ever fail, the result is a rejected row, never a wrong instant, since every candidate
 * on such a day is checked by converting it back.
 *
 * All timestamps here are naive `TIMESTAMP`s: local times, or UTC times (`…_utc`). Offsets are
 * BIGINT microseconds (local − UTC), so no interval normalisation can make equal offsets differ.
 */

/** SQL: the local time (naive TIMESTAMP) in zone `tz` (a SQL literal) of naive UTC time `utc`. */
export function utcToLocalSql(utc: string, tz: string): string {
  return `((${utc}) AT TIME ZONE 'UTC') AT TIME ZONE ${tz}`;
}

/**
 * SQL creating the temp table `table(d DATE, o1 BIGINT, o2 BIGINT, simple BOOLEAN)` of offsets in
 * zone `tz` (a SQL literal) around each distinct local date of `datesSql` (a query with one DATE
 * column `d`).
 */
export function offsetsTableSql(table: string, datesSql: string, tz: string): string {
  const sample = `CAST(dd.d AS TIMESTAMP) - INTERVAL 1 DAY + to_hours(CAST(k.k AS BIGINT))`;
  return `CREATE OR REPLACE TEMP TABLE ${table} AS
    SELECT d, arg_min(o, k) AS o1, arg_max(o, k) AS o2, count(DISTINCT o) = 1 AS simple
    FROM (SELECT dd.d, k.k, epoch_us(${utcToLocalSql(sample, tz)}) - epoch_us(${sample}) AS o
          FROM (SELECT DISTINCT d FROM (${datesSql}) x WHERE d IS NOT NULL) dd, range(73) k(k)) s
    GROUP BY d`;
}

/** SQL expressions resolving a local time against its row of the offsets table. */
export interface LocalTimeSql {
  /** Naive UTC TIMESTAMP of the only instant, or the earlier of two; NULL when the time does not exist. */
  earlierUtc: string;
  /** Naive UTC TIMESTAMP of the later instant when the local time occurs twice, else NULL. */
  laterUtc: string;
}

/**
 * Expressions for local time `lt` (naive TIMESTAMP) given `off`, the alias of its date's row of the
 * offsets table (joined on `off.d = CAST(lt AS DATE)`), and the zone `tz` (a SQL literal).
 */
export function localTimeSql(lt: string, off: string, tz: string): LocalTimeSql {
  const u1 = `(${lt} - to_microseconds(${off}.o1))`;
  const u2 = `(${lt} - to_microseconds(${off}.o2))`;
  const v1 = `(${utcToLocalSql(u1, tz)} = ${lt})`;
  const v2 = `(${utcToLocalSql(u2, tz)} = ${lt})`;
  return {
    earlierUtc: `CASE WHEN ${off}.simple THEN ${u1}
      WHEN ${v1} AND ${v2} THEN least(${u1}, ${u2}) WHEN ${v1} THEN ${u1} WHEN ${v2} THEN ${u2} END`,
    laterUtc: `CASE WHEN NOT ${off}.simple AND ${off}.o1 <> ${off}.o2 AND ${v1} AND ${v2}
      THEN greatest(${u1}, ${u2}) END`,
  };
}
