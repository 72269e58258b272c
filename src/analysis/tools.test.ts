/** A tool's target metric (issue 11, item 13): validated against the closed set, field named. */
import { describe, expect, it } from 'vitest';
import { UptakeError } from '../errors/UptakeError.ts';
import { parseTool, parseToolsFile, TARGET_METRICS } from './tools.ts';

const base = { name: 'ambient-notes', actions: ['ambient_note_*'] };

function failure(fn: () => unknown): UptakeError {
  try {
    fn();
  } catch (e) {
    if (e instanceof UptakeError) return e;
    throw e;
  }
  throw new Error('did not throw');
}

describe('a tool’s target metric', () => {
  it('takes a per-clinician metric and a direction, and none by default', () => {
    expect(
      parseTool({ ...base, target_metric: 'note_time8', target_direction: 'decrease' }),
    ).toMatchObject({
      target_metric: 'note_time8',
      target_direction: 'decrease',
    });
    expect(parseTool({ ...base, target_metric: 'undivided_attention' })).toMatchObject({
      target_metric: 'undivided_attention',
      target_direction: null,
    });
    expect(parseTool(base)).toMatchObject({ target_metric: null, target_direction: null });
    // The metrics evaluations take per clinician: Note-Time8 among them, no adoption measure.
    expect(TARGET_METRICS).toContain('note_time8');
    expect(TARGET_METRICS).not.toContain('user_id');
    expect(TARGET_METRICS as readonly string[]).not.toContain('adoption.active_share');
  });

  it('refuses an unknown metric, an adoption measure or a bad direction, naming the field', () => {
    for (const [input, message] of [
      [
        { target_metric: 'happiness' },
        /^tool target_metric: not a per-clinician metric; use one of .*note_time8/,
      ],
      [
        { target_metric: 'adoption.active_share' },
        /^tool target_metric: not a per-clinician metric/,
      ],
      [{ target_metric: '__proto__' }, /^tool target_metric: /],
      [
        { target_metric: 'note_time8', target_direction: 'sideways' },
        /^tool target_direction: use decrease or increase/,
      ],
      [{ target_direction: 'decrease' }, /^tool target_direction: a direction needs the metric/],
    ] as const) {
      const e = failure(() => parseTool({ ...base, ...input }));
      expect(e.code).toBe('INVALID_INPUT');
      expect(e.message).toMatch(message);
    }
  });

  it('names the file and the tool in a tools file', () => {
    const e = failure(() =>
      parseToolsFile(
        { tools: [base, { ...base, name: 'other', target_metric: 'ehr_time' }] },
        'tools.json',
      ),
    );
    expect(e.message).toMatch(/^tools\.json: tool 2 target_metric: not a per-clinician metric/);
  });
});
