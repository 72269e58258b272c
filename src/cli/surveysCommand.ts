/** `uptake surveys list|show|results|import|export`: definitions; the work is `surveysRun.ts`. */
import { Option, type Command } from 'commander';
import { formatOption, storeOptions } from './options.ts';
import type {
  SurveysExportFlags,
  SurveysImportFlags,
  SurveysListFlags,
  SurveysResultsFlags,
  SurveysShowFlags,
} from './surveysRun.ts';

export function registerSurveys(program: Command): void {
  const surveys = program
    .command('surveys')
    .description(
      'SUS, NPS, net-satisfaction and custom surveys: results with intervals, FHIR and CSV exchange (docs/program.md)',
    );
  storeOptions(
    surveys
      .command('list', { isDefault: true })
      .description('every survey, newest first, with its state, invitations and responses')
      .addOption(formatOption()),
  ).action(async (flags: SurveysListFlags) => {
    const { listSurveysCli } = await import('./surveysRun.ts');
    await listSurveysCli(flags);
  });
  storeOptions(
    surveys
      .command('show')
      .description('one survey and its items')
      .argument('<id>', 'the survey’s id (uptake surveys list)')
      .addOption(
        new Option('--format <format>', 'output format (fhir: a FHIR R4 Questionnaire)')
          .choices(['table', 'json', 'fhir'])
          .default('table'),
      ),
  ).action(async (id: string, flags: SurveysShowFlags) => {
    const { showSurveyCli } = await import('./surveysRun.ts');
    await showSurveyCli(id, flags);
  });
  storeOptions(
    surveys
      .command('results')
      .description(
        'scores per group with 95% intervals and the response rate; groups below the suppression threshold show nothing',
      )
      .argument('<id>', 'the survey’s id')
      .addOption(
        new Option('--by <group>', 'cut by the respondents’ group')
          .choices(['department', 'specialty', 'role', 'org'])
          .default('department'),
      )
      .option(
        '--before <id>',
        'compare with this earlier survey of the same instrument (before/after, e.g. around a go-live)',
      )
      .addOption(formatOption()),
  ).action(async (id: string, flags: SurveysResultsFlags) => {
    const { surveyResultsCli } = await import('./surveysRun.ts');
    await surveyResultsCli(id, flags);
  });
  storeOptions(
    surveys
      .command('import')
      .description(
        'import responses (CSV: one column per item and an id column; FHIR: QuestionnaireResponses) or a Questionnaire (FHIR: a new survey)',
      )
      .argument('<file>', 'the CSV or FHIR JSON file')
      .option('--survey <id>', 'the survey the responses belong to (required for CSV)')
      .addOption(
        new Option('--format <format>', 'the file’s format (default: from its name)').choices([
          'csv',
          'fhir',
        ]),
      ),
  ).action(async (file: string, flags: SurveysImportFlags) => {
    const { importSurveyCli } = await import('./surveysRun.ts');
    await importSurveyCli(file, flags);
  });
  storeOptions(
    surveys
      .command('export')
      .description(
        'a survey as FHIR R4: a collection Bundle of its Questionnaire and QuestionnaireResponses (importable again)',
      )
      .argument('<id>', 'the survey’s id')
      .option('--output <file>', 'write to this file (default: standard output)'),
  ).action(async (id: string, flags: SurveysExportFlags) => {
    const { exportSurveyCli } = await import('./surveysRun.ts');
    await exportSurveyCli(id, flags);
  });
}
