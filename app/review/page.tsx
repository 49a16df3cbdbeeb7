import { SliceGrid } from '@/components/SliceGrid';
import { requirePageRole } from '@/lib/auth/session';
import { getDb } from '@/lib/db/client';
import { browseSlices } from '@/lib/slices/browse';

export default async function ReviewPage() {
  await requirePageRole('REVIEWER', '/review');
  const page = await browseSlices(getDb(), { status: 'SUBMITTED', page: 1, pageSize: 200 });
  return (
    <div className="stack">
      <h1>Review queue</h1>
      <p className="muted">{page.total} submitted slice{page.total === 1 ? '' : 's'} waiting for a reviewer.</p>
      {page.slices.length > 0 && <SliceGrid slices={page.slices} />}
    </div>
  );
}
