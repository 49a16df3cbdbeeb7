import Link from 'next/link';
import { notFound } from 'next/navigation';
import { requirePageRole } from '@/lib/auth/session';
import { getDb } from '@/lib/db/client';
import { sliceDetail, STATUS_LABELS, type SliceStatusName } from '@/lib/slices/browse';
import { WINDOW_PRESETS } from '@/lib/imaging/window';

const CLASS_COLOURS = { GGO: 'var(--ggo)', C: 'var(--c)' } as const;
type Ring = [number, number][];

function ringPath(ring: Ring): string {
  return ring.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${x} ${y}`).join(' ') + ' Z';
}

export default async function SlicePage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<{ window?: string }> }) {
  const { id } = await params;
  await requirePageRole('ANNOTATOR', `/slices/${id}`);
  const { window } = await searchParams;
  const slice = await sliceDetail(getDb(), id);
  if (!slice) notFound();
  const windowParam = window && /^[a-z0-9.,-]+$/i.test(window) ? window : undefined;
  const imageSrc = `/api/slices/${slice.id}/image${windowParam ? `?window=${encodeURIComponent(windowParam)}` : ''}`;
  const presets = slice.pixelKind === 'HU' ? Object.keys(WINDOW_PRESETS) : [];

  return (
    <div className="viewer">
      {/* At most 80% of the viewport's height, whatever the slice's aspect ratio. */}
      <div className="stage" style={{ maxWidth: `calc(80vh * ${slice.width / slice.height})` }}>
        {/* eslint-disable-next-line @next/next/no-img-element -- server-rendered PNG */}
        <img src={imageSrc} alt={`Slice ${slice.index} of ${slice.study.scanKey}`} data-testid="slice-image" width={slice.width} height={slice.height} />
        <svg viewBox={`0 0 ${slice.width} ${slice.height}`} aria-label="Annotations">
          {slice.annotations.map((a) => (
            <path
              key={a.id}
              d={[a.points as Ring, ...((a.holes as Ring[]) ?? [])].map(ringPath).join(' ')}
              fill={CLASS_COLOURS[a.lesionClass]}
              fillOpacity={0.3}
              fillRule="evenodd"
              stroke={CLASS_COLOURS[a.lesionClass]}
              strokeWidth={1}
              vectorEffect="non-scaling-stroke"
            />
          ))}
        </svg>
      </div>
      <aside className="card stack">
        <div>
          <h2 style={{ margin: 0 }}>{slice.study.scanKey} · slice {slice.index}</h2>
          <p className="muted">{slice.width}×{slice.height} · {slice.pixelKind === 'HU' ? 'Hounsfield units' : '8-bit windowed'} · {slice.study.format}</p>
          <span className={`badge ${slice.status}`}>{STATUS_LABELS[slice.status as SliceStatusName]}</span>
        </div>
        {presets.length > 0 && (
          <div className="row">
            Window:
            <Link href={`/slices/${slice.id}`}>default (W{slice.windowWidth}/L{slice.windowLevel})</Link>
            {presets.map((p) => <Link key={p} href={`/slices/${slice.id}?window=${p}`}>{p}</Link>)}
          </div>
        )}
        <div className="legend">
          <span className="swatch" style={{ background: 'var(--ggo)' }} /> GGO ({slice.annotations.filter((a) => a.lesionClass === 'GGO').length})
          <span className="swatch" style={{ background: 'var(--c)' }} /> C ({slice.annotations.filter((a) => a.lesionClass === 'C').length})
        </div>
        <div>Slice class: <strong>{slice.labels[0]?.className ?? '—'}</strong>{slice.labels[0]?.unsure ? ' (unsure)' : ''}</div>
        <p className="muted" style={{ wordBreak: 'break-all' }}>Source: {slice.sourceFile}</p>
        <Link className="button" href={`/annotate/${slice.id}`} data-testid="open-editor">Open in the editor</Link>
        <Link href={`/slices?study=${slice.study.id}`}>← All slices of this study</Link>
      </aside>
    </div>
  );
}
