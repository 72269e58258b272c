/** `uptake goals list|show|propose|vote|withdraw`: definitions; the work is `goalsRun.ts`. */
import { Option, type Command } from 'commander';
import { formatOption, storeOptions } from './options.ts';
import type {
  GoalsActFlags,
  GoalsListFlags,
  GoalsProposeFlags,
  GoalsShowFlags,
} from './goalsRun.ts';

const AS = 'the account on whose behalf (uptake users list); the API’s rules apply to it';

export function registerGoals(program: Command): void {
  const goals = program
    .command('goals')
    .description(
      'goals a group’s clinicians propose and vote on, with their computed status (docs/program.md)',
    );
  storeOptions(
    goals
      .command('list', { isDefault: true })
      .description('every goal, newest first, with its counts and (adopted) computed status')
      .option(
        '--group <by:value>',
        'only one group: department:NAME, specialty:NAME, role:NAME or org',
      )
      .option(
        '--state <states>',
        'only these states (voting, adopted, not_adopted, withdrawn; commas)',
      )
      .addOption(formatOption()),
  ).action(async (flags: GoalsListFlags) => {
    const { listGoalsCli } = await import('./goalsRun.ts');
    await listGoalsCli(flags);
  });
  storeOptions(
    goals
      .command('show')
      .description('one goal: counts, baseline, weekly values, status with its projection')
      .argument('<id>', 'the goal’s id (uptake goals list)')
      .addOption(
        new Option('--format <format>', 'output format (fhir: a FHIR R4 Goal)')
          .choices(['table', 'json', 'fhir'])
          .default('table'),
      ),
  ).action(async (id: string, flags: GoalsShowFlags) => {
    const { showGoalCli } = await import('./goalsRun.ts');
    await showGoalCli(id, flags);
  });
  storeOptions(
    goals
      .command('propose')
      .description(
        'show the baseline (with its interval), the recent weeks and the noise check of a goal; propose it with --yes',
      )
      .requiredOption('--as <user>', AS)
      .requiredOption('--group <by:value>', 'department:NAME, specialty:NAME, role:NAME or org')
      .requiredOption(
        '--metric <metric>',
        'a per-clinician metric (e.g. ehr_time8), adoption.active_share / adoption.habitual_share (with --tool), or a survey score survey.sus / survey.nps / survey.net (with --survey)',
      )
      .addOption(
        new Option('--direction <direction>', 'which way the metric should move')
          .choices(['increase', 'decrease'])
          .makeOptionMandatory(),
      )
      .requiredOption('--target <value>', 'the value of the metric to reach')
      .requiredOption('--target-date <date>', 'when (YYYY-MM-DD, after the vote closes)')
      .requiredOption('--title <text>', 'a short title')
      .option('--rationale <text>', 'why, in the proposer’s words (default: the title)')
      .option('--tool <name>', 'the tool of an adoption share, or whose go-live the goal follows')
      .option(
        '--survey <id>',
        'the survey of a survey score, of its instrument (uptake surveys list); a week with fewer responses than the suppression threshold has no value',
      )
      .option(
        '--baseline-weeks <n>',
        'whole weeks of the baseline (default: the goal_rules setting)',
      )
      .option('--yes', 'propose it (without: only the preview, nothing is stored)'),
  ).action(async (flags: GoalsProposeFlags) => {
    const { proposeGoalCli } = await import('./goalsRun.ts');
    await proposeGoalCli(flags);
  });
  storeOptions(
    goals
      .command('vote')
      .description(
        'cast or change a vote while the window is open (the group’s clinicians and champions; secret)',
      )
      .argument('<id>', 'the goal’s id')
      .argument('<choice>', 'support, oppose or abstain')
      .requiredOption('--as <user>', AS),
  ).action(async (id: string, choice: string, flags: GoalsActFlags) => {
    const { voteGoalCli } = await import('./goalsRun.ts');
    await voteGoalCli(id, choice, flags);
  });
  storeOptions(
    goals
      .command('withdraw')
      .description('withdraw a goal that is voting or adopted (its proposer or an administrator)')
      .argument('<id>', 'the goal’s id')
      .requiredOption('--as <user>', AS),
  ).action(async (id: string, flags: GoalsActFlags) => {
    const { withdrawGoalCli } = await import('./goalsRun.ts');
    await withdrawGoalCli(id, flags);
  });
}
