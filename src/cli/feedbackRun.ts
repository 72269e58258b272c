/**
 * `uptake feedback …`'s work (definitions in `feedbackCommand.ts`): the feedback to IT of
 * `docs/program.md` §Feedback, read through `src/program/feedbackStore.ts` with the store owner's
 * rights (every item, every event, as IT and administrators see them). Every view is written to
 * the access log. The export counts votes and subscribers; it never names a voter.
 */
import { writeFileSync } from 'node:fs';
import { readSettings } from '../admin/orgSettings.ts';
import { UptakeError } from '../errors/UptakeError.ts';
import { FEEDBACK_KINDS, FEEDBACK_STATES } from '../model/feedback.ts';
import {
  feedbackExport,
  feedbackHistory,
  feedbackItemClocks,
  getFeedback,
  listFeedback,
  type FeedbackExportItem,
} from '../program/feedbackStore.ts';
import { nextStates } from '../program/feedbackTransitions.ts';
import { renderCsv, renderReport, renderTable, type OutputFormat } from './format.ts';
import type { StoreFlags } from './options.ts';
import { CliLog, choicesOf, ownerActor } from './programContext.ts';
import { withStore } from './withStore.ts';

export type FeedbackListFlags = StoreFlags & {
  state?: string;
  kind?: string;
  unit?: string;
  format: OutputFormat;
};
export type FeedbackShowFlags = StoreFlags & { format: 'table' | 'json' };
export type FeedbackExportFlags = StoreFlags & { format: 'json' | 'csv'; out?: string };

/** The most items `feedback list` shows (newest first); `feedback export` writes them all. */
export const LIST_LIMIT = 1000;

const LIST_FIELDS = [
  'id',
  'created_at',
  'updated_at',
  'author',
  'unit',
  'kind',
  'visibility',
  'state',
  'priority',
  'assignee',
  'duplicate_of',
  'votes',
  'rating',
  'text',
] as const;
const TABLE_FIELDS = ['id', 'created_at', 'state', 'priority', 'kind', 'unit', 'votes', 'text'];

/** One line of at most `n` characters (the table's text column). */
const short = (s: string, n = 60) => {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > n ? `${one.slice(0, n - 1)}…` : one;
};

/** `uptake feedback list`. */
export async function listFeedbackCli(flags: FeedbackListFlags): Promise<void> {
  const states = choicesOf('--state', flags.state, FEEDBACK_STATES);
  const kinds = choicesOf('--kind', flags.kind, FEEDBACK_KINDS);
  const now = new Date();
  const items = await withStore(flags, async (store) =>
    new CliLog(store, null, now).run(
      'view',
      'feedback/board',
      () =>
        listFeedback(store, ownerActor(), {
          ...(states ? { states } : {}),
          ...(kinds ? { kinds } : {}),
          ...(flags.unit !== undefined ? { unit: flags.unit } : {}),
          limit: LIST_LIMIT,
        }),
      (r) => `${r.length} items`,
    ),
  );
  const rows = items.map((i) => ({
    ...i,
    text: flags.format === 'table' ? short(i.text) : i.text,
  }));
  const options = {
    states: states ?? null,
    kinds: kinds ?? null,
    unit: flags.unit ?? null,
    limit: LIST_LIMIT,
    as_of: now.toISOString(),
  };
  process.stdout.write(
    renderReport(
      flags.format,
      options,
      rows,
      flags.format === 'table' ? TABLE_FIELDS : LIST_FIELDS,
    ),
  );
}

/** `uptake feedback show ID`: the item, its whole history and both clocks. */
export async function showFeedbackCli(id: string, flags: FeedbackShowFlags): Promise<void> {
  const now = new Date();
  const out = await withStore(flags, async (store) =>
    new CliLog(store, null, now).run(`view`, `feedback/${id}`, async () => {
      const st = await readSettings(store);
      const actor = ownerActor();
      const item = await getFeedback(store, actor, id).catch((e: unknown) => {
        throw e instanceof UptakeError && e.code === 'NOT_FOUND'
          ? new UptakeError(
              'NOT_FOUND',
              `feedback item ${id}: no such item; see uptake feedback list`,
            )
          : e;
      });
      const history = await feedbackHistory(store, actor, id);
      const c = await feedbackItemClocks(
        store,
        actor,
        id,
        { timezone: st.timezone, holidays: st.holidays },
        now,
      );
      const target = st.sla_targets[item.priority ?? 'normal'];
      const clocks = {
        first_response: {
          ...c.first_response,
          target_hours: target.first_response_hours,
          overdue: c.first_response.hours > target.first_response_hours,
        },
        resolution: c.resolution && {
          ...c.resolution,
          target_hours: target.resolution_hours,
          overdue: c.resolution.hours > target.resolution_hours,
        },
      };
      return { item, history, clocks, next_states: nextStates(item.state) };
    }),
  );
  if (flags.format === 'json') {
    process.stdout.write(JSON.stringify(out, null, 2) + '\n');
    return;
  }
  const { item, history, clocks } = out;
  const clock = (name: string, k: typeof clocks.first_response | null) =>
    k
      ? `  ${name}: ${k.hours.toFixed(2)} business hours (${k.stopped ? `stopped ${k.stopped_at}` : 'running'}), target ${k.target_hours}${k.overdue ? ' — overdue' : ''}`
      : `  ${name}: none (a duplicate: its original carries it)`;
  const lines = [
    `feedback ${item.id}: ${item.kind}, ${item.visibility}, from ${item.author}${item.unit ? ` (${item.unit})` : ''} on ${item.created_at}`,
    `  state ${item.state}${item.priority ? `, priority ${item.priority}` : ''}${item.assignee ? `, assigned to ${item.assignee}` : ''}${item.duplicate_of ? `, duplicate of ${item.duplicate_of}` : ''}; me too: ${item.votes}${item.rating ? `; rated ${item.rating}` : ''}`,
    clock('first response', clocks.first_response),
    clock('resolution', clocks.resolution),
    '',
    item.text,
    '',
    'history:',
    renderTable(
      history.map((e) => ({
        seq: e.seq,
        at: e.occurred_at,
        actor: e.actor,
        kind: e.kind,
        from: e.from_state,
        to: e.to_state,
        priority: e.priority,
        public: e.public,
        note: e.note === null ? null : short(e.note, 80),
      })),
      ['seq', 'at', 'actor', 'kind', 'from', 'to', 'priority', 'public', 'note'],
    ),
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

/** The CSV columns of the export: the item, its counts, both clocks flattened. */
export const EXPORT_FIELDS = [
  'id',
  'created_at',
  'updated_at',
  'author',
  'unit',
  'kind',
  'visibility',
  'state',
  'priority',
  'assignee',
  'duplicate_of',
  'link_tool',
  'link_golive_by',
  'link_golive_value',
  'link_page',
  'link_department',
  'link_metric',
  'rating',
  'votes',
  'subscribers',
  'events',
  'first_response_hours',
  'first_response_stopped',
  'first_response_stopped_at',
  'first_response_target_hours',
  'first_response_overdue',
  'resolution_hours',
  'resolution_stopped',
  'resolution_stopped_at',
  'resolution_target_hours',
  'resolution_overdue',
  'text',
] as const;

function csvRow(i: FeedbackExportItem): Record<string, unknown> {
  const r = i.resolution;
  return {
    ...i,
    first_response_hours: i.first_response.hours,
    first_response_stopped: i.first_response.stopped,
    first_response_stopped_at: i.first_response.stopped_at,
    first_response_target_hours: i.first_response.target_hours,
    first_response_overdue: i.first_response.overdue,
    resolution_hours: r?.hours ?? null,
    resolution_stopped: r?.stopped ?? null,
    resolution_stopped_at: r?.stopped_at ?? null,
    resolution_target_hours: r?.target_hours ?? null,
    resolution_overdue: r?.overdue ?? null,
  };
}

/** `uptake feedback export`: every item (JSON, or CSV with a header), to stdout or `--out`. */
export async function exportFeedbackCli(flags: FeedbackExportFlags): Promise<void> {
  const now = new Date();
  const { items, settings } = await withStore(flags, async (store) =>
    new CliLog(store, null, now).run(
      'view',
      'feedback/export',
      async () => {
        const st = await readSettings(store);
        return {
          settings: st,
          items: await feedbackExport(
            store,
            { timezone: st.timezone, holidays: st.holidays },
            st.sla_targets,
            now,
          ),
        };
      },
      (r) => `${r.items.length} items, ${flags.format}${flags.out ? ' to a file' : ''}`,
    ),
  );
  const body =
    flags.format === 'csv'
      ? renderCsv(
          items.map((i) => csvRow(i)),
          EXPORT_FIELDS,
        )
      : JSON.stringify(
          {
            exported_at: now.toISOString(),
            timezone: settings.timezone,
            holidays: settings.holidays,
            sla_targets: settings.sla_targets,
            items,
          },
          null,
          2,
        ) + '\n';
  if (flags.out === undefined) {
    process.stdout.write(body);
    return;
  }
  writeFileSync(flags.out, body);
  process.stdout.write(`wrote ${items.length} feedback items to ${flags.out}\n`);
}
