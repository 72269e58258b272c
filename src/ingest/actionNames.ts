/**
 * Human names of actions whose code is an opaque id (Epic's METRIC_ID beside its METRIC_NAME),
 * kept once per (source, action) so that reports and the action-map advice can show them.
 */
import type { Sql } from '../store/Store.ts';

/** Record names for actions (insert new ones, update changed ones), in the import's transaction. */
export async function saveActionNames(
  tx: Sql,
  rows: readonly { source: string; action: string; name: string }[],
): Promise<void> {
  for (let i = 0; i < rows.length; i += 300) {
    const chunk = rows.slice(i, i + 300);
    const keys = chunk.map((_, j) => `($${2 * j + 1}, $${2 * j + 2})`).join(', ');
    await tx.run(
      `DELETE FROM action_names WHERE (source, action) IN (${keys})`,
      chunk.flatMap((r) => [r.source, r.action]),
    );
    await tx.run(
      `INSERT INTO action_names (source, action, name) VALUES ${chunk.map((_, j) => `($${3 * j + 1}, $${3 * j + 2}, $${3 * j + 3})`).join(', ')}`,
      chunk.flatMap((r) => [r.source, r.action, r.name]),
    );
  }
}
