/**
 * The alias map as an admin edits it in a text box: one `alias = class` per line; blank lines and lines starting
 * with `#` are ignored. Parsing says which line is wrong; the map's own rules (lib/classes/aliases.ts) are checked
 * by the server.
 */
import type { ClassAliases } from './aliases';

export function formatAliasLines(aliases: ClassAliases): string {
  return Object.entries(aliases).map(([alias, canonical]) => `${alias} = ${canonical}`).join('\n');
}

export function parseAliasLines(text: string): { ok: true; aliases: ClassAliases } | { ok: false; error: string } {
  const aliases: ClassAliases = {};
  const lineOf = new Map<string, number>();
  const lines = text.split(/\r?\n/);
  for (let k = 0; k < lines.length; k++) {
    const line = lines[k].trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq < 0) return { ok: false, error: `line ${k + 1}: write "alias = class", got "${line}"` };
    const alias = line.slice(0, eq).trim();
    const canonical = line.slice(eq + 1).trim();
    if (!alias || !canonical) return { ok: false, error: `line ${k + 1}: both the alias and the class are needed` };
    const before = lineOf.get(alias);
    if (before !== undefined) return { ok: false, error: `line ${k + 1}: "${alias}" is already on line ${before}` };
    lineOf.set(alias, k + 1);
    aliases[alias] = canonical;
  }
  return { ok: true, aliases };
}
