/** `uptake engagement`'s work (its definition is `engagementCommand.ts`). */
import { readSettings } from '../admin/orgSettings.ts';
import { engagementMeasures, parseEngagementRequest } from '../engage/engagementMeasures.ts';
import { ENGAGEMENT_FIELDS, PATIENT_CELL_MIN } from '../model/engagement.ts';
import { VERSION } from '../version.ts';
import { renderReport, type OutputFormat } from './format.ts';
import type { StoreFlags } from './options.ts';
import { withStore } from './withStore.ts';

export interface EngagementFlags extends StoreFlags {
  from: string;
  to: string;
  by: string;
  period: string;
  format: OutputFormat;
}

/** The columns of the text table: the figures of §2, without their numerators. */
const TABLE_FIELDS = [
  'group',
  'period_start',
  'patients_seen',
  'activated_share',
  'active_share',
  'regular_share',
  'vdt_share',
  'timely_access_share',
  'patient_message_share',
  'reply_business_hours',
  'messages_unanswered',
  'replied_within_1bd_share',
  'result_view_hours',
  'results_viewed_7d_share',
  'followups_written',
  'suppressed',
];

/**
 * Compute the engagement figures the flags ask for and print them, with the options they were
 * computed with. The command reads the store itself, as an administrator does: figures below the
 * small-cell rule are shown, with the blocks that others would not see listed in `suppressed`.
 */
export async function runEngagement(flags: EngagementFlags): Promise<void> {
  await withStore(flags, async (store) => {
    const settings = await readSettings(store);
    const req = parseEngagementRequest({
      from: flags.from,
      to: flags.to,
      by: flags.by,
      period: flags.period,
      timezone: settings.timezone,
      holidays: settings.holidays,
    });
    const rows = await engagementMeasures(store, req);
    const options = {
      from: req.from,
      to: req.to,
      period: req.period,
      by: req.by,
      timezone: req.timezone,
      holidays: req.holidays,
      small_cell_patients: PATIENT_CELL_MIN,
      version: VERSION,
    };
    // JSON keeps the list of suppressed blocks; a CSV cell or a table column holds them as words.
    const out =
      flags.format === 'json'
        ? rows
        : rows.map((r) => ({ ...r, suppressed: r.suppressed.join(' ') }));
    process.stdout.write(
      renderReport(
        flags.format,
        options,
        out,
        flags.format === 'table' ? TABLE_FIELDS : ENGAGEMENT_FIELDS,
      ),
    );
  });
}
