/**
 * Migration 12 against the model: every program table has exactly the columns of its zod row
 * schema (src/model/goal.ts, src/model/feedback.ts), on both engines, so the stores' column lists
 * (taken from the schemas) and the DDL cannot drift apart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { engines } from '../testing/testEngines.ts';
import type { Store } from '../store/Store.ts';
import { goalCommentRowSchema, goalRowSchema, goalVoteRowSchema } from '../model/goal.ts';
import {
  feedbackEventRowSchema,
  feedbackItemRowSchema,
  feedbackSubscriptionRowSchema,
  feedbackVoteRowSchema,
  noticeRowSchema,
} from '../model/feedback.ts';
import { invitationSchema } from '../model/champions.ts';

const TABLES: [string, z.ZodObject][] = [
  ['goals', goalRowSchema],
  ['goal_votes', goalVoteRowSchema],
  ['goal_comments', goalCommentRowSchema],
  ['feedback_items', feedbackItemRowSchema],
  ['feedback_events', feedbackEventRowSchema],
  ['feedback_votes', feedbackVoteRowSchema],
  ['feedback_subscriptions', feedbackSubscriptionRowSchema],
  ['notices', noticeRowSchema],
  // Migration 14.
  ['champion_invitations', invitationSchema],
];

describe.each(engines())('program tables on $name', (engine) => {
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
