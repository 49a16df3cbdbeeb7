'use client';
import { useState, type FormEvent } from 'react';
import type { AlSettings } from '@/lib/al/settings';
import { api } from './http';

/** `strategies`: name → description, from the strategy registry (lib/al/strategies). */
export function ActiveLearningForm({ initial, strategies }: { initial: AlSettings; strategies: Readonly<Record<string, string>> }) {
  const [settings, setSettings] = useState(initial);
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);

  async function save(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const f = new FormData(event.currentTarget);
    const threshold = String(f.get('autoTrainAfter') ?? '').trim();
    try {
      const { settings: saved } = await api<{ settings: AlSettings }>('/api/settings/active-learning', {
        method: 'PUT',
        json: { strategy: f.get('strategy'), autoTrainAfter: threshold === '' ? null : Number(threshold), includeSubmitted: f.get('includeSubmitted') === 'on' },
      });
      setSettings(saved);
      setMessage({ text: 'Saved', error: false });
    } catch (e) {
      setMessage({ text: (e as Error).message, error: true });
    }
  }

  return (
    <form className="card stack narrow" onSubmit={save} key={JSON.stringify(settings)}>
      <label>Acquisition strategy (the order of the annotation queue)
        <select name="strategy" defaultValue={settings.strategy}>
          {Object.entries(strategies).map(([s, description]) => <option key={s} value={s}>{s} — {description}</option>)}
        </select>
      </label>
      <label>Retrain automatically after this many newly accepted slices (empty = only by hand)
        <input name="autoTrainAfter" type="number" min={1} max={100000} step={1} defaultValue={settings.autoTrainAfter ?? ''} placeholder="off" />
      </label>
      <label className="inline"><input name="includeSubmitted" type="checkbox" defaultChecked={settings.includeSubmitted} /> Train on submitted (not yet reviewed) slices too</label>
      <div className="row">
        <button className="primary" type="submit">Save settings</button>
        {message && <span className={message.error ? 'error' : 'ok-text'} role="status">{message.text}</span>}
      </div>
    </form>
  );
}
