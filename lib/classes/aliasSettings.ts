/**
 * The slice-class alias map an admin edits (lib/classes/aliases.ts), stored in the Setting table and validated on
 * the way in and out. Until an admin saves one, the defaults apply.
 */
import type { Db } from '@/lib/db/client';
import { classAliasesSchema, classResolver, DEFAULT_CLASS_ALIASES, type ClassAliases } from './aliases';

const KEY = 'class-aliases';

export async function getClassAliases(db: Db): Promise<ClassAliases> {
  const row = await db.setting.findUnique({ where: { key: KEY } });
  if (!row) return { ...DEFAULT_CLASS_ALIASES };
  const parsed = classAliasesSchema.safeParse(row.value);
  // A stored value that no longer parses (an older format) falls back to the defaults, never to a crash.
  return parsed.success ? parsed.data : { ...DEFAULT_CLASS_ALIASES };
}

/** Replaces the map (an empty one turns aliasing off); a map that does not validate throws and changes nothing. */
export async function setClassAliases(db: Db, aliases: ClassAliases): Promise<ClassAliases> {
  const value = classAliasesSchema.parse(aliases);
  await db.setting.upsert({ where: { key: KEY }, create: { key: KEY, value }, update: { value } });
  return value;
}

/** The canonical name of each class under the map in force. */
export async function loadClassResolver(db: Db): Promise<(className: string) => string> {
  return classResolver(await getClassAliases(db));
}
