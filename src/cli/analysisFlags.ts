/** Flags shared by `uptake adoption` and `uptake evaluate`. */
import type { Command } from 'commander';
import { Option } from 'commander';
import { ADOPTION_BYS } from '../analysis/adoption.ts';
import { UptakeError } from '../errors/UptakeError.ts';

export function rangeOptions(cmd: Command): Command {
  return cmd
    .requiredOption('--tool <name>', 'the tool (uptake tool list)')
    .addOption(
      new Option('--by <group>', 'one row per group').choices(ADOPTION_BYS).default('department'),
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
    .addOption(
      new Option('--format <format>', 'output format')
        .choices(['table', 'json', 'csv'])
        .default('table'),
    );
}

export function wholeNumber(name: string, v: string, min = 0): number {
  if (!/^\d+$/.test(v) || Number(v) < min)
    throw new UptakeError('BAD_INVOCATION', `${name} must be a whole number ≥ ${min}, not "${v}"`);
  return Number(v);
}
