/**
 * The zod schemas of the surveys' API (issue #14; rules in `docs/program.md` §Surveys). Requests
 * reuse the model's input schemas (`src/model/survey.ts`); responses are derived from its row
 * schemas, with the JSON columns (target groups, choices) given as values. Like `schemas.ts`, this
 * module imports only `src/model` (and the shared registry), so the web app's type check never
 * reaches server code.
 */
import { z } from 'zod';
import { GROUP_KINDS } from '../model/constants.ts';
import {
  surveyAnswersSchema,
  surveyCreateSchema,
  surveyItemSchema,
  surveyRowSchema,
} from '../model/survey.ts';
import { importReportSchema, registry } from './schemas.ts';

function named<S extends z.ZodType>(id: string, schema: S, description?: string): S {
  registry.add(schema, description ? { id, description } : { id });
  return schema;
}

const count = z.number().int().nonnegative();
const interval = z.tuple([z.number(), z.number()]);

/** A survey as the API shows it: the stored row, its target groups as a list, and counts. */
export const surveySchema = named(
  'Survey',
  surveyRowSchema.omit({ target_groups: true }).extend({
    target_groups: z.array(z.object({ by: z.enum(GROUP_KINDS), value: z.string() })),
    /** People invited so far (the response rate's denominator). */
    invited: count,
    /** Responses stored (in the app and imported). */
    responses: count,
  }),
);

export const surveyListSchema = named('SurveyList', z.object({ surveys: z.array(surveySchema) }));

export const surveyDetailSchema = named(
  'SurveyDetail',
  z.object({ survey: surveySchema, items: z.array(surveyItemSchema) }),
);

export const surveyCreateBody = named('SurveyCreate', surveyCreateSchema);
/** A survey's id (`newId`, or a FHIR id's characters): nothing else reaches a query. */
const surveyId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9.-]{0,63}$/, 'a survey id such as lx2k9a1-0f3c9e2a');
export const surveyIdParams = z.object({ id: surveyId });

/** What an invitation round did (`inviteToSurvey`). */
export const invitationRoundSchema = z.object({
  invited: count,
  reinvited: count,
  within_budget: count,
  dismissed_twice: count,
});

export const surveyOpenedSchema = named(
  'SurveyOpened',
  z.object({ survey: surveySchema, round: invitationRoundSchema }),
);

const surveyMean = z.object({
  n: count,
  mean: z.number(),
  sd: z.number().nullable(),
  ci95: interval.nullable(),
});

const npsOut = z.object({
  n: count,
  promoters: count,
  detractors: count,
  nps: z.number(),
  adjusted: z.number(),
  se: z.number(),
  ci95: interval,
});

/**
 * One item's figures in one group (`src/program/surveyItemResults.ts`); the fields that do not
 * fit the item's type are null.
 */
const surveyItemResultSchema = named(
  'SurveyItemResult',
  z.object({
    link_id: z.string(),
    type: surveyItemSchema.shape.type,
    text: z.string(),
    /** Respondents of the group who answered the item. */
    answered: count,
    /** 1–5 and 0–10 items: the mean answer with its 95% t-interval. */
    mean: surveyMean.nullable(),
    /** 1–5 and 0–10 items: the count of every value of the scale, zeros included. */
    distribution: z.array(z.object({ value: z.number().int(), count })).nullable(),
    /** Single-choice items: each choice's count and share of those who answered, Wilson 95%. */
    choices: z
      .array(
        z.object({
          choice: z.string(),
          count,
          share: z.number().nullable(),
          ci95: interval.nullable(),
        }),
      )
      .nullable(),
    /**
     * Free-text items: the answers, alphabetically — only in `total`, only for administrators and
     * IT, only when the total is not suppressed; null otherwise.
     */
    texts: z
      .array(z.string())
      .nullable()
      .describe(
        'Free-text answers, alphabetically: only in total, only for administrators and IT, only when the total is not suppressed',
      ),
  }),
  'One item in one group: answered (n); for 1–5 and 0–10 items the mean with its 95% ' +
    't-interval and the count per value; for single-choice items each choice’s count and share ' +
    'with its Wilson 95% interval; for free-text items the count (the texts only as said).',
);

/** One group's result; every figure null when `suppressed`. */
export const surveyGroupResultSchema = z.object({
  group: z.string(),
  invited: count,
  responses: count.nullable(),
  response_rate: z.number().nullable(),
  suppressed: z.enum(['small', 'complementary']).nullable(),
  sus: surveyMean.extend({ band: z.string() }).nullable(),
  nps: npsOut.nullable(),
  net: surveyMean.nullable(),
  /** Every item of the survey in order; null when the group is suppressed. */
  items: z
    .array(surveyItemResultSchema)
    .nullable()
    .describe('Every item of the survey in order; null when the group is suppressed'),
});

export const SURVEY_RESULT_BY = ['department', 'specialty', 'role', 'org'] as const;
export const surveyResultsQuery = z.object({
  by: z.enum(SURVEY_RESULT_BY).default('department'),
});

export const surveyResultsSchema = named(
  'SurveyResults',
  z.object({
    survey: surveySchema,
    by: z.enum(SURVEY_RESULT_BY),
    threshold: count,
    groups: z.array(surveyGroupResultSchema),
    total: surveyGroupResultSchema,
  }),
);

export const surveyCompareQuery = z.object({
  before: surveyId,
  after: surveyId,
  by: z.enum(SURVEY_RESULT_BY).default('department'),
});

const differenceOut = z.object({
  estimate: z.number(),
  se: z.number(),
  df: z.number().nullable(),
  ci95: interval,
});

const comparisonRow = z.object({
  group: z.string(),
  before: surveyGroupResultSchema.nullable(),
  after: surveyGroupResultSchema.nullable(),
  difference: differenceOut.nullable(),
});

export const surveyComparisonSchema = named(
  'SurveyComparison',
  z.object({
    before: surveySchema,
    after: surveySchema,
    by: z.enum(SURVEY_RESULT_BY),
    threshold: count,
    groups: z.array(comparisonRow),
    total: comparisonRow,
  }),
);

/** FHIR resources pass through as JSON objects; their shape is checked by the importers. */
const fhirResource = z.object({ resourceType: z.string() }).passthrough();

export const surveyFhirSchema = named(
  'SurveyFhir',
  z.object({
    questionnaire: fhirResource,
    /** A `collection` Bundle of the survey's QuestionnaireResponses. */
    responses: fhirResource,
  }),
  'An anonymous survey’s responses name no account.',
);

/** A Questionnaire to create a survey from. */
export const questionnaireBody = fhirResource;

/** QuestionnaireResponses: a Bundle of them, a list, or one. */
export const questionnaireResponsesBody = z.union([
  fhirResource,
  z.array(fhirResource).max(100_000),
]);

export const fhirResponseImportSchema = named(
  'SurveyFhirImport',
  z.object({
    stored: count,
    duplicate: count,
    rejected: z.array(z.object({ index: count, reason: z.string() })),
  }),
);

export const surveyCsvQuery = z.object({ filename: z.string().min(1).max(200).optional() });

export const surveyCsvReportSchema = named(
  'SurveyCsvReport',
  importReportSchema.extend({ survey_id: z.string(), items: z.array(z.string()) }),
);

/** The survey waiting for the caller (one at a time), or null. */
export const mySurveySchema = named(
  'MySurvey',
  z.object({
    survey: z
      .object({
        id: z.string(),
        title: z.string(),
        instrument: surveyRowSchema.shape.instrument,
        anonymous: z.boolean(),
        invited_at: z.string(),
        items: z.array(surveyItemSchema),
      })
      .nullable(),
  }),
);

export const surveyAnswersBody = named('SurveyAnswers', surveyAnswersSchema);
export const surveyAnsweredSchema = z.object({ answered: z.literal(true) });
export const surveyDismissedSchema = z.object({ dismissed: count });

export type SurveyOut = z.infer<typeof surveySchema>;
export type SurveyList = z.infer<typeof surveyListSchema>;
export type SurveyDetail = z.infer<typeof surveyDetailSchema>;
export type SurveyCreateIn = z.input<typeof surveyCreateBody>;
export type SurveyResultsOut = z.infer<typeof surveyResultsSchema>;
export type SurveyGroupResultOut = z.infer<typeof surveyGroupResultSchema>;
export type SurveyItemResultOut = z.infer<typeof surveyItemResultSchema>;
export type SurveyComparisonOut = z.infer<typeof surveyComparisonSchema>;
export type MySurvey = z.infer<typeof mySurveySchema>;
export type SurveyItemOut = z.infer<typeof surveyItemSchema>;
export type SurveyFhirOut = z.infer<typeof surveyFhirSchema>;
