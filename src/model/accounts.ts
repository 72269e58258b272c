/**
 * Accounts of the web app and API: roles, the groups a leader or champion sees, and the shapes
 * of an account as it is listed, created and changed. The HTTP API (`src/server/schemas.ts`
 * names these for its OpenAPI description) and the command line (`uptake users`) both check
 * input with these schemas; `src/admin/accounts.ts` stores accounts.
 */
import { z } from 'zod';
import { GROUP_KINDS, ROLES } from './constants.ts';

export { GROUP_KINDS, ROLES };
export type Role = (typeof ROLES)[number];
export type GroupKind = (typeof GROUP_KINDS)[number];

/** A group an account sees: a department, specialty or role of the roster. */
export const groupRefSchema = z.object({
  by: z.enum(GROUP_KINDS),
  value: z.string().min(1).max(200),
});
export type GroupRef = z.infer<typeof groupRefSchema>;

export const usernameSchema = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9._-]{0,63}$/,
    'a user name of lower-case letters, digits, dots, dashes and underscores (at most 64)',
  );

/** An account as it is listed (never its password hash). */
export const userSchema = z.object({
  username: z.string(),
  role: z.enum(ROLES),
  clinician_id: z.string().nullable(),
  groups: z.array(groupRefSchema),
  created_at: z.string(),
});
export type User = z.infer<typeof userSchema>;

const clinicianId = z
  .string()
  .regex(/^[A-Za-z0-9._:@-]{1,100}$/)
  .nullable()
  .optional();
const password = z.string().min(10, 'at least 10 characters').max(1024);

/** A new account. */
export const userCreate = z
  .object({
    username: usernameSchema,
    password,
    role: z.enum(ROLES),
    clinician_id: clinicianId,
    groups: z.array(groupRefSchema).max(100).optional(),
  })
  .strict()
  .refine((u) => u.role !== 'clinician' || !!u.clinician_id, {
    message: 'a clinician account needs the clinician_id of the roster',
    path: ['clinician_id'],
  })
  .refine((u) => (u.role !== 'leader' && u.role !== 'champion') || (u.groups?.length ?? 0) > 0, {
    message: 'a leader or champion needs at least one group ({by, value})',
    path: ['groups'],
  });
export type UserCreate = z.infer<typeof userCreate>;

/** The fields of an account to change; a new role or password ends the account's sessions. */
export const userUpdate = z
  .object({
    role: z.enum(ROLES).optional(),
    clinician_id: clinicianId,
    groups: z.array(groupRefSchema).min(1).max(100).optional(),
    password: password.optional(),
  })
  .strict()
  .refine((u) => Object.keys(u).length > 0, {
    message: 'send at least one of role, clinician_id, groups, password',
  });
export type UserUpdate = z.infer<typeof userUpdate>;
