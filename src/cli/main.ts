/**
 * `uptake`: the command line. User errors print one line naming what to fix and exit 1; a bad
 * invocation exits 2; nothing prints a stack trace unless UPTAKE_DEBUG is set.
 *
 * Each command is a light definition (`*Command.ts`: its arguments, options and description,
 * reading only commander and the model's plain constants) whose action imports its run module
 * (`*Run.ts`) when the command runs: `uptake --help` loads no importer, engine, server or zod.
 */
import { Command, CommanderError } from 'commander';
import { UptakeError } from '../errors/UptakeError.ts';
import { fileFault } from '../store/faults.ts';
import { registerImport } from './importCommand.ts';
import { registerMetrics } from './metricsCommand.ts';
import { registerEngagement } from './engagementCommand.ts';
import { registerGenerate } from './generateCommand.ts';
import { registerDemo } from './demoCommand.ts';
import { registerImports } from './importsCommand.ts';
import { registerSettings } from './settingsCommand.ts';
import { registerMigrate } from './migrateCommand.ts';
import { registerServe } from './serveCommand.ts';
import { registerUsers } from './usersCommand.ts';
import { registerTool } from './toolCommand.ts';
import { registerTraining } from './trainingCommand.ts';
import { registerAdoption } from './adoptionCommand.ts';
import { registerEvaluate } from './evaluateCommand.ts';
import { registerExport } from './exportCommand.ts';
import { registerGoals } from './goalsCommand.ts';
import { registerFeedback } from './feedbackCommand.ts';
import { registerSurveys } from './surveysCommand.ts';
import { VERSION } from '../version.ts';

export function buildProgram(): Command {
  const program = new Command('uptake')
    .description(
      'Clinician EHR burden, adoption and buy-in, from the logs clinical systems already write.',
    )
    .version(VERSION)
    .showHelpAfterError('(run uptake --help for usage)')
    .exitOverride();
  program.configureOutput({ writeErr: (s) => process.stderr.write(s) });
  registerImport(program);
  registerImports(program);
  registerExport(program);
  registerMetrics(program);
  registerEngagement(program);
  registerGenerate(program);
  registerDemo(program);
  registerSettings(program);
  registerMigrate(program);
  registerServe(program);
  registerUsers(program);
  registerTool(program);
  registerTraining(program);
  registerAdoption(program);
  registerEvaluate(program);
  registerGoals(program);
  registerFeedback(program);
  registerSurveys(program);
  for (const c of program.commands) c.exitOverride();
  return program;
}

let pipeWatched = false;

/**
 * When the reader of stdout goes away (`uptake metrics … | head -2`), stop quietly with status 0,
 * as a command whose output nobody reads any more has nothing left to do: without a listener,
 * Node reports the EPIPE as an uncaught error, with a stack trace and status 1. A store the
 * command had open is left as a crash leaves it: DuckDB and PostgreSQL keep only committed work,
 * and every command writes its output after it committed.
 */
function stopQuietlyOnClosedPipe(): void {
  if (pipeWatched) return;
  pipeWatched = true;
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE')
      process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
    throw e;
  });
}

/** Run the CLI with `argv` (as process.argv); resolves to the exit status. */
export async function main(argv: string[]): Promise<number> {
  stopQuietlyOnClosedPipe();
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (
        e.code === 'commander.helpDisplayed' ||
        e.code === 'commander.version' ||
        e.code === 'commander.help'
      )
        return 0;
      return 2;
    }
    // A full disk or a path that may not be written, wherever it was met: one line, not a crash.
    const err = e instanceof UptakeError ? e : fileFault(e);
    if (err) {
      process.stderr.write(`uptake: ${err.message}\n`);
      if (process.env['UPTAKE_DEBUG']) process.stderr.write(`${(e as Error).stack ?? ''}\n`);
      return err.exitCode;
    }
    process.stderr.write(`uptake: internal error: ${(e as Error).message}\n`);
    if (process.env['UPTAKE_DEBUG']) process.stderr.write(`${(e as Error).stack ?? ''}\n`);
    return 3;
  }
}
