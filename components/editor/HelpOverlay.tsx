'use client';
import { MOUSE_HELP, SHORTCUTS } from './shortcuts';

export function HelpOverlay({ onClose }: { onClose: () => void }) {
  return (
    <div className="help-overlay" role="dialog" aria-label="Keyboard shortcuts" onClick={onClose}>
      <div className="card" onClick={(e) => e.stopPropagation()}>
        <h2>Keyboard and mouse</h2>
        <table>
          <tbody>
            {SHORTCUTS.map((s) => (
              <tr key={s.action}><td><kbd>{s.keys}</kbd></td><td>{s.description}</td></tr>
            ))}
            {MOUSE_HELP.map(([gesture, what]) => (
              <tr key={gesture}><td><kbd>{gesture}</kbd></td><td>{what}</td></tr>
            ))}
          </tbody>
        </table>
        <button onClick={onClose}>Close (?)</button>
      </div>
    </div>
  );
}
