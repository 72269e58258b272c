/** `uptake metrics`'s work (its definition is `metricsCommand.ts`). */
import { CHANNELS } from '../model/canonical.ts';
import { CLINICIAN_FIELDS, PER8_METRICS } from '../model/metricRow.ts';
import type { GroupBy } from '../model/options.ts';
import { UptakeError } from '../errors/UptakeError.ts';
import {
  clinicianMetrics,
  groupMetrics,
  parseRequest,
  reportMeta,
} from '../metrics/computeMetrics.ts';
import { getSetting } from '../store/settings.ts';
import { renderReport, type OutputFormat } from './format.ts';
import type { StoreFlags } from './options.ts';
import { withStore } from './withStore.ts';

export interface MetricsFlags extends StoreFlags {
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

/** Compute the metrics the flags ask for and print them. */
export async function runMetrics(flags: MetricsFlags): Promise<void> {
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
}
