/**
 * npm run user -- <command> …  manages accounts from the shell (the admin console does the same in the browser).
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { roleSchema } from '../lib/auth/roles';
import { parseCli, runCli, UsageError } from '../lib/cli/args';
import { getDb } from '../lib/db/client';
import { migrateDatabase } from '../lib/db/migrate';
import { DomainError } from '../lib/errors';
import { createUser, findUserByEmail, listUsers, updateUser } from '../lib/users/service';

const USAGE = `usage:
  npm run user -- create --email <email> --role annotator|reviewer|admin [--name <name>] [--password <pw>]
  npm run user -- list
  npm run user -- set-role --email <email> --role annotator|reviewer|admin
  npm run user -- set-password --email <email> [--password <pw>]
  npm run user -- deactivate --email <email>
  npm run user -- activate --email <email>
A password that is not given is generated and printed once.`;

const options = {
  email: { type: 'string' },
  role: { type: 'string' },
  name: { type: 'string' },
  password: { type: 'string' },
} as const;

const argsSchema = z.object({
  email: z.string().optional(),
  role: z.string().transform((r) => r.toUpperCase()).pipe(roleSchema).optional(),
  name: z.string().optional(),
  password: z.string().optional(),
});

const generatedPassword = () => randomBytes(9).toString('base64url');

async function main(): Promise<number> {
  const [command, ...rest] = process.argv.slice(2);
  const { values } = parseCli(rest, options, argsSchema, false);
  const need = <K extends keyof typeof values>(key: K) => {
    if (!values[key]) throw new UsageError(`--${key} is required for '${command}'`);
    return values[key]!;
  };
  await migrateDatabase();
  const db = getDb();
  const byEmail = async () => {
    const user = await findUserByEmail(db, need('email'));
    if (!user) throw new Error(`no user with email ${values.email}`);
    return user;
  };
  try {
    switch (command) {
      case 'create': {
        const password = values.password ?? generatedPassword();
        const user = await createUser(db, { email: need('email'), role: need('role'), name: values.name, password });
        console.log(`created ${user.email} (${user.role.toLowerCase()})${values.password ? '' : ` with password: ${password}`}`);
        return 0;
      }
      case 'list':
        for (const u of await listUsers(db)) console.log(`${u.email.padEnd(32)} ${u.role.toLowerCase().padEnd(10)} ${u.active ? 'active' : 'deactivated'}  ${u.name}`);
        return 0;
      case 'set-role': {
        const user = await updateUser(db, (await byEmail()).id, { role: need('role') });
        console.log(`${user.email} is now ${user.role.toLowerCase()}`);
        return 0;
      }
      case 'set-password': {
        const password = values.password ?? generatedPassword();
        await updateUser(db, (await byEmail()).id, { password });
        console.log(`password changed${values.password ? '' : `: ${password}`}`);
        return 0;
      }
      case 'deactivate':
      case 'activate': {
        const user = await updateUser(db, (await byEmail()).id, { active: command === 'activate' });
        console.log(`${user.email} ${user.active ? 'activated' : 'deactivated'}`);
        return 0;
      }
      default:
        throw new UsageError(command ? `unknown command '${command}'` : 'a command is required');
    }
  } catch (error) {
    if (error instanceof DomainError) throw new Error(error.message);
    if (error instanceof z.ZodError) throw new UsageError(z.prettifyError(error));
    throw error;
  } finally {
    await db.$disconnect();
  }
}

runCli(main, USAGE);
