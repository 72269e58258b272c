/**
 * Output of reports as JSON (`{"options": …, "rows": […]}`), CSV (options as leading `#` lines)
 * or an aligned text table for people.
 */
export type OutputFormat = 'table' | 'json' | 'csv';

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'number' ? String(v) : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** `rows` as CSV (RFC 4180 quoting): a header of `fields`, then one line per row. */
export function renderCsv(rows: Record<string, unknown>[], fields: readonly string[]): string {
  return (
    [fields.join(','), ...rows.map((r) => fields.map((f) => csvCell(r[f])).join(','))].join('\n') +
    '\n'
  );
}

/** Render `rows` (all with the keys of `fields`, in that order) with the report's options. */
export function renderReport(
  format: OutputFormat,
  options: object,
  rows: Record<string, unknown>[],
  fields: readonly string[],
): string {
  if (format === 'json') return JSON.stringify({ options, rows }, null, 2) + '\n';
  if (format === 'csv') {
    const head = JSON.stringify(options, null, 0);
    return (
      [
        `# options: ${head}`,
        fields.join(','),
        ...rows.map((r) => fields.map((f) => csvCell(r[f])).join(',')),
      ].join('\n') + '\n'
    );
  }
  return renderTable(rows, fields) + '\n' + describeOptions(options) + '\n';
}

function cell(v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(2);
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  return String(v);
}

/** An aligned text table; numbers right-aligned, null shown as an em dash. */
export function renderTable(rows: Record<string, unknown>[], fields: readonly string[]): string {
  if (!rows.length) return '(no rows: nothing in this range)';
  const cells = rows.map((r) => fields.map((f) => cell(r[f])));
  const widths = fields.map((f, i) => Math.max(f.length, ...cells.map((c) => c[i]?.length ?? 0)));
  const numeric = fields.map((f) => rows.every((r) => typeof r[f] === 'number' || r[f] === null));
  const line = (vals: string[]) =>
    vals
      .map((v, i) => (numeric[i] ? v.padStart(widths[i] ?? 0) : v.padEnd(widths[i] ?? 0)))
      .join('  ');
  return [line([...fields]), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

function describeOptions(options: object): string {
  return 'options: ' + JSON.stringify(options);
}
