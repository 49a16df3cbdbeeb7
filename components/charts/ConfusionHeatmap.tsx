import type { ClassificationFigures } from '@/lib/dashboard/versions';
import { pct } from './format';

/**
 * The confusion matrix as a heat map in the paper's layout: rows are the true class, columns the predicted class;
 * each cell is shaded by its share of the row (so the diagonal reads as sensitivity), and each row ends with the
 * class's sensitivity (precision), as in Table 2.
 */
export function ConfusionHeatmap({ figures, testId }: { figures: ClassificationFigures; testId?: string }) {
  const { classNames, confusion } = figures;
  return (
    <div className="table-scroll">
      <table className="heatmap" data-testid={testId}>
        <thead>
          <tr>
            <th scope="col">True ↓ · Predicted →</th>
            {classNames.map((c) => <th key={c} scope="col">{c}</th>)}
            <th scope="col">Sensitivity (precision)</th>
          </tr>
        </thead>
        <tbody>
          {classNames.map((t, i) => {
            const rowTotal = confusion[i].reduce((s, v) => s + v, 0);
            return (
              <tr key={t}>
                <th scope="row">{t}</th>
                {classNames.map((p, j) => {
                  const share = rowTotal ? confusion[i][j] / rowTotal : 0;
                  const hue = i === j ? '65, 196, 123' : '239, 91, 91';
                  return (
                    <td key={p} className="heat" data-testid={`confusion-${t}-${p}`} title={`${confusion[i][j]} of ${rowTotal} ${t} slices predicted ${p}`} style={{ background: `rgba(${hue}, ${0.08 + 0.8 * share})` }}>
                      {confusion[i][j]}
                      <span className="share">{pct(share, 0)}</span>
                    </td>
                  );
                })}
                <td>{pct(figures.sensitivity[t])} ({pct(figures.precision[t])})</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
