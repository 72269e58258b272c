/**
 * One sentence per metric for the pages, naming the options the numbers were computed with
 * (`docs/metrics.md`).
 */
import type { MetricOptions, WowWindow } from '../model/options.ts';
import { suppressionText } from '../metrics/suppress.ts';

const WOW: Record<WowWindow, string> = {
  schedule: 'outside the clinician’s scheduled sessions',
  schedule30: 'outside the scheduled sessions widened by 30 minutes on each side',
  outside7to7: 'between 19:00 and 07:00',
  pajama: 'on weekdays before 07:00 or after 17:30 and at weekends',
  after18to06: 'on weekdays before 06:00 or after 18:00 and at weekends',
};

export function definitions(o: MetricOptions, threshold: number): Record<string, string> {
  const gap =
    `active EHR time (the time from each event to the ${o.direction === 'forward' ? 'next' : 'previous'} one, ` +
    `when under ${o.timeout_seconds} s; ${o.over_timeout === 'cap' ? `longer gaps count ${o.timeout_seconds} s` : 'longer gaps count nothing'}; ` +
    `${o.attribution === 'split' ? 'split exactly at clock boundaries' : 'placed at the event’s time'}` +
    `${o.exclude_channels.length ? `; ${o.exclude_channels.join(', ')} excluded` : ''}; ${o.timezone})`;
  const per8 = 'per 8 hours of scheduled clinic sessions';
  return {
    ehr_time8: `EHR-Time8: ${gap} ${per8}.`,
    wow8: `WOW8 (work outside work): EHR time ${WOW[o.wow]} ${per8}.`,
    note_time8: `Note-Time8: EHR time in notes ${per8}.`,
    pres_time8: `Pres-Time8: EHR time in prescriptions ${per8}.`,
    ib_time8: `IB-Time8: EHR time in the inbox ${per8}.`,
    after_hours8: `After-hours time: EHR time on weekdays before 07:00 or after 17:30 and at weekends ${per8}.`,
    teamwork_orders:
      'Teamwork for orders: the share of the clinician’s signed orders that another team member entered.',
    undivided_attention:
      'Undivided attention: the share of visit time (booked appointments that took place) without EHR use.',
    ehr_minutes_per_appointment:
      'EHR minutes per appointment: EHR time divided by appointments kept or booked.',
    groups:
      'Group figures are the median and quartiles across the group’s clinicians with scheduled time ' +
      `(linear interpolation); ${suppressionText(threshold)}.`,
    changes:
      'Changes compare each unit’s median over the first half of the weeks with the second half; lower ' +
      'is better for EHR-Time8, WOW8 and IB-Time8, and changes within 5% are shown as unchanged.',
  };
}
