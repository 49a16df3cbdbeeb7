import Link from 'next/link';
import { SliceGrid } from '@/components/SliceGrid';
import { requirePageRole } from '@/lib/auth/session';
import { getDb } from '@/lib/db/client';
import { browseSlices, listStudies, sliceQuerySchema, SLICE_STATUSES, STATUS_LABELS, type SliceQuery } from '@/lib/slices/browse';

type Search = Record<string, string | string[] | undefined>;

function hrefWith(query: SliceQuery, change: Partial<SliceQuery>): string {
  const next = { ...query, ...change };
  const params = new URLSearchParams();
  if (next.status) params.set('status', next.status);
  if (next.study) params.set('study', next.study);
  if (next.page > 1) params.set('page', String(next.page));
  const s = params.toString();
  return s ? `/slices?${s}` : '/slices';
}

export default async function SlicesPage({ searchParams }: { searchParams: Promise<Search> }) {
  await requirePageRole('ANNOTATOR', '/slices');
  const raw = Object.fromEntries(Object.entries(await searchParams).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]));
  const parsed = sliceQuerySchema.safeParse(raw);
  const query = parsed.success ? parsed.data : sliceQuerySchema.parse({});
  const db = getDb();
  const [page, studies] = await Promise.all([browseSlices(db, query), listStudies(db)]);
  const pages = Math.max(1, Math.ceil(page.total / page.pageSize));

  return (
    <div className="browser">
      <aside className="card">
        <h3>Studies ({studies.length})</h3>
        <div className="studies">
          <Link href={hrefWith(query, { study: undefined, page: 1 })} className={!query.study ? 'active' : ''}>
            <span>All studies</span>
          </Link>
          {studies.map((s) => (
            <Link key={s.id} href={hrefWith(query, { study: s.id, page: 1 })} className={query.study === s.id ? 'active' : ''} title={s.source}>
              <span>{s.scanKey}</span>
              <span className="muted">{s.sliceCount}</span>
            </Link>
          ))}
        </div>
      </aside>
      <section>
        <div className="tabs" role="tablist" aria-label="Filter by status">
          <Link role="tab" aria-selected={!query.status} href={hrefWith(query, { status: undefined, page: 1 })} className={!query.status ? 'active' : ''}>
            All ({page.counts.ALL})
          </Link>
          {SLICE_STATUSES.map((status) => (
            <Link key={status} role="tab" aria-selected={query.status === status} href={hrefWith(query, { status, page: 1 })} className={query.status === status ? 'active' : ''}>
              {STATUS_LABELS[status]} ({page.counts[status]})
            </Link>
          ))}
        </div>
        {page.slices.length === 0 ? (
          <p className="muted">No slices match this filter.{page.counts.ALL === 0 && ' Import a study first (npm run import).'}</p>
        ) : (
          <SliceGrid slices={page.slices} />
        )}
        <div className="pager">
          {query.page > 1 && <Link href={hrefWith(query, { page: query.page - 1 })}>← Previous</Link>}
          <span className="muted">Page {query.page} of {pages} · {page.total} slices</span>
          {query.page < pages && <Link href={hrefWith(query, { page: query.page + 1 })}>Next →</Link>}
        </div>
      </section>
    </div>
  );
}
