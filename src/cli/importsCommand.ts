/** `uptake imports list|show|remove`: definitions; the work is `importsRun.ts`. */
import type { Command } from 'commander';
import { storeOptions, type StoreFlags } from './options.ts';

export function registerImports(program: Command): void {
  const imports = program
    .command('imports')
    .description('past imports, their reports, and removing a wrong one');
  storeOptions(
    imports
      .command('list', { isDefault: true })
      .description('list past imports')
      .option('--json', 'as JSON'),
  ).action(async (flags: StoreFlags & { json?: boolean }) => {
    const { listImportsCommand } = await import('./importsRun.ts');
    await listImportsCommand(flags);
  });
  storeOptions(
    imports
      .command('show')
      .description('one import: its report and its rejected rows with reasons')
      .argument('<id>', 'import id')
      .option('--json', 'as JSON'),
  ).action(async (id: string, flags: StoreFlags & { json?: boolean }) => {
    const { showImport } = await import('./importsRun.ts');
    await showImport(id, flags);
  });
  storeOptions(
    imports
      .command('remove')
      .description(
        'remove a wrong import: every row it stored, its rejected lines and its rejects files (shows what would go unless --yes)',
      )
      .argument('<id>', 'import id')
      .option('--yes', 'remove it (without --yes, only say what would be removed)')
      .option('--json', 'as JSON'),
  ).action(async (id: string, flags: StoreFlags & { yes?: boolean; json?: boolean }) => {
    const { removeImportCommand } = await import('./importsRun.ts');
    await removeImportCommand(id, flags);
  });
}
