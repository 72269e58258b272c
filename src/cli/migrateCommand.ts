/** `uptake migrate [--citus]`: its definition; the work is `migrateRun.ts`. */
import type { Command } from 'commander';
import { storeOptions } from './options.ts';
import type { MigrateFlags } from './migrateRun.ts';

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
  ).action(async (flags: MigrateFlags) => {
    const { runMigrate } = await import('./migrateRun.ts');
    await runMigrate(flags);
  });
}
