/**
 * Help requests (see `src/program/helpRequests.ts`): the topics a clinician can ask their unit's
 * champions about, and a request as the program returns it. (The web app takes its types from
 * the API contract, `src/server/contract.ts`.)
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

/**
 * Where a request goes: the champions of the asker's department, else of their specialty, else
 * of their role; with no champion at all, the IT / informatics team (the `it` accounts and the administrators).
 */
export const HELP_TIERS = ['department', 'specialty', 'role', 'it'] as const;
export type HelpTier = (typeof HELP_TIERS)[number];

/** Who a clinician's question goes to, as the ask form says it before sending. */
export interface HelpRoute {
  tier: HelpTier;
  /** The department, specialty or role whose champions receive it (null for IT). */
  group: string | null;
  /** The champions' names (their roster name, else their user name); empty for IT. */
  names: string[];
}

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
  /** Where it was sent when asked (null for requests from before routing). */
  routed_to: HelpTier | null;
  /** For the reader of a list to answer: not yet seen by them (a notification they have not read). */
  unread?: boolean;
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
