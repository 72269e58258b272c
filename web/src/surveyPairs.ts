/**
 * Surveys around a go-live come in pairs: one taken before it (`pre`), one after (`post`), of the
 * same instrument and the same go-live. One rule pairs them, for the Go-live page and a survey's
 * own before/after comparison.
 */
import type { SurveyOut } from './api.ts';

const byCreation = (a: SurveyOut, b: SurveyOut): number => (a.created_at < b.created_at ? -1 : 1);

/** The survey taken before the go-live that `post` was taken after (the latest, if several). */
export function preSurveyOf(
  post: SurveyOut | undefined,
  all: readonly SurveyOut[] | undefined,
): SurveyOut | null {
  if (!post || post.phase !== 'post' || !post.golive_tool) return null;
  const pre = (all ?? []).filter(
    (s) =>
      s.phase === 'pre' &&
      s.instrument === post.instrument &&
      s.golive_tool === post.golive_tool &&
      s.golive_by === post.golive_by &&
      s.golive_value === post.golive_value,
  );
  return pre.sort(byCreation).at(-1) ?? null;
}

/**
 * The pairs around go-lives of `tool`: per instrument (custom surveys apart) and go-live, the
 * latest `post` survey with its `pre` partner; a `post` without one is left out.
 */
export function surveyPairsOf(
  tool: string,
  all: readonly SurveyOut[],
): { pre: SurveyOut; post: SurveyOut }[] {
  const latestPost = new Map<string, SurveyOut>();
  for (const s of [...all].sort(byCreation))
    if (s.golive_tool === tool && s.phase === 'post' && s.instrument !== 'custom')
      latestPost.set(`${s.instrument}|${s.golive_by ?? ''}|${s.golive_value ?? ''}`, s);
  return [...latestPost.values()].flatMap((post) => {
    const pre = preSurveyOf(post, all);
    return pre ? [{ pre, post }] : [];
  });
}
