/**
 * Tools and go-lives as data. A tool (or feature) is a name, the actions that are its uses (exact
 * codes or `*`/`?` patterns, matched against the action code and its human name, or whole
 * categories), who is eligible (roles, departments, specialties: empty means everyone) and the
 * training courses that prepare for it. A go-live is a tool, a group (a department, specialty or
 * role, or the whole organisation) and a local date; groups with different dates are waves.
 */
import { z } from 'zod';
import { CATEGORIES } from '../model/canonical.ts';
import { UptakeError, invalid } from '../errors/UptakeError.ts';
import type { Sql, Store } from '../store/Store.ts';
import { isLocalDate } from './weeks.ts';

export const GOLIVE_GROUP_BYS = ['department', 'specialty', 'role', 'org'] as const;
export type GoLiveGroupBy = (typeof GOLIVE_GROUP_BYS)[number];

// A tool's target metric and direction are closed sets of the model (the API contract names them).
import {
  TARGET_DIRECTIONS,
  TARGET_METRICS,
  type TargetDirection,
  type TargetMetric,
} from '../model/evaluationMetrics.ts';
export { TARGET_DIRECTIONS, TARGET_METRICS, type TargetDirection, type TargetMetric };

/** The default of "habitual": at least this many uses a week, in at least 3 of the last 4 weeks. */
export const DEFAULT_HABITUAL_USES = 5;

export interface GoLive {
  group_by: GoLiveGroupBy;
  /** The department, specialty or role (for `org`: `organisation`). */
  group: string;
  /** Local date (organisation time zone) from which the tool is live. */
  date: string;
  note?: string | null;
}

export interface ToolDefinition {
  name: string;
  description: string | null;
  habitual_uses: number;
  /** Action codes or names; `*` and `?` are wildcards. */
  actions: string[];
  categories: string[];
  eligible: { roles: string[]; departments: string[]; specialties: string[] };
  /** Training course names; `*` and `?` are wildcards. */
  courses: string[];
  /** The metric the tool is meant to move (its go-live is evaluated on it first), if named. */
  target_metric: TargetMetric | null;
  /** Which way it is meant to move it, if said (only with a target metric). */
  target_direction: TargetDirection | null;
  golives: GoLive[];
}

const text = z.string().min(1).max(500);
const nameSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$/,
    'a tool name of letters, digits, space, dot, dash or underscore (at most 64), e.g. ambient-notes',
  );

export const goLiveSchema = z.object({
  group_by: z.enum(GOLIVE_GROUP_BYS),
  group: text,
  date: z.string().refine(isLocalDate, 'a local date YYYY-MM-DD'),
  note: z.string().max(500).nullable().optional(),
});

export const toolSchema = z
  .object({
    name: nameSchema,
    description: z.string().max(2000).nullable().optional(),
    habitual_uses: z.number().int().min(1).max(10000).optional(),
    actions: z.array(text).optional(),
    categories: z.array(z.enum(CATEGORIES)).optional(),
    eligible: z
      .object({
        roles: z.array(text).optional(),
        departments: z.array(text).optional(),
        specialties: z.array(text).optional(),
      })
      .optional(),
    courses: z.array(text).optional(),
    target_metric: z
      .enum(TARGET_METRICS, {
        error: `not a per-clinician metric; use one of ${TARGET_METRICS.join(', ')}`,
      })
      .nullable()
      .optional(),
    target_direction: z
      .enum(TARGET_DIRECTIONS, { error: `use ${TARGET_DIRECTIONS.join(' or ')}` })
      .nullable()
      .optional(),
    golives: z.array(goLiveSchema).optional(),
  })
  .refine((t) => (t.actions?.length ?? 0) + (t.categories?.length ?? 0) > 0, {
    message:
      'a tool needs at least one action (--action) or category (--category) that marks its use',
    path: ['actions'],
  })
  .refine((t) => !t.target_direction || t.target_metric, {
    message: 'a direction needs the metric it applies to; name it with target_metric',
    path: ['target_direction'],
  });

/** A tools file: one tool, a list, or `{"tools": [...]}`. */
export const toolsFileSchema = z.union([
  z.object({ tools: z.array(toolSchema) }),
  z.array(toolSchema),
  toolSchema,
]);

function zodMessage(e: z.ZodError, where: string): string {
  const issue = e.issues[0];
  const path = issue?.path.join('.') ?? '';
  return `${where}${path ? ` ${path}` : ''}: ${issue?.message ?? 'invalid'}`;
}

/** Validate an untrusted tool definition (CLI flags, a file, the API) into a full definition. */
export function parseTool(input: unknown, where = 'tool'): ToolDefinition {
  const r = toolSchema.safeParse(input);
  if (!r.success) throw invalid(zodMessage(r.error, where));
  const t = r.data;
  const uniq = (xs: readonly string[] | undefined) => [...new Set(xs ?? [])];
  return {
    name: t.name,
    description: t.description ?? null,
    habitual_uses: t.habitual_uses ?? DEFAULT_HABITUAL_USES,
    actions: uniq(t.actions),
    categories: uniq(t.categories),
    eligible: {
      roles: uniq(t.eligible?.roles),
      departments: uniq(t.eligible?.departments),
      specialties: uniq(t.eligible?.specialties),
    },
    courses: uniq(t.courses),
    target_metric: t.target_metric ?? null,
    target_direction: t.target_direction ?? null,
    golives: (t.golives ?? []).map((g) => ({
      group_by: g.group_by,
      group: g.group_by === 'org' ? 'organisation' : g.group,
      date: g.date,
      note: g.note ?? null,
    })),
  };
}

export function parseToolsFile(input: unknown, file: string): ToolDefinition[] {
  const r = toolsFileSchema.safeParse(input);
  if (!r.success) {
    // Report the problem of the most likely shape (a list of tools).
    const list = Array.isArray(input)
      ? input
      : typeof input === 'object' && input !== null && 'tools' in input
        ? input.tools
        : [input];
    if (Array.isArray(list)) list.forEach((t, i) => parseTool(t, `${file}: tool ${i + 1}`));
    throw invalid(zodMessage(r.error, file));
  }
  const list = Array.isArray(r.data) ? r.data : 'tools' in r.data ? r.data.tools : [r.data];
  return list.map((t, i) => parseTool(t, `${file}: tool ${i + 1}`));
}

/** Rule kinds as stored in `tool_rules`. */
const RULES: [keyof ToolDefinition | `eligible.${string}`, string][] = [
  ['actions', 'action'],
  ['categories', 'category'],
  ['eligible.roles', 'role'],
  ['eligible.departments', 'department'],
  ['eligible.specialties', 'specialty'],
  ['courses', 'course'],
];

function ruleValues(t: ToolDefinition, field: string): string[] {
  if (field.startsWith('eligible.'))
    return t.eligible[field.slice(9) as keyof ToolDefinition['eligible']];
  return t[field as 'actions' | 'categories' | 'courses'];
}

/** A `*`/`?` pattern as a SQL LIKE pattern with `\` as escape (other characters literal). */
export function globToLike(glob: string): string {
  return glob
    .replace(/[\\%_]/g, (c) => `\\${c}`)
    .replace(/\*/g, '%')
    .replace(/\?/g, '_');
}

async function writeTool(tx: Sql, t: ToolDefinition, now: string): Promise<void> {
  const [old] = await tx.all<{ created_at: string }>(
    `SELECT CAST(created_at AS VARCHAR) AS created_at FROM tools WHERE name = $1`,
    [t.name],
  );
  await tx.run(`DELETE FROM tools WHERE name = $1`, [t.name]);
  await tx.run(`DELETE FROM tool_rules WHERE tool = $1`, [t.name]);
  await tx.run(
    `INSERT INTO tools (name, description, habitual_uses, target_metric, target_direction,
                        created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, CAST($6 AS TIMESTAMPTZ), CAST($7 AS TIMESTAMPTZ))`,
    [
      t.name,
      t.description,
      t.habitual_uses,
      t.target_metric,
      t.target_direction,
      old?.created_at ?? now,
      now,
    ],
  );
  for (const [field, kind] of RULES)
    for (const v of ruleValues(t, field))
      await tx.run(`INSERT INTO tool_rules (tool, kind, value) VALUES ($1, $2, $3)`, [
        t.name,
        kind,
        v,
      ]);
}

async function writeGoLive(tx: Sql, tool: string, g: GoLive): Promise<void> {
  await tx.run(`DELETE FROM golives WHERE tool = $1 AND group_by = $2 AND group_value = $3`, [
    tool,
    g.group_by,
    g.group,
  ]);
  await tx.run(
    `INSERT INTO golives (tool, group_by, group_value, go_live_date, note)
     VALUES ($1, $2, $3, CAST($4 AS DATE), $5)`,
    [tool, g.group_by, g.group, g.date, g.note ?? null],
  );
}

export async function toolExists(db: Sql, name: string): Promise<boolean> {
  return (await db.all(`SELECT 1 FROM tools WHERE name = $1`, [name])).length > 0;
}

/**
 * Save a tool (replacing an existing definition of the same name) and its go-lives (added to or
 * replacing the tool's go-lives of the same groups). `create` refuses an existing name.
 */
export async function saveTool(
  store: Store,
  t: ToolDefinition,
  opts: { create?: boolean } = {},
): Promise<void> {
  const now = new Date().toISOString();
  await store.transaction(async (tx) => {
    if (opts.create && (await toolExists(tx, t.name)))
      throw new UptakeError(
        'CONFLICT',
        `tool ${t.name} exists; change it with uptake tool update ${t.name}, or remove it first`,
      );
    await writeTool(tx, t, now);
    for (const g of t.golives) await writeGoLive(tx, t.name, g);
  });
}

/** The tool named `name`, with its go-lives. */
export async function getTool(db: Sql, name: string): Promise<ToolDefinition> {
  const [row] = await db.all<{
    name: string;
    description: string | null;
    habitual_uses: number;
    target_metric: TargetMetric | null;
    target_direction: TargetDirection | null;
  }>(
    `SELECT name, description, habitual_uses, target_metric, target_direction
     FROM tools WHERE name = $1`,
    [name],
  );
  if (!row) {
    const names = (await listToolNames(db)).slice(0, 20);
    throw new UptakeError(
      'NOT_FOUND',
      `no tool named ${name}; ${names.length ? `known tools: ${names.join(', ')}` : 'define one with uptake tool add NAME --action …'}`,
    );
  }
  const rules = await db.all<{ kind: string; value: string }>(
    `SELECT kind, value FROM tool_rules WHERE tool = $1 ORDER BY kind, value`,
    [name],
  );
  const of = (k: string) => rules.filter((r) => r.kind === k).map((r) => r.value);
  return {
    name: row.name,
    description: row.description,
    habitual_uses: Number(row.habitual_uses),
    actions: of('action'),
    categories: of('category'),
    eligible: { roles: of('role'), departments: of('department'), specialties: of('specialty') },
    courses: of('course'),
    target_metric: row.target_metric,
    target_direction: row.target_direction,
    golives: await listGoLives(db, name),
  };
}

export async function listToolNames(db: Sql): Promise<string[]> {
  return (await db.all<{ name: string }>(`SELECT name FROM tools ORDER BY name`)).map(
    (r) => r.name,
  );
}

export async function listGoLives(db: Sql, tool: string): Promise<GoLive[]> {
  const rows = await db.all<{
    group_by: GoLiveGroupBy;
    group: string;
    date: string;
    note: string | null;
  }>(
    `SELECT group_by, group_value AS "group", CAST(go_live_date AS VARCHAR) AS date, note
     FROM golives WHERE tool = $1 ORDER BY go_live_date, group_by, group_value`,
    [tool],
  );
  return rows.map((r) => ({ ...r, date: String(r.date).slice(0, 10) }));
}

export async function removeTool(store: Store, name: string): Promise<void> {
  await getTool(store, name);
  await store.transaction(async (tx) => {
    await tx.run(`DELETE FROM golives WHERE tool = $1`, [name]);
    await tx.run(`DELETE FROM tool_rules WHERE tool = $1`, [name]);
    await tx.run(`DELETE FROM tools WHERE name = $1`, [name]);
  });
}

/** Add a go-live (or move the date of the tool's go-live for that group). */
export async function addGoLive(store: Store, tool: string, g: GoLive): Promise<void> {
  const parsed = goLiveSchema.safeParse(g);
  if (!parsed.success) throw invalid(zodMessage(parsed.error, 'go-live'));
  await getTool(store, tool);
  await store.transaction((tx) =>
    writeGoLive(tx, tool, { ...g, group: g.group_by === 'org' ? 'organisation' : g.group }),
  );
}

export async function removeGoLive(
  store: Store,
  tool: string,
  groupBy: GoLiveGroupBy,
  group: string,
): Promise<void> {
  const n = await store.exec(
    `DELETE FROM golives WHERE tool = $1 AND group_by = $2 AND group_value = $3`,
    [tool, groupBy, groupBy === 'org' ? 'organisation' : group],
  );
  if (!n) throw new UptakeError('NOT_FOUND', `tool ${tool} has no go-live for ${groupBy} ${group}`);
}

/** A sentence describing a tool, for reports. */
export function describeTool(t: ToolDefinition): string {
  const uses = [
    ...t.actions.map((a) => `action ${a}`),
    ...t.categories.map((c) => `any ${c} action`),
  ].join(', ');
  const who = [
    t.eligible.roles.length ? `roles ${t.eligible.roles.join(', ')}` : '',
    t.eligible.departments.length ? `departments ${t.eligible.departments.join(', ')}` : '',
    t.eligible.specialties.length ? `specialties ${t.eligible.specialties.join(', ')}` : '',
  ]
    .filter(Boolean)
    .join('; ');
  return `${t.name}: a use is one event of ${uses}; eligible: ${who || 'every clinician in the roster'}${
    t.courses.length ? `; training: courses ${t.courses.join(', ')}` : '; no training courses named'
  }${
    t.target_metric
      ? `; meant to ${t.target_direction ? `${t.target_direction} ` : 'move '}${t.target_metric}`
      : ''
  }`;
}
