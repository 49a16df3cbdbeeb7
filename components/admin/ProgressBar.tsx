/**
 * A labelled progress bar (role progressbar, value in aria-valuenow). Without a total it is indeterminate (moving)
 * while `active`, and empty otherwise.
 */
export function ProgressBar({ done, total, label, testId, active = true }: { done: number; total: number | null; label: string; testId?: string; active?: boolean }) {
  const fraction = total && total > 0 ? Math.min(1, done / total) : active ? null : 0;
  return (
    <div className="progress" role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={total ?? undefined} aria-valuenow={total ? done : undefined} data-testid={testId} data-done={done} data-total={total ?? ''}>
      <div className={fraction === null ? 'bar indeterminate' : 'bar'} style={fraction === null ? undefined : { width: `${fraction * 100}%` }} />
    </div>
  );
}
