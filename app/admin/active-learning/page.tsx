import { ActiveLearningForm } from '@/components/admin/ActiveLearningForm';
import { getAlSettings } from '@/lib/al/settings';
import { STRATEGY_DESCRIPTIONS } from '@/lib/al/strategies';
import { requirePageRole } from '@/lib/auth/session';
import { getDb } from '@/lib/db/client';

export const dynamic = 'force-dynamic';

export default async function ActiveLearningPage() {
  await requirePageRole('ADMIN', '/admin/active-learning');
  return (
    <>
      <h1>Active learning</h1>
      <ActiveLearningForm initial={await getAlSettings(getDb())} strategies={STRATEGY_DESCRIPTIONS} />
    </>
  );
}
