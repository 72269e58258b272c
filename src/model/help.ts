/**
 * Help requests (see `src/program/helpRequests.ts`): the topics a clinician can ask their unit's
 * champions about, and a request as the API returns it. Plain types, shared with the web app.
 */
export const HELP_TOPICS = {
  inbox: 'In Basket / inbox: pooling, delegation, filters',
  notes: 'Notes: templates, smart phrases, dictation',
  orders: 'Orders: preference lists, order sets, team ordering',
  after_hours: 'Work after hours and on days off',
  new_tool: 'A new tool or feature',
  other: 'Something else',
} as const;
export type HelpTopic = keyof typeof HELP_TOPICS;

export type HelpStatus = 'open' | 'answered' | 'closed';

export interface HelpRequest {
  id: string;
  created_at: string;
  username: string;
  user_id: string;
  /** From the roster (null when the roster has no name). */
  name: string | null;
  department: string | null;
  specialty: string | null;
  topic: HelpTopic;
  message: string;
  status: HelpStatus;
  answer: string | null;
  answered_by: string | null;
  answered_at: string | null;
  closed_at: string | null;
}

/** A list of requests with how the loop is doing. */
export interface HelpList {
  summary: {
    open: number;
    answered: number;
    closed: number;
    median_hours_to_answer: number | null;
  };
  requests: HelpRequest[];
}
