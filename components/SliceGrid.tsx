import Link from 'next/link';
import { STATUS_LABELS, type SliceSummary } from '@/lib/slices/browse';

export function SliceGrid({ slices }: { slices: SliceSummary[] }) {
  return (
    <div className="grid" data-testid="slice-grid">
      {slices.map((s) => (
        <Link key={s.id} href={`/slices/${s.id}`} className="thumb" data-testid="slice-thumb">
          {/* eslint-disable-next-line @next/next/no-img-element -- server-rendered PNG with its own caching */}
          <img src={`/api/slices/${s.id}/image?size=thumb`} alt={`${s.studyKey} slice ${s.index}`} loading="lazy" />
          <div className="meta">
            <span title={s.studyKey}>{s.studyKey.length > 14 ? s.studyKey.slice(0, 13) + '…' : s.studyKey} #{s.index}</span>
            <span className={`badge ${s.status}`}>{STATUS_LABELS[s.status]}</span>
          </div>
          <div className="meta muted">
            <span>{s.annotationCount} polygons</span>
            <span>{s.sliceClass ?? ''}</span>
          </div>
        </Link>
      ))}
    </div>
  );
}
