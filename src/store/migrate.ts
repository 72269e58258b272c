import { UptakeError } from '../errors/UptakeError.ts';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations.ts';
import type { Store } from './Store.ts';
import { applyCitusLayout } from './citus.ts';

/** Apply the migrations this store has not seen yet, each in its own transaction. */
export async function migrate(store: Store, opts: { citus?: boolean } = {}): Promise<void> {
  // Only create what is missing: a user with data privileges but no CREATE on the schema can then
  // use a store that its owner migrated.
  const hasMeta = await store.all(
    `SELECT 1 FROM information_schema.tables WHERE table_name = 'meta'`,
  );
  if (!hasMeta.length)
    await store.run(`CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)`);
  const rows = await store.all<{ value: string }>(
    `SELECT value FROM meta WHERE key = 'schema_version'`,
  );
  const current = rows.length ? Number(rows[0]?.value) : 0;
  if (current > SCHEMA_VERSION) {
    throw new UptakeError(
      'CONFLICT',
      `${store.location} has schema version ${current}, newer than this Uptake (${SCHEMA_VERSION}); upgrade Uptake`,
    );
  }
  for (const m of MIGRATIONS) {
    if (m.version <= current) continue;
    await store.transaction(async (tx) => {
      for (const stmt of m.up(store.dialect)) await tx.run(stmt);
      await tx.run(`DELETE FROM meta WHERE key = 'schema_version'`);
      await tx.run(`INSERT INTO meta (key, value) VALUES ('schema_version', $1)`, [
        String(m.version),
      ]);
    });
  }
  if (opts.citus) {
    if (store.dialect.name !== 'postgres')
      throw new UptakeError(
        'BAD_INVOCATION',
        '--citus needs a PostgreSQL store (--database-url) with the citus extension',
      );
    await applyCitusLayout(store);
  }
}
