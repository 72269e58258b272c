/**
 * Options shared by several commands' definitions, and the small parsers of flag values their run
 * modules share. This module imports no command (so that `main.ts` and the `*Command.ts`
 * definitions form no cycle) and nothing heavier than commander and the model's plain constants.
 */
import { Option, type Command } from 'commander';
import type { AdoptionBy } from '../analysis/adoption.ts';
import { UptakeError } from '../errors/UptakeError.ts';
import { ANALYSIS_BYS } from '../model/constants.ts';

/** The flags that choose a store (`--db`, `--database-url`). */
export interface StoreFlags {
  db?: string;
  databaseUrl?: string;
}

/** Options every command that touches the store accepts. */
export function storeOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option('--db <path>', 'embedded DuckDB file (default ./uptake.duckdb or $UPTAKE_DB)'),
    )
    .addOption(new Option('--database-url <url>', 'PostgreSQL URL (or $DATABASE_URL)'));
}

/** A repeatable option's values, in the order given. */
export const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

/** `--format` of a report: a table for people, JSON or CSV for programs. */
export function formatOption(): Option {
  return new Option('--format <format>', 'output format')
    .choices(['table', 'json', 'csv'])
    .default('table');
}

// The groups of `--by` are the model's; adoption and evaluation name them `AdoptionBy`. A type
// error here means the two lists parted.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameGroups: Same<(typeof ANALYSIS_BYS)[number], AdoptionBy> = true;
void sameGroups;

/** Flags shared by `uptake adoption` and `uptake evaluate`: the tool, groups, weeks and format. */
export function rangeOptions(cmd: Command): Command {
  return cmd
    .requiredOption('--tool <name>', 'the tool (uptake tool list)')
    .addOption(
      new Option('--by <group>', 'one row per group').choices(ANALYSIS_BYS).default('department'),
    )
    .option(
      '--from <date>',
      'first date (moved to its Monday; default: the first complete week where the events are dense)',
    )
    .option(
      '--to <date>',
      'date after the last one (moved back to a Monday; default: after the last complete dense week)',
    )
    .option('--tz <tz>', 'IANA time zone of the weeks (default: the organisation setting)')
    .addOption(formatOption());
}

/** A whole number ≥ `min` given to flag `name`; a bad invocation (exit 2) otherwise. */
export function wholeNumber(name: string, v: string, min = 0): number {
  if (!/^\d+$/.test(v) || Number(v) < min)
    throw new UptakeError('BAD_INVOCATION', `${name} must be a whole number ≥ ${min}, not "${v}"`);
  return Number(v);
}
