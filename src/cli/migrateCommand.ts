import { Command } from 'commander';
import { SCHEMA_VERSION } from '../store/migrations.ts';
import { openStore } from '../store/openStore.ts';
import { storeOptions } from './main.ts';
import type { StoreFlags } from './withStore.ts';

export function registerMigrate(program: Command): void {
  storeOptions(
    program
      .command('migrate')
      .description(
        'create or upgrade the schema (every command does this too); --citus distributes the tables for Citus',
      )
      .option(
        '--citus',
        'distribute events, schedule and orders by user_id and make the roster a reference table (PostgreSQL with the citus extension)',
      ),
  ).action(async (flags: StoreFlags & { citus?: boolean }) => {
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
  });
}
