/**
 * Slice-class aliases: names that mean the same slice class (a folder called `COVID-19` and one called `COVID`),
 * mapped to one canonical name, so classifier S never learns two outputs for one class. An admin edits the map
 * (lib/classes/aliasSettings.ts); imports store the canonical name and training reads older labels through it.
 *
 * Matching ignores case: a canonical name also stands for itself in any case, so `covid` is `COVID` without an
 * entry. A canonical name is never itself an alias of another class, which rules out chains and cycles: one
 * look-up always gives the final name.
 */
import { z } from 'zod';

/** alias → canonical class name. */
export type ClassAliases = Record<string, string>;

/**
 * What the data under ../shared/data/README.md calls its classes (`COVID/`, `non-COVID/`, where non-COVID is
 * normal or another lung disease), with the names other public sets and the paper use for the same: COVIDx-CT
 * and the paper's `COVID-19`, `NonCOVID` (COVID-CT), `SARS-CoV-2` (the SARS-CoV-2 CT-scan set) and `Normal`.
 * Common pneumonia (`CP`, `Pneumonia`) is a class of its own unless an admin maps it.
 */
export const DEFAULT_CLASS_ALIASES: ClassAliases = {
  'COVID-19': 'COVID',
  'SARS-CoV-2': 'COVID',
  Normal: 'non-COVID',
  NonCOVID: 'non-COVID',
};

export const MAX_CLASS_ALIASES = 200;

const name = (what: string) =>
  z.string()
    .min(1, `${what} is empty`)
    .max(64, `${what} is longer than 64 characters`)
    .refine((s) => s.trim() === s, `${what} starts or ends with a space`)
    .refine((s) => s === '' || s.trim() !== '', `${what} is blank`);

const key = (s: string) => s.toLowerCase();

/** Every reason `aliases` is not a usable map (empty when it is). */
export function aliasProblems(aliases: ClassAliases): string[] {
  const problems: string[] = [];
  const aliasOf = new Map<string, string>();
  for (const [alias, canonical] of Object.entries(aliases)) {
    const before = aliasOf.get(key(alias));
    if (before !== undefined) problems.push(`"${alias}" is listed twice (also as "${before}"; matching ignores case)`);
    else aliasOf.set(key(alias), alias);
    if (key(alias) === key(canonical)) problems.push(`"${alias}" maps to itself (matching ignores case, so it needs no alias)`);
  }
  const spelling = new Map<string, string>();
  for (const [alias, canonical] of Object.entries(aliases)) {
    const other = spelling.get(key(canonical));
    if (other !== undefined && other !== canonical) problems.push(`the classes "${other}" and "${canonical}" differ only in case: spell them the same`);
    spelling.set(key(canonical), canonical);
    const target = aliasOf.get(key(canonical));
    if (target !== undefined && key(target) !== key(alias)) {
      const next = aliases[target];
      const pair = [alias, target].sort();
      problems.push(key(next) === key(alias)
        ? `"${pair[0]}" and "${pair[1]}" map to each other: choose which of them is the class`
        : `"${alias}" maps to "${canonical}", which is itself an alias of "${next}": map "${alias}" to "${next}"`);
    }
  }
  return [...new Set(problems)];
}

const aliasName = name('an alias');

export const classAliasesSchema = z
  .record(z.string(), name('a class name'))
  .refine((a) => Object.keys(a).length <= MAX_CLASS_ALIASES, `at most ${MAX_CLASS_ALIASES} aliases`)
  .superRefine((aliases, ctx) => {
    // keys checked here rather than by the record's key schema, whose refusal says only "Invalid key in record"
    for (const alias of Object.keys(aliases)) {
      for (const issue of aliasName.safeParse(alias).error?.issues ?? []) ctx.addIssue({ code: 'custom', message: issue.message, path: [alias] });
    }
    for (const message of aliasProblems(aliases)) ctx.addIssue({ code: 'custom', message });
  });

/**
 * The name `aliases` gives each class: an alias becomes its canonical name, a canonical name in any case its own
 * spelling, and any other name stays as it is.
 */
export function classResolver(aliases: ClassAliases): (className: string) => string {
  const canonicalOf = new Map<string, string>();
  for (const canonical of Object.values(aliases)) canonicalOf.set(key(canonical), canonical);
  for (const [alias, canonical] of Object.entries(aliases)) canonicalOf.set(key(alias), canonical);
  return (className) => canonicalOf.get(key(className)) ?? className;
}

/** `classNames` through `resolve`, each class once, in the order first met. */
export function canonicalClassList(classNames: readonly string[], resolve: (className: string) => string): string[] {
  return [...new Set(classNames.map(resolve))];
}

/** Every name the map knows (aliases and canonical names): folder names an import takes as slice classes. */
export function knownClassNames(aliases: ClassAliases): string[] {
  return [...new Set([...Object.keys(aliases), ...Object.values(aliases)])];
}
