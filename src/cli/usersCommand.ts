import { Command, Option } from 'commander';
import { randomBytes } from 'node:crypto';
import { invalid } from '../errors/UptakeError.ts';
import { Accounts } from '../server/auth.ts';
import {
  GROUP_KINDS,
  ROLES,
  userCreate,
  userUpdate,
  type GroupRef,
  type Role,
} from '../server/schemas.ts';
import { renderTable } from './format.ts';
import { storeOptions } from './main.ts';
import { withNewOrExistingStore, withStore, type StoreFlags } from './withStore.ts';
import type { Sql } from '../store/Store.ts';

/** `department=Cardiology` → {by, value}. */
function parseGroup(v: string, prev: GroupRef[] = []): GroupRef[] {
  const i = v.indexOf('=');
  const by = v.slice(0, i);
  if (i < 1 || !(GROUP_KINDS as readonly string[]).includes(by))
    throw invalid(`--group ${v}: write KIND=VALUE with KIND one of ${GROUP_KINDS.join(', ')}`);
  return [...prev, { by: by as GroupRef['by'], value: v.slice(i + 1) }];
}

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
async function inRoster(store: Sql, id: string | null | undefined): Promise<void> {
  if (!id) return;
  const [c] = await store.all(`SELECT 1 AS x FROM clinicians WHERE user_id = $1`, [id]);
  if (!c) throw invalid(`--clinician ${id} is not in the roster; import it first`);
}

export function registerUsers(program: Command): void {
  const users = program.command('users').description('accounts of the web app and API');
  storeOptions(users.command('list', { isDefault: true }).description('list accounts')).action(
    async (flags: StoreFlags) => {
      await withStore(flags, async (store) => {
        const list = await new Accounts(store, (e) => store.dialect.epochUs(e)).list();
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
    },
  );
  storeOptions(
    users
      .command('add')
      .description('create an account; prints a generated password unless --password-stdin')
      .argument('<username>', 'user name (lower-case letters, digits, . _ -)')
      .addOption(new Option('--role <role>', 'role').choices(ROLES).makeOptionMandatory())
      .option('--clinician <user_id>', 'the roster user_id of this person (their own report)')
      .option('--group <kind=value>', 'a group a leader or champion sees (repeatable)', parseGroup)
      .option('--password-stdin', 'read the password from standard input'),
  ).action(
    async (
      username: string,
      flags: StoreFlags & {
        role: Role;
        clinician?: string;
        group?: GroupRef[];
        passwordStdin?: boolean;
      },
    ) => {
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
        await inRoster(store, r.data.clinician_id);
        await new Accounts(store, (e) => store.dialect.epochUs(e)).create(r.data);
      });
      process.stdout.write(
        `created ${username} (${flags.role})${generated ? `; password: ${password}` : ''}\n`,
      );
    },
  );
  storeOptions(
    users
      .command('set')
      .description(
        'change an account: role, groups, roster clinician, or a new password (--reset-password prints a generated one); a new role or password ends its sessions',
      )
      .argument('<username>')
      .addOption(new Option('--role <role>', 'new role').choices(ROLES))
      .option('--clinician <user_id>', 'the roster user_id of this person')
      .option(
        '--group <kind=value>',
        'the groups a leader or champion sees (repeatable; replaces them)',
        parseGroup,
      )
      .option('--reset-password', 'set a generated password and print it')
      .option('--password-stdin', 'read the new password from standard input'),
  ).action(
    async (
      username: string,
      flags: StoreFlags & {
        role?: Role;
        clinician?: string;
        group?: GroupRef[];
        resetPassword?: boolean;
        passwordStdin?: boolean;
      },
    ) => {
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
        await inRoster(store, r.data.clinician_id);
        return new Accounts(store, (e) => store.dialect.epochUs(e)).update(username, r.data);
      });
      process.stdout.write(
        `changed ${username} (${user.role}${user.groups.length ? `: ${user.groups.map((g) => `${g.by}=${g.value}`).join(', ')}` : ''})` +
          (flags.resetPassword && !flags.passwordStdin ? `; new password: ${password}` : '') +
          '\n',
      );
    },
  );
  storeOptions(
    users
      .command('remove')
      .description('delete an account and its sessions')
      .argument('<username>'),
  ).action(async (username: string, flags: StoreFlags) => {
    await withStore(flags, async (store) => {
      const ok = await new Accounts(store, (e) => store.dialect.epochUs(e)).delete(username);
      if (!ok) throw invalid(`no user ${username}; see uptake users list`);
    });
    process.stdout.write(`removed ${username}\n`);
  });
}
