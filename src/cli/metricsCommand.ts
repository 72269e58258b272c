import { Command, Option } from 'commander';
import { CHANNELS } from '../model/canonical.ts';
import { CLINICIAN_FIELDS, PER8_METRICS } from '../model/metricRow.ts';
import {
  DEFAULT_OPTIONS,
  GROUP_BYS,
  PERIODS,
  WOW_WINDOWS,
  type GroupBy,
} from '../model/options.ts';
import { UptakeError } from '../errors/UptakeError.ts';
import {
  clinicianMetrics,
  groupMetrics,
  parseRequest,
  reportMeta,
} from '../metrics/computeMetrics.ts';
import { getSetting } from '../store/settings.ts';
import { renderReport, type OutputFormat } from './format.ts';
import { storeOptions } from './main.ts';
import { withStore, type StoreFlags } from './withStore.ts';

interface MetricsFlags extends StoreFlags {
  from: string;
  to: string;
  period: string;
  by: GroupBy;
  tz?: string;
  timeout: string;
  overTimeout: string;
  direction: string;
  attribution: string;
  excludeChannels?: string;
  mergeGap: string;
  wow: string;
  format: OutputFormat;
}

function int(name: string, v: string): number {
  if (!/^-?\d+$/.test(v))
    throw new UptakeError('BAD_INVOCATION', `${name} must be a whole number, not "${v}"`);
  return Number(v);
}

/** The columns of the text table: the AMA metrics and their denominators. */
export const TABLE_FIELDS = [
  'user_id',
  'period_start',
  'ehr_hours',
  'scheduled_hours',
  'ehr_time8',
  'wow8',
  'note_time8',
  'pres_time8',
  'ib_time8',
  'teamwork_orders',
  'undivided_attention',
  'after_hours_hours',
  'ehr_minutes_per_appointment',
] as const;

export const GROUP_FIELDS = [
  'group',
  'period_start',
  'period_end',
  'n',
  'clinicians',
  'suppressed',
  ...PER8_METRICS.flatMap((m) => [`${m}_p25`, `${m}_median`, `${m}_p75`]),
];

export function registerMetrics(program: Command): void {
  storeOptions(
    program
      .command('metrics')
      .description('clinician EHR-burden metrics (docs/metrics.md), per clinician or group')
      .requiredOption('--from <date>', 'first local date, YYYY-MM-DD')
      .requiredOption('--to <date>', 'local date after the last one (exclusive), YYYY-MM-DD')
      .addOption(
        new Option('--period <period>', 'cut the range into pieces')
          .choices(PERIODS)
          .default('all'),
      )
      .addOption(
        new Option('--by <group>', 'one row per clinician, or median and quartiles per group')
          .choices(GROUP_BYS)
          .default('clinician'),
      )
      .option(
        '--tz <tz>',
        'IANA time zone for days and clock windows (default: the organisation setting, else UTC)',
      )
      .option(
        '--timeout <seconds>',
        'longest gap between events that is still continuous work',
        String(DEFAULT_OPTIONS.timeout_seconds),
      )
      .addOption(
        new Option(
          '--over-timeout <rule>',
          'a longer gap credits nothing (drop) or the timeout (cap)',
        )
          .choices(['drop', 'cap'])
          .default('drop'),
      )
      .addOption(
        new Option(
          '--direction <dir>',
          'credit a gap to the earlier (forward) or later (backward) event',
        )
          .choices(['forward', 'backward'])
          .default('forward'),
      )
      .addOption(
        new Option(
          '--attribution <rule>',
          'split intervals exactly at boundaries, or count them where their event stands',
        )
          .choices(['split', 'start'])
          .default('split'),
      )
      .option(
        '--exclude-channels <list>',
        `comma-separated channels to leave out (${CHANNELS.join(', ')})`,
      )
      .option(
        '--merge-gap <minutes>',
        'appointments this close form one derived session',
        String(DEFAULT_OPTIONS.session_merge_gap_minutes),
      )
      .addOption(
        new Option('--wow <window>', 'what "outside work" means for WOW')
          .choices(WOW_WINDOWS)
          .default('schedule'),
      )
      .addOption(
        new Option('--format <format>', 'output format')
          .choices(['table', 'json', 'csv'])
          .default('table'),
      ),
  ).action(async (flags: MetricsFlags) => {
    const channels = flags.excludeChannels
      ? flags.excludeChannels
          .split(',')
          .map((c) => c.trim())
          .filter(Boolean)
      : [];
    const bad = channels.find((c) => !(CHANNELS as readonly string[]).includes(c));
    if (bad)
      throw new UptakeError(
        'BAD_INVOCATION',
        `--exclude-channels: ${bad} is not one of ${CHANNELS.join(', ')}`,
      );
    await withStore(flags, async (store) => {
      const req = parseRequest({
        from: flags.from,
        to: flags.to,
        period: flags.period,
        options: {
          timezone: flags.tz ?? (await getSetting(store, 'timezone')),
          timeout_seconds: int('--timeout', flags.timeout),
          over_timeout: flags.overTimeout,
          direction: flags.direction,
          attribution: flags.attribution,
          exclude_channels: channels,
          session_merge_gap_minutes: int('--merge-gap', flags.mergeGap),
          wow: flags.wow,
        },
      });
      const threshold = Number(await getSetting(store, 'suppression_threshold'));
      const meta = await reportMeta(store, req, flags.by, threshold);
      if (flags.by === 'clinician') {
        const rows = await clinicianMetrics(store, req);
        // A person reading a terminal gets the headline columns; JSON and CSV carry every field.
        const fields = flags.format === 'table' ? TABLE_FIELDS : CLINICIAN_FIELDS;
        process.stdout.write(
          renderReport(flags.format, meta, rows as unknown as Record<string, unknown>[], fields),
        );
      } else {
        const rows = await groupMetrics(store, req, flags.by, threshold);
        const fields =
          flags.format === 'table'
            ? GROUP_FIELDS.filter((f) => !/_p25$|_p75$/.test(f))
            : GROUP_FIELDS;
        process.stdout.write(
          renderReport(flags.format, meta, rows as unknown as Record<string, unknown>[], fields),
        );
      }
    });
  });
}
