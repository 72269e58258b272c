/**
 * Migration 13 against the model: every survey table has exactly the columns of its zod row
 * schema (src/model/survey.ts), on both engines, so the stores' column lists (taken from the
 * schemas) and the DDL cannot drift apart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { engines } from '../testing/testEngines.ts';
import type { Store } from '../store/Store.ts';
import {
  surveyAnswerRowSchema,
  surveyContactRowSchema,
  surveyInvitationRowSchema,
  surveyItemRowSchema,
  surveyResponseRowSchema,
  surveyRowSchema,
} from '../model/survey.ts';

const TABLES: [string, z.ZodObject][] = [
  ['surveys', surveyRowSchema],
  ['survey_items', surveyItemRowSchema],
  ['survey_invitations', surveyInvitationRowSchema],
  ['survey_contacts', surveyContactRowSchema],
  ['survey_responses', surveyResponseRowSchema],
  ['survey_answers', surveyAnswerRowSchema],
];

describe.each(engines())('survey tables on $name', (engine) => {
  let store: Store;
  beforeAll(async () => {
    store = await engine.open();
  });
  afterAll(async () => store?.close());

  it.each(TABLES)('%s has the columns of its row schema', async (table, schema) => {
    const cols = await store.all<{ column_name: string }>(
      `SELECT column_name FROM information_schema.columns WHERE table_name = $1
       ORDER BY ordinal_position`,
      [table],
    );
    expect(cols.map((c) => c.column_name)).toEqual(Object.keys(schema.shape));
  });
});
