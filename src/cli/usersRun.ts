/**
 * `uptake users …`'s work (definitions in `usersCommand.ts`): input checked with the model's
 * account schemas, accounts stored by `src/admin/accounts.ts` (as the web app's routes do).
 */
import { randomBytes } from 'node:crypto';
import { accountsOf, inRoster } from '../admin/accounts.ts';
import { invalid } from '../errors/UptakeError.ts';
import { userCreate, userUpdate, type GroupRef, type Role } from '../model/accounts.ts';
import type { Sql } from '../store/Store.ts';
import { renderTable } from './format.ts';
import type { StoreFlags } from './options.ts';
import { withNewOrExistingStore, withStore } from './withStore.ts';

export type AddFlags = StoreFlags & {
  role: Role;
  clinician?: string;
  group?: GroupRef[];
  passwordStdin?: boolean;
};

export type SetFlags = StoreFlags & {
  role?: Role;
  clinician?: string;
  group?: GroupRef[];
  resetPassword?: boolean;
  passwordStdin?: boolean;
};

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** The command-line flag behind a field of the account schemas, for messages. */
const FLAG_OF: Record<string, string> = {
  clinician_id: '--clinician',
  groups: '--group',
  username: '<username>',
  password: 'password',
  role: '--role',
};

/** Refuse a roster id that is not in the roster. */
async function checkInRoster(store: Sql, id: string | null | undefined): Promise<void> {
  if (id && !(await inRoster(store, id)))
    throw invalid(`--clinician ${id} is not in the roster; import it first`);
}

/** `uptake users list`. */
export async function listUsers(flags: StoreFlags): Promise<void> {
  await withStore(flags, async (store) => {
    const list = await accountsOf(store).list();
    process.stdout.write(
      renderTable(
        list.map((u) => ({
          ...u,
          clinician_id: u.clinician_id ?? '',
          groups: u.groups.map((g) => `${g.by}=${g.value}`).join('; '),
        })),
        ['username', 'role', 'clinician_id', 'groups', 'created_at'],
      ) + '\n',
    );
  });
}

/** `uptake users add NAME --role ROLE …`: prints the generated password unless one was read. */
export async function addUser(username: string, flags: AddFlags): Promise<void> {
  const generated = !flags.passwordStdin;
  const password = generated ? randomBytes(12).toString('base64url') : await readStdin();
  const r = userCreate.safeParse({
    username,
    password,
    role: flags.role,
    clinician_id: flags.clinician ?? null,
    groups: flags.group ?? [],
  });
  if (!r.success) {
    const issue = r.error.issues[0];
    const flag = FLAG_OF[String(issue?.path[0] ?? '')];
    throw invalid(`${flag ?? issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
  }
  await withNewOrExistingStore(flags, async (store) => {
    await checkInRoster(store, r.data.clinician_id);
    await accountsOf(store).create(r.data);
  });
  process.stdout.write(
    `created ${username} (${flags.role})${generated ? `; password: ${password}` : ''}\n`,
  );
}

/** `uptake users set NAME …`: a new role or password ends the account's sessions. */
export async function setUser(username: string, flags: SetFlags): Promise<void> {
  const password = flags.passwordStdin
    ? await readStdin()
    : flags.resetPassword
      ? randomBytes(12).toString('base64url')
      : undefined;
  const r = userUpdate.safeParse({
    ...(flags.role ? { role: flags.role } : {}),
    ...(flags.clinician ? { clinician_id: flags.clinician } : {}),
    ...(flags.group ? { groups: flags.group } : {}),
    ...(password !== undefined ? { password } : {}),
  });
  if (!r.success) {
    const issue = r.error.issues[0];
    const flag = FLAG_OF[String(issue?.path[0] ?? '')];
    throw invalid(
      flag
        ? `${flag}: ${issue?.message ?? 'invalid'}`
        : 'say what to change: --role, --clinician, --group, --reset-password or --password-stdin',
    );
  }
  const user = await withStore(flags, async (store) => {
    await checkInRoster(store, r.data.clinician_id);
    return accountsOf(store).update(username, r.data);
  });
  process.stdout.write(
    `changed ${username} (${user.role}${user.groups.length ? `: ${user.groups.map((g) => `${g.by}=${g.value}`).join(', ')}` : ''})` +
      (flags.resetPassword && !flags.passwordStdin ? `; new password: ${password}` : '') +
      '\n',
  );
}

/** `uptake users remove NAME`: the account and its sessions. */
export async function removeUser(username: string, flags: StoreFlags): Promise<void> {
  await withStore(flags, async (store) => {
    const ok = await accountsOf(store).delete(username);
    if (!ok) throw invalid(`no user ${username}; see uptake users list`);
  });
  process.stdout.write(`removed ${username}\n`);
}
