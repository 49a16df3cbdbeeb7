import Link from 'next/link';
import { BarChartFigure } from '@/components/charts/BarChartFigure';
import { ConfusionHeatmap } from '@/components/charts/ConfusionHeatmap';
import { Figure } from '@/components/charts/Figure';
import { FigureTableView } from '@/components/charts/FigureTableView';
import { dec, pct } from '@/components/charts/format';
import { LineChartFigure } from '@/components/charts/LineChartFigure';
import { requirePageRole } from '@/lib/auth/session';
import { AGREEMENT_CLASSES, agreementComparison, PUBLISHED_INTEROBSERVER_DICE } from '@/lib/dashboard/agreement';
import type { Cell } from '@/lib/dashboard/csv';
import { loadDashboard, type DashboardData } from '@/lib/dashboard/load';
import { SIMULATION_FILE } from '@/lib/dashboard/simulation';
import { classifierTable, confusionTable, segmenterTable } from '@/lib/dashboard/versions';
import { getDb } from '@/lib/db/client';

export const dynamic = 'force-dynamic';

const versionLabel = (v: Cell) => `v${v}`;

function ClassifierSection({ data, selected }: { data: DashboardData; selected?: string }) {
  const versions = data.classifiers;
  if (!versions.length) return <p className="muted">No classifier version yet: train one from the admin console.</p>;
  const table = classifierTable(versions);
  const chosen = versions.find((v) => String(v.number) === selected) ?? versions.find((v) => v.active) ?? versions[versions.length - 1];
  return (
    <div className="figures-grid">
      <Figure title="Sensitivity (precision) per class and overall accuracy" csv={table} filename="classifier-versions" testId="classifier-figure" note="The paper's Table 2 layout: one row per version.">
        <div className="table-scroll">
          <table data-testid="classifier-table" className="figures">
            <thead>
              <tr><th>Version</th><th>Labelled slices</th>{data.classNames.map((c) => <th key={c}>{c}</th>)}<th>Overall</th></tr>
            </thead>
            <tbody>
              {versions.map((v) => (
                <tr key={v.id} className={v.active ? 'highlight' : undefined}>
                  <td>v{v.number}{v.active && <span className="badge ACCEPTED">active</span>}</td>
                  <td>{v.labelledSlices}</td>
                  {data.classNames.map((c) => <td key={c}>{v.metrics && c in v.metrics.sensitivity ? `${pct(v.metrics.sensitivity[c])} (${pct(v.metrics.precision[c])})` : '—'}</td>)}
                  <td>{pct(v.metrics?.accuracy)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Figure>
      <Figure title={`Confusion matrix, classifier v${chosen.number}`} csv={chosen.metrics ? confusionTable(chosen.metrics) : { columns: [], rows: [] }} filename={`confusion-classifier-v${chosen.number}`} testId="confusion-figure"
        note={chosen.metrics?.n !== undefined ? `${chosen.metrics.n} validation slices.` : undefined}>
        {versions.length > 1 && (
          <nav className="tabs" aria-label="Classifier version">
            {versions.map((v) => <Link key={v.id} href={`?classifier=${v.number}#classifier`} className={v.id === chosen.id ? 'active' : undefined} scroll={false}>v{v.number}</Link>)}
          </nav>
        )}
        {chosen.metrics ? <ConfusionHeatmap figures={chosen.metrics} testId="confusion-heatmap" /> : <p className="muted">This version has no classification metrics.</p>}
      </Figure>
    </div>
  );
}

function SegmenterSection({ data }: { data: DashboardData }) {
  const versions = data.segmenters;
  if (!versions.length) return <p className="muted">No segmenter version yet: train one from the admin console.</p>;
  const table = segmenterTable(versions);
  return (
    <div className="stack">
      <Figure title="AP@0.5, AP@0.75, mAP@[.5:.95] and Dice per class" csv={table} filename="segmenter-versions" testId="segmenter-figure">
        <FigureTableView table={table} testId="segmenter-table" highlight={(r) => r.active === true} format={(key, v) => (key === 'version' ? versionLabel(v) : key === 'active' ? (v ? 'active' : '') : undefined)} />
      </Figure>
      <Figure title="Versions compared" csv={table} filename="segmenter-versions">
        <BarChartFigure rows={table.rows} categoryKey="version" categoryPrefix="v" label="Segmenter versions compared: AP@0.5 and Dice per class"
          series={[{ key: 'maskAP50.GGO', label: 'AP@0.5 GGO' }, { key: 'maskAP50.C', label: 'AP@0.5 C' }, { key: 'dice.GGO', label: 'Dice GGO' }, { key: 'dice.C', label: 'Dice C' }]} />
      </Figure>
    </div>
  );
}

function LearningSection({ data }: { data: DashboardData }) {
  const seg = data.segmenterCurve;
  const headline = ['maskAP50.mean', 'maskAP75.mean', 'mAP.mean', 'dice.GGO', 'dice.C'];
  return (
    <div className="figures-grid">
      <Figure title="Segmenter: metrics against labelled slices" csv={seg.table} filename="learning-curve-segmenter" note="One point per version; the CSV has every class.">
        {seg.table.rows.length ? <LineChartFigure rows={seg.table.rows} xKey="labelledSlices" xLabel="Labelled slices" yDomain={[0, 1]} series={seg.series.filter((s) => headline.includes(s.key))} label="Segmenter learning curve" /> : <p className="muted">No segmenter version yet.</p>}
      </Figure>
      <Figure title="Classifier: metrics against labelled slices" csv={data.classifierCurve.table} filename="learning-curve-classifier">
        {data.classifierCurve.table.rows.length ? <LineChartFigure rows={data.classifierCurve.table.rows} xKey="labelledSlices" xLabel="Labelled slices" yDomain={[0, 1]} series={data.classifierCurve.series} label="Classifier learning curve" /> : <p className="muted">No classifier version yet.</p>}
      </Figure>
      {data.simulation
        ? data.simulation.metrics.map((m) => (
            <Figure key={m.key} title={`Active-learning simulation: ${m.label} by strategy`} csv={data.simulation!.curves[m.key].table} filename={`al-simulation-${m.key}`} testId={`simulation-${m.key}`}
              note={`Mean over seeds, band ±1 std; run ${data.simulation!.modifiedAt.slice(0, 16).replace('T', ' ')} UTC.`}>
              <LineChartFigure rows={data.simulation!.curves[m.key].table.rows} xKey="labelled" xLabel="Labelled slices" yDomain={[0, 1]} series={data.simulation!.curves[m.key].series} label={`Simulation ${m.label} by strategy`} />
            </Figure>
          ))
        : (
            <section className="card figure" data-testid="simulation-empty">
              <h3>Active-learning simulation</h3>
              <p className="muted">{data.simulationError ? `The simulation file could not be read: ${data.simulationError}` : `No simulation yet (the simulation writes DATA_DIR/${SIMULATION_FILE}).`}</p>
            </section>
          )}
    </div>
  );
}

function AgreementSection({ data }: { data: DashboardData }) {
  const { summary, table } = data.agreement;
  const comparison = agreementComparison(summary, data.segmenters.find((v) => v.active));
  return (
    <div className="figures-grid">
      <Figure title="Dice between people, model and literature" csv={comparison} filename="agreement-summary" testId="agreement-figure"
        note={<>Human pairs: mean Dice over slices two people labelled (each person&apos;s final submitted or accepted polygons). Model: mean over validation slices; its GGO+C column is the mean of the GGO and C Dice. Published inter-observer agreement for GGO+C ≈ {dec(PUBLISHED_INTEROBSERVER_DICE, 2)}.</>}>
        <FigureTableView table={comparison} testId="agreement-table" format={(key, v) => (AGREEMENT_CLASSES.includes(key as never) ? dec(v) : undefined)} />
      </Figure>
      <Figure title={`Slices labelled by two people (${summary.slices})`} csv={table} filename="agreement-pairs">
        {table.rows.length ? <FigureTableView table={table} testId="agreement-pairs" /> : <p className="muted">No slice has been labelled by two people yet.</p>}
      </Figure>
    </div>
  );
}

export default async function DashboardPage({ searchParams }: { searchParams: Promise<{ classifier?: string }> }) {
  await requirePageRole('ANNOTATOR', '/dashboard');
  const [data, params] = await Promise.all([loadDashboard(getDb()), searchParams]);
  return (
    <div className="stack dashboard">
      <h1>Metrics dashboard</h1>
      <nav className="tabs" aria-label="Sections">
        <a href="#classifier">Classifier</a>
        <a href="#segmenter">Segmenter</a>
        <a href="#learning">Learning curves</a>
        <a href="#agreement">Agreement</a>
        <Link href="/effort">Correction effort</Link>
      </nav>
      <h2 id="classifier">Classifier (slice class)</h2>
      <ClassifierSection data={data} selected={params.classifier} />
      <h2 id="segmenter">Segmenter (GGO and consolidation)</h2>
      <SegmenterSection data={data} />
      <h2 id="learning">Learning curves</h2>
      <LearningSection data={data} />
      <h2 id="agreement">Agreement</h2>
      <AgreementSection data={data} />
    </div>
  );
}
