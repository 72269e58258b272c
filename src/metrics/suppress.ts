/**
 * Small-group suppression, in one place for every page, endpoint and command that shows group
 * figures (metrics.md §7, SPEC "Privacy and security").
 *
 * A group with fewer clinicians than the threshold shows no numbers to anyone but an
 * administrator (primary suppression). That alone is not enough: the groups of one table (the
 * departments of a period, the funnel rows of a tool, …) add up to the organisation's figure,
 * which is shown, so with a single group hidden, the total minus the visible groups is the hidden
 * group's count. Complementary suppression hides more groups until the hidden ones cannot be told
 * apart: at least two hidden groups, and a hidden total above zero (a zero total would show every
 * hidden group to be zero). The extra groups are the smallest others, so the least is hidden.
 */

/** Why a group is suppressed: too few clinicians, or to protect a smaller group. */
export type SuppressionReason = 'small' | 'complementary';

/** One group of a table: its key and the count the threshold applies to. */
export interface Cell<K> {
  key: K;
  n: number;
}

/**
 * The suppressed groups of one partition of a total (groups that add up to it), with why.
 *
 * Rule: every group with `n < threshold` is suppressed; then, while some group is suppressed but
 * fewer than two are, or the suppressed groups' counts sum to zero, the smallest other group (by
 * `n`, then by key) is suppressed too — unless every group already is. No suppressed group's
 * count can then be derived as the total minus the visible groups, or as any other difference of
 * visible figures of the table. A group is keyed by `key`; keys must be unique in `cells`.
 */
export function suppressCells<K extends string>(
  cells: readonly Cell<K>[],
  threshold: number,
): Map<K, SuppressionReason> {
  const out = new Map<K, SuppressionReason>();
  for (const c of cells) if (c.n < threshold) out.set(c.key, 'small');
  if (!out.size) return out;
  const rest = cells
    .filter((c) => !out.has(c.key))
    .sort((a, b) => a.n - b.n || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  let hiddenSum = cells.reduce((s, c) => s + (out.has(c.key) ? c.n : 0), 0);
  for (const c of rest) {
    if (out.size >= 2 && hiddenSum > 0) break;
    out.set(c.key, 'complementary');
    hiddenSum += c.n;
  }
  return out;
}

/** A group row of some period: `suppressed` is set by `markSuppressed`. */
export interface PeriodGroupRow {
  group: string;
  period_start: string;
  period_end: string;
  n: number;
  suppressed: boolean;
}

/**
 * Sets `suppressed` on group rows of one grouping (one `by`), period by period: the groups of a
 * period are one partition of that period's total (`suppressCells`). Returns the same rows.
 */
export function markSuppressed<R extends PeriodGroupRow>(rows: R[], threshold: number): R[] {
  const periods = new Map<string, R[]>();
  for (const r of rows) {
    const k = `${r.period_start}\u0000${r.period_end}`;
    const list = periods.get(k);
    if (list) list.push(r);
    else periods.set(k, [r]);
  }
  for (const list of periods.values()) {
    const hidden = suppressCells(
      list.map((r) => ({ key: r.group, n: r.n })),
      threshold,
    );
    for (const r of list) r.suppressed = hidden.has(r.group);
  }
  return rows;
}

/** The words of the metric definitions and the reports for the rule above. */
export function suppressionText(threshold: number): string {
  return (
    `groups of fewer than ${threshold} clinicians are suppressed for everyone but administrators, ` +
    'and where that leaves one group of a table hidden, the next smallest is hidden too, so ' +
    'that no hidden figure can be worked out from the total'
  );
}
