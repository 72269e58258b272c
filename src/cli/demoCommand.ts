/** `uptake demo`: its definition; the work is `demoRun.ts`, loaded when it runs. */
import type { Command } from 'commander';
import type { DemoFlags } from './demoRun.ts';

const DEMO_DIR = 'demo';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'generate, import and summarise a synthetic health system (in ./demo), then serve the web app',
    )
    .option('--dir <dir>', 'folder for the demo data and store', DEMO_DIR)
    .option('--clinicians <n>', 'number of clinicians', '60')
    .option(
      '--days <n>',
      'number of days (24 weeks: 12 before the go-live, enough to evaluate it)',
      '168',
    )
    .option('--fresh', 'throw away an earlier demo and start again')
    .option('--no-serve', 'only print the summary; do not serve the web app')
    .option('--port <port>', 'TCP port of the web app', '8080')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .action(async (flags: DemoFlags) => {
      const { runDemo } = await import('./demoRun.ts');
      await runDemo(flags);
    });
}
