/** `ops user add|list|reset|disable|enable`: console accounts from the shell (the first admin on PostgreSQL). */
import { parseArgs } from 'node:util';
import { CLI_ACTOR } from '../../console/audit.ts';
import { parseRole } from '../../console/auth/roles.ts';
import { createUser, normalizeUsername, resetPassword, setDisabled, UserError } from '../../console/auth/users.ts';
import { println, textTable, UsageError, withDatabase, type OpsContext } from '../context.ts';
import { USER_HELP } from '../help.ts';

const PROBLEMS: Record<UserError['problem'], string> = {
  usernameInvalid: 'Имя: 3–32 латинские буквы, цифры, «.», «_» или «-» / Name: 3–32 latin letters, digits, ".", "_" or "-"',
  usernameTaken: 'Такое имя уже есть / That name is taken',
  passwordShort: 'Пароль короче 10 символов / The password is shorter than 10 characters',
  notFound: 'Нет такой учётной записи / No such account',
  lastAdmin: 'Это последний активный администратор / This is the last active admin',
};

export async function userCommand(ctx: OpsContext, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { role: { type: 'string' }, 'password-stdin': { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
  });
  if (values.help) {
    println(ctx, USER_HELP);
    return 0;
  }
  const [action, name, ...extra] = positionals;
  if (extra.length > 0 || !['add', 'list', 'reset', 'disable', 'enable'].includes(action ?? ''))
    throw new UsageError('user add|list|reset|disable|enable', 'user');
  if (action !== 'list' && !name) throw new UsageError('Укажите имя / Give the name', 'user');
  return withDatabase(ctx, async (prisma) => {
    try {
      if (action === 'list') {
        const users = await prisma.operatorUser.findMany({ orderBy: { username: 'asc' } });
        println(
          ctx,
          textTable([
            ['name', 'role', 'state', 'last login'],
            ...users.map((u) => [u.username, u.role.toLowerCase(), u.disabledAt ? 'disabled' : 'active', u.lastLoginAt?.toISOString() ?? '—']),
          ]),
        );
        return 0;
      }
      if (action === 'add') {
        const role = parseRole(values.role ?? '');
        if (!role) throw new UsageError('--role admin|operator|viewer', 'user');
        const given = values['password-stdin'] ? (await ctx.readStdin?.())?.replace(/\r?\n$/, '') : undefined;
        const { user, password } = await createUser(prisma, CLI_ACTOR, { username: name!, role, password: given });
        println(ctx, `Создан / Created: ${user.username} (${user.role.toLowerCase()})`);
        if (!given) println(ctx, `Пароль / Password (shown once): ${password}`);
        return 0;
      }
      const user = await prisma.operatorUser.findUnique({ where: { username: normalizeUsername(name!) } });
      if (!user) throw new UserError('notFound');
      if (action === 'reset') {
        println(ctx, `Новый пароль / New password for ${user.username} (shown once): ${await resetPassword(prisma, CLI_ACTOR, user.id, ctx.now())}`);
      } else {
        await setDisabled(prisma, CLI_ACTOR, user.id, action === 'disable', ctx.now());
        println(ctx, `${user.username}: ${action === 'disable' ? 'отключён / disabled' : 'включён / enabled'}`);
      }
      return 0;
    } catch (e) {
      if (!(e instanceof UserError)) throw e;
      ctx.stderr.write(`${PROBLEMS[e.problem]}\n`);
      return 1;
    }
  });
}
