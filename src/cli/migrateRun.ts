/** `uptake migrate`'s work (its definition is `migrateCommand.ts`). */
import { SCHEMA_VERSION } from '../store/migrations.ts';
import { openStore } from '../store/openStore.ts';
import type { StoreFlags } from './options.ts';

export type MigrateFlags = StoreFlags & { citus?: boolean };

/** Open (and so migrate) the chosen store, laid out for Citus when asked. */
export async function runMigrate(flags: MigrateFlags): Promise<void> {
  const store = await openStore({
    db: flags.db,
    databaseUrl: flags.databaseUrl,
    citus: flags.citus ?? false,
  });
  try {
    process.stdout.write(
      `${store.location}: schema version ${SCHEMA_VERSION}${flags.citus ? ', Citus layout applied' : ''}\n`,
    );
  } finally {
    await store.close();
  }
}
