/**
 * Uptake's own access log as it is read: one entry per view, change, refusal or sign-in, and its
 * export as FHIR R4 AuditEvent resources. `src/admin/accessLog.ts` writes and reads it; the HTTP
 * API (`src/server/schemas.ts`) names these schemas for its OpenAPI description.
 */
import { z } from 'zod';

export const OUTCOMES = ['success', 'denied', 'failure'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export const accessLogRowSchema = z.object({
  at: z.string(),
  username: z.string().nullable(),
  role: z.string().nullable(),
  action: z.string(),
  resource: z.string(),
  outcome: z.enum(OUTCOMES),
  detail: z.string().nullable(),
});
export type AccessLogRow = z.infer<typeof accessLogRowSchema>;

const coding = z.object({ system: z.string(), code: z.string(), display: z.string().optional() });

/** A FHIR R4 AuditEvent (the fields Uptake fills). */
export const auditEventSchema = z.object({
  resourceType: z.literal('AuditEvent'),
  id: z.string(),
  type: coding,
  subtype: z.array(coding).optional(),
  action: z.enum(['C', 'R', 'U', 'D', 'E']),
  recorded: z.string(),
  outcome: z.enum(['0', '4', '8', '12']),
  outcomeDesc: z.string().optional(),
  agent: z.array(
    z.object({
      type: z.object({ coding: z.array(coding) }).optional(),
      role: z.array(z.object({ text: z.string() })).optional(),
      who: z.object({
        identifier: z.object({ system: z.string(), value: z.string() }).optional(),
        display: z.string(),
      }),
      requestor: z.boolean(),
      network: z.object({ address: z.string(), type: z.enum(['1', '2']) }).optional(),
    }),
  ),
  source: z.object({
    observer: z.object({ display: z.string() }),
    type: z.array(coding).optional(),
  }),
  entity: z
    .array(
      z.object({
        what: z.object({ display: z.string() }),
        description: z.string().optional(),
      }),
    )
    .optional(),
});
export type AuditEvent = z.infer<typeof auditEventSchema>;

export const auditBundleSchema = z.object({
  resourceType: z.literal('Bundle'),
  type: z.literal('collection'),
  timestamp: z.string(),
  entry: z.array(z.object({ fullUrl: z.string(), resource: auditEventSchema })),
});
export type AuditBundle = z.infer<typeof auditBundleSchema>;
