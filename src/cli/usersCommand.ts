/** `uptake users list|add|set|remove`: definitions; the work is `usersRun.ts`. */
import { Option, type Command } from 'commander';
import { invalid } from '../errors/UptakeError.ts';
import type { GroupRef } from '../model/accounts.ts';
import { GROUP_KINDS, ROLES } from '../model/constants.ts';
import { storeOptions, type StoreFlags } from './options.ts';
import type { AddFlags, SetFlags } from './usersRun.ts';

/** `department=Cardiology` → {by, value}. */
function parseGroup(v: string, prev: GroupRef[] = []): GroupRef[] {
  const i = v.indexOf('=');
  const by = v.slice(0, i);
  if (i < 1 || !(GROUP_KINDS as readonly string[]).includes(by))
    throw invalid(`--group ${v}: write KIND=VALUE with KIND one of ${GROUP_KINDS.join(', ')}`);
  return [...prev, { by: by as GroupRef['by'], value: v.slice(i + 1) }];
}

export function registerUsers(program: Command): void {
  const users = program.command('users').description('accounts of the web app and API');
  storeOptions(users.command('list', { isDefault: true }).description('list accounts')).action(
    async (flags: StoreFlags) => {
      const { listUsers } = await import('./usersRun.ts');
      await listUsers(flags);
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
  ).action(async (username: string, flags: AddFlags) => {
    const { addUser } = await import('./usersRun.ts');
    await addUser(username, flags);
  });
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
  ).action(async (username: string, flags: SetFlags) => {
    const { setUser } = await import('./usersRun.ts');
    await setUser(username, flags);
  });
  storeOptions(
    users
      .command('remove')
      .description('delete an account and its sessions')
      .argument('<username>'),
  ).action(async (username: string, flags: StoreFlags) => {
    const { removeUser } = await import('./usersRun.ts');
    await removeUser(username, flags);
  });
}
