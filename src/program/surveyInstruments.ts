/**
 * The shipped instruments of §3, as survey items.
 *
 * - **SUS**, the System Usability Scale: John Brooke, "SUS: a 'quick and dirty' usability scale",
 *   in Jordan, Thomas, Weerdmeester & McClelland (eds.), *Usability Evaluation in Industry*,
 *   Taylor & Francis, 1996, pp. 189–194. Brooke's ten statements, as he published them (he asks
 *   only that the source be acknowledged; "system" may be replaced by the product's name, which
 *   Uptake leaves as written so scores stay comparable with the published norms). Answered on five
 *   points, strongly disagree (1) to strongly agree (5); odd items are worded positively, even
 *   items negatively.
 * - **NPS**, the Net Promoter Score question (Reichheld, "The one number you need to grow",
 *   Harvard Business Review, December 2003): one 0–10 item about a named tool or the programme.
 * - **Net satisfaction**: Uptake's own agree/disagree statements about the training, the tool and
 *   IT's responsiveness, scored as KLAS's Arch Collaborative scores its net EHR experience (share
 *   agreeing minus share disagreeing), here per respondent with an interval.
 */
import type { SurveyInstrument, SurveyItem } from '../model/survey.ts';

/** Brooke's ten SUS statements, in order (item k has linkId `sus<k>`). */
export const SUS_STATEMENTS = [
  'I think that I would like to use this system frequently.',
  'I found the system unnecessarily complex.',
  'I thought the system was easy to use.',
  'I think that I would need the support of a technical person to be able to use this system.',
  'I found the various functions in this system were well integrated.',
  'I thought there was too much inconsistency in this system.',
  'I would imagine that most people would learn to use this system very quickly.',
  'I found the system very cumbersome to use.',
  'I felt very confident using the system.',
  'I needed to learn a lot of things before I could get going with this system.',
] as const;

/** The linkIds of the SUS items, `sus1` … `sus10`. */
export const SUS_LINK_IDS = SUS_STATEMENTS.map((_, i) => `sus${i + 1}`);

/** The NPS item's linkId. */
export const NPS_LINK_ID = 'nps';

/** Uptake's net-satisfaction statements (agree/disagree, 1–5), `{subject}` filled in. */
export const NET_STATEMENTS = [
  'The training I received prepared me to use {subject} in my daily work.',
  '{subject} helps me get my clinical work done.',
  '{subject} saves me time compared with how I worked before.',
  'When I report a problem with {subject}, IT responds in reasonable time.',
  'IT acts on what clinicians tell them about {subject}.',
] as const;

/** What an NPS or net-satisfaction survey without a subject asks about. */
export const DEFAULT_SUBJECT = 'the clinical system';

/**
 * The items of a shipped instrument (`subject` names the tool or the programme NPS and net
 * satisfaction ask about); null for `custom`, whose items the author gives.
 */
export function instrumentItems(
  instrument: SurveyInstrument,
  subject: string | null = null,
): SurveyItem[] | null {
  const about = subject ?? DEFAULT_SUBJECT;
  switch (instrument) {
    case 'sus':
      return SUS_STATEMENTS.map((t, i) => ({ link_id: `sus${i + 1}`, type: 'likert5', text: t }));
    case 'nps':
      return [
        {
          link_id: NPS_LINK_ID,
          type: 'scale0_10',
          text: `How likely is it that you would recommend ${about} to a colleague? (0 = not at all likely, 10 = extremely likely)`,
        },
      ];
    case 'net':
      return NET_STATEMENTS.map((t, i) => ({
        link_id: `net${i + 1}`,
        type: 'likert5',
        text: fill(t, about),
      }));
    case 'custom':
      return null;
  }
}

function fill(template: string, subject: string): string {
  const s = template.replaceAll('{subject}', subject);
  return s.charAt(0).toUpperCase() + s.slice(1);
}
