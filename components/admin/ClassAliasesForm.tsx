'use client';
import { useState, type FormEvent } from 'react';
import type { ClassAliases } from '@/lib/classes/aliases';
import { formatAliasLines, parseAliasLines } from '@/lib/classes/aliasText';
import { api } from './http';

/** Edits the slice-class alias map: imports store the canonical name, and S reads older labels through the map. */
export function ClassAliasesForm({ initial, defaults }: { initial: ClassAliases; defaults: ClassAliases }) {
  const [text, setText] = useState(formatAliasLines(initial));
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);

  async function save(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const parsed = parseAliasLines(text);
    if (!parsed.ok) {
      setMessage({ text: parsed.error, error: true });
      return;
    }
    try {
      const { aliases } = await api<{ aliases: ClassAliases }>('/api/settings/class-aliases', { method: 'PUT', json: { aliases: parsed.aliases } });
      setText(formatAliasLines(aliases));
      setMessage({ text: 'Saved', error: false });
    } catch (e) {
      setMessage({ text: (e as Error).message, error: true });
    }
  }

  return (
    <form className="card stack narrow" onSubmit={save} data-testid="class-aliases">
      <h3>Slice-class aliases</h3>
      <p className="muted">
        Names that mean the same slice class, one <code>alias = class</code> per line (case is ignored). Imports store the
        class; classifier training reads labels stored under an alias as the class, so it never learns two names for one.
      </p>
      <label>Aliases
        <textarea name="aliases" rows={8} spellCheck={false} value={text} onChange={(e) => setText(e.target.value)} />
      </label>
      <div className="row">
        <button className="primary" type="submit">Save aliases</button>
        <button type="button" onClick={() => setText(formatAliasLines(defaults))}>Restore defaults</button>
        {message && <span className={message.error ? 'error' : 'ok-text'} role="status">{message.text}</span>}
      </div>
    </form>
  );
}
