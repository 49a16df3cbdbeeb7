import { NextResponse } from 'next/server';
import { z } from 'zod';
import { classAliasesSchema, DEFAULT_CLASS_ALIASES } from '@/lib/classes/aliases';
import { getClassAliases, setClassAliases } from '@/lib/classes/aliasSettings';
import { getDb } from '@/lib/db/client';
import { NO_BODY, withRole } from '@/lib/http/withRole';

const aliasesRequest = z.object({
  /** alias → canonical slice-class name; {} turns aliasing off. */
  aliases: classAliasesSchema,
}).strict();

export const GET = withRole('ADMIN', async () => NextResponse.json({ aliases: await getClassAliases(getDb()), defaults: DEFAULT_CLASS_ALIASES }), NO_BODY);

/** Replaces the slice-class alias map: imports from now on store canonical names, and S reads every label through it. */
export const PUT = withRole('ADMIN', async (_req, { json }) => {
  const { aliases } = await json(aliasesRequest, 'class aliases');
  return NextResponse.json({ aliases: await setClassAliases(getDb(), aliases) });
});
