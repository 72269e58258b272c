/** `uptake tool …` and `uptake golive …`'s work (definitions in `toolCommand.ts`). */
import { readFileSync } from 'node:fs';
import { invalid } from '../errors/UptakeError.ts';
import {
  addGoLive,
  describeTool,
  getTool,
  GOLIVE_GROUP_BYS,
  listToolNames,
  parseTool,
  parseToolsFile,
  removeGoLive,
  removeTool,
  saveTool,
  TARGET_DIRECTIONS,
  TARGET_METRICS,
  type GoLiveGroupBy,
  type TargetDirection,
  type TargetMetric,
  type ToolDefinition,
} from '../analysis/tools.ts';
import { renderTable } from './format.ts';
import type { StoreFlags } from './options.ts';
import { withNewOrExistingStore, withStore } from './withStore.ts';

export interface ToolFlags extends StoreFlags {
  action?: string[];
  category?: string[];
  role?: string[];
  department?: string[];
  specialty?: string[];
  course?: string[];
  habitual?: string;
  description?: string;
  targetMetric?: string;
  targetDirection?: string;
}

export type GoFlags = StoreFlags & {
  tool: string;
  department?: string;
  specialty?: string;
  role?: string;
  org?: boolean;
};

function habitual(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < 1)
    throw invalid(`--habitual must be a whole number ≥ 1, not "${v}"`);
  return Number(v);
}

/** `--target-metric` and `--target-direction`, checked against their closed sets. */
function target(
  base: ToolDefinition | null,
  f: ToolFlags,
): Pick<ToolDefinition, 'target_metric' | 'target_direction'> {
  const m = f.targetMetric;
  if (m !== undefined && m !== 'none' && !(TARGET_METRICS as readonly string[]).includes(m))
    throw invalid(
      `--target-metric ${m} is not a per-clinician metric; use one of ${TARGET_METRICS.join(', ')} (or none)`,
    );
  const d = f.targetDirection;
  if (d !== undefined && !(TARGET_DIRECTIONS as readonly string[]).includes(d))
    throw invalid(`--target-direction must be ${TARGET_DIRECTIONS.join(' or ')}, not "${d}"`);
  const metric =
    m === 'none' ? null : ((m as TargetMetric | undefined) ?? base?.target_metric ?? null);
  if (d !== undefined && !metric)
    throw invalid('--target-direction needs the metric it applies to: add --target-metric METRIC');
  return {
    target_metric: metric,
    // A new metric without a direction drops the old metric's direction.
    target_direction: metric
      ? ((d as TargetDirection | undefined) ??
        (m === undefined ? (base?.target_direction ?? null) : null))
      : null,
  };
}

/** Flags over an existing definition: each rule flag given replaces that list. */
function merge(base: ToolDefinition | null, name: string, f: ToolFlags): ToolDefinition {
  return parseTool({
    ...target(base, f),
    name,
    description: f.description ?? base?.description ?? null,
    habitual_uses: habitual(f.habitual) ?? base?.habitual_uses,
    actions: f.action ?? base?.actions,
    categories: f.category ?? base?.categories,
    eligible: {
      roles: f.role ?? base?.eligible.roles,
      departments: f.department ?? base?.eligible.departments,
      specialties: f.specialty ?? base?.eligible.specialties,
    },
    courses: f.course ?? base?.courses,
  });
}

function print(t: ToolDefinition, json: boolean | undefined): void {
  if (json) {
    process.stdout.write(JSON.stringify(t, null, 2) + '\n');
    return;
  }
  process.stdout.write(
    `${describeTool(t)}\nhabitual: at least ${t.habitual_uses} uses a week in 3 of the last 4 weeks\n` +
      (t.description ? `${t.description}\n` : '') +
      (t.golives.length
        ? `go-lives:\n${renderTable(
            t.golives.map((g) => ({
              date: g.date,
              group_by: g.group_by,
              group: g.group,
              note: g.note ?? '',
            })),
            ['date', 'group_by', 'group', 'note'],
          )}\n`
        : `no go-live yet: add one with uptake golive add --tool ${t.name} --department NAME --date YYYY-MM-DD\n`),
  );
}

/** `uptake tool add NAME …`. */
export async function addTool(name: string, f: ToolFlags & { json?: boolean }): Promise<void> {
  await withNewOrExistingStore(f, async (store) => {
    const t = merge(null, name, f);
    await saveTool(store, t, { create: true });
    print(await getTool(store, name), f.json);
  });
}

/** `uptake tool update NAME …`: each rule flag given replaces that list. */
export async function updateTool(name: string, f: ToolFlags & { json?: boolean }): Promise<void> {
  await withStore(f, async (store) => {
    const old = await getTool(store, name);
    await saveTool(store, { ...merge(old, name, f), golives: [] });
    print(await getTool(store, name), f.json);
  });
}

/** `uptake tool list`. */
export async function listTools(f: StoreFlags & { json?: boolean }): Promise<void> {
  await withStore(f, async (store) => {
    const tools = await Promise.all((await listToolNames(store)).map((n) => getTool(store, n)));
    if (f.json) process.stdout.write(JSON.stringify({ tools }, null, 2) + '\n');
    else if (!tools.length)
      process.stdout.write('no tools yet: uptake tool add NAME --action CODE …\n');
    else
      process.stdout.write(
        renderTable(
          tools.map((t) => ({
            tool: t.name,
            uses: [...t.actions, ...t.categories.map((c) => `category ${c}`)].join(' '),
            eligible:
              [...t.eligible.roles, ...t.eligible.departments, ...t.eligible.specialties].join(
                ', ',
              ) || 'everyone',
            courses: t.courses.join(', '),
            target: t.target_metric
              ? `${t.target_metric}${t.target_direction ? ` (${t.target_direction})` : ''}`
              : '',
            go_lives: t.golives.map((g) => `${g.group} ${g.date}`).join('; '),
          })),
          ['tool', 'uses', 'eligible', 'courses', 'target', 'go_lives'],
        ) + '\n',
      );
  });
}

/** `uptake tool show NAME`. */
export async function showTool(name: string, f: StoreFlags & { json?: boolean }): Promise<void> {
  await withStore(f, async (store) => print(await getTool(store, name), f.json));
}

/** `uptake tool remove NAME`. */
export async function removeToolCommand(name: string, f: StoreFlags): Promise<void> {
  await withStore(f, async (store) => {
    await removeTool(store, name);
    process.stdout.write(`removed tool ${name}\n`);
  });
}

/** `uptake tool import FILE`. */
export async function importTools(file: string, f: StoreFlags): Promise<void> {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw invalid(`${file}: ${(e as Error).message.split('\n')[0]}`);
  }
  const tools = parseToolsFile(doc, file);
  await withNewOrExistingStore(f, async (store) => {
    for (const t of tools) {
      await saveTool(store, t);
      process.stdout.write(
        `${t.name}: ${t.actions.length + t.categories.length} use rules, ${t.golives.length} go-lives\n`,
      );
    }
  });
}

/** `uptake tool export [NAME]`. */
export async function exportTools(name: string | undefined, f: StoreFlags): Promise<void> {
  await withStore(f, async (store) => {
    const names = name ? [name] : await listToolNames(store);
    const tools = await Promise.all(names.map((n) => getTool(store, n)));
    process.stdout.write(JSON.stringify({ tools }, null, 2) + '\n');
  });
}

/** The one group a go-live command names. */
function groupOf(f: {
  department?: string;
  specialty?: string;
  role?: string;
  org?: boolean;
}): [GoLiveGroupBy, string] {
  const given = GOLIVE_GROUP_BYS.filter((g) => (g === 'org' ? f.org : f[g] !== undefined));
  if (given.length !== 1)
    throw invalid(
      'name exactly one group: --department NAME, --specialty NAME, --role ROLE or --org',
    );
  const by = given[0]!;
  return [by, by === 'org' ? 'organisation' : (f[by] as string)];
}

/** `uptake golive add --tool NAME GROUP --date DATE`. */
export async function addGoLiveCommand(
  f: GoFlags & { date: string; note?: string },
): Promise<void> {
  const [by, group] = groupOf(f);
  await withStore(f, async (store) => {
    await addGoLive(store, f.tool, { group_by: by, group, date: f.date, note: f.note ?? null });
    print(await getTool(store, f.tool), false);
  });
}

/** `uptake golive list`. */
export async function listGoLives(
  f: StoreFlags & { tool?: string; format: 'table' | 'json' | 'csv' },
): Promise<void> {
  await withStore(f, async (store) => {
    const names = f.tool ? [f.tool] : await listToolNames(store);
    const rows = (await Promise.all(names.map((n) => getTool(store, n)))).flatMap((t) =>
      t.golives.map((g) => ({
        tool: t.name,
        date: g.date,
        group_by: g.group_by,
        group: g.group,
        note: g.note ?? '',
      })),
    );
    const fields = ['tool', 'date', 'group_by', 'group', 'note'];
    if (f.format === 'json')
      process.stdout.write(JSON.stringify({ golives: rows }, null, 2) + '\n');
    else if (f.format === 'csv')
      process.stdout.write(
        [
          fields.join(','),
          ...rows.map((r) => fields.map((k) => csv(String(r[k as keyof typeof r]))).join(',')),
        ].join('\n') + '\n',
      );
    else process.stdout.write(renderTable(rows, fields) + '\n');
  });
}

/** `uptake golive remove --tool NAME GROUP`. */
export async function removeGoLiveCommand(f: GoFlags): Promise<void> {
  const [by, group] = groupOf(f);
  await withStore(f, async (store) => {
    await removeGoLive(store, f.tool, by, group);
    process.stdout.write(`removed the go-live of ${f.tool} for ${by} ${group}\n`);
  });
}

function csv(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}
