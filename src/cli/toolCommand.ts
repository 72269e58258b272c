/**
 * `uptake tool …` and `uptake golive …`: tools (features) and their go-lives, as data. These are
 * the definitions; the work is `toolRun.ts`, loaded when a command runs.
 */
import type { Command } from 'commander';
import { collect, formatOption, storeOptions, type StoreFlags } from './options.ts';
import type { GoFlags, ToolFlags } from './toolRun.ts';

function ruleOptions(cmd: Command): Command {
  return cmd
    .option(
      '--action <action>',
      'an action code or name that is a use; * and ? are wildcards (repeatable)',
      collect,
    )
    .option('--category <category>', 'every action of a category is a use (repeatable)', collect)
    .option('--role <role>', 'eligible role (repeatable; none: every role)', collect)
    .option(
      '--department <name>',
      'eligible department (repeatable; none: every department)',
      collect,
    )
    .option('--specialty <name>', 'eligible specialty (repeatable; none: every specialty)', collect)
    .option(
      '--course <name>',
      'training course for the tool; * and ? are wildcards (repeatable)',
      collect,
    )
    .option('--habitual <n>', 'uses a week that make a habit (in 3 of the last 4 weeks; default 5)')
    .option('--description <text>', 'what the tool is')
    .option(
      '--target-metric <metric>',
      'the per-clinician metric the tool is meant to move, e.g. note_time8 (none: no target)',
    )
    .option('--target-direction <way>', 'which way it is meant to move it: decrease or increase');
}

/** The run module, loaded when a command runs. */
const run = () => import('./toolRun.ts');

export function registerTool(program: Command): void {
  const tool = program
    .command('tool')
    .description('tools and features whose adoption Uptake follows');
  storeOptions(
    ruleOptions(
      tool
        .command('add')
        .description('define a tool')
        .argument('<name>', 'tool name, e.g. ambient-notes'),
    ),
  )
    .option('--json', 'print the definition as JSON')
    .action(async (name: string, f: ToolFlags & { json?: boolean }) => {
      await (await run()).addTool(name, f);
    });
  storeOptions(
    ruleOptions(
      tool
        .command('update')
        .description('change a tool: each rule option given replaces that list')
        .argument('<name>', 'tool name'),
    ),
  )
    .option('--json', 'print the definition as JSON')
    .action(async (name: string, f: ToolFlags & { json?: boolean }) => {
      await (await run()).updateTool(name, f);
    });
  storeOptions(tool.command('list').description('the tools defined'))
    .option('--json', 'print JSON')
    .action(async (f: StoreFlags & { json?: boolean }) => {
      await (await run()).listTools(f);
    });
  storeOptions(
    tool.command('show').description('one tool and its go-lives').argument('<name>', 'tool name'),
  )
    .option('--json', 'print JSON')
    .action(async (name: string, f: StoreFlags & { json?: boolean }) => {
      await (await run()).showTool(name, f);
    });
  storeOptions(
    tool
      .command('remove')
      .description('remove a tool and its go-lives')
      .argument('<name>', 'tool name'),
  ).action(async (name: string, f: StoreFlags) => {
    await (await run()).removeToolCommand(name, f);
  });
  storeOptions(
    tool
      .command('import')
      .description(
        'define tools and their go-lives from a JSON file (a tool, a list, or {"tools": [...]})',
      )
      .argument('<file>', 'JSON file, e.g. tools.json written by uptake generate'),
  ).action(async (file: string, f: StoreFlags) => {
    await (await run()).importTools(file, f);
  });
  storeOptions(
    tool
      .command('export')
      .description('print tools as JSON (the import format)')
      .argument('[name]', 'one tool'),
  ).action(async (name: string | undefined, f: StoreFlags) => {
    await (await run()).exportTools(name, f);
  });

  const golive = program
    .command('golive')
    .description('go-lives of tools: a tool, a group and a date (waves)');
  const groupOptions = (cmd: Command) =>
    cmd
      .requiredOption('--tool <name>', 'the tool')
      .option('--department <name>', 'the department going live')
      .option('--specialty <name>', 'the specialty going live')
      .option('--role <role>', 'the role going live')
      .option('--org', 'the whole organisation');
  storeOptions(
    groupOptions(
      golive
        .command('add')
        .description('a group goes live with a tool on a date (re-adding moves the date)'),
    )
      .requiredOption('--date <date>', 'local date the group goes live, YYYY-MM-DD')
      .option('--note <text>', 'e.g. wave 2'),
  ).action(async (f: GoFlags & { date: string; note?: string }) => {
    await (await run()).addGoLiveCommand(f);
  });
  storeOptions(golive.command('list').description('go-lives').option('--tool <name>', 'one tool'))
    .addOption(formatOption())
    .action(async (f: StoreFlags & { tool?: string; format: 'table' | 'json' | 'csv' }) => {
      await (await run()).listGoLives(f);
    });
  storeOptions(groupOptions(golive.command('remove').description('remove a go-live'))).action(
    async (f: GoFlags) => {
      await (await run()).removeGoLiveCommand(f);
    },
  );
}
