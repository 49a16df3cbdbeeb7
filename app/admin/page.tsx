import Link from 'next/link';
import { getAlSettings } from '@/lib/al/settings';
import { requirePageRole } from '@/lib/auth/session';
import { getDb } from '@/lib/db/client';

export const dynamic = 'force-dynamic';

/** The console's front page: where things stand, and a way into each section. */
export default async function AdminPage() {
  await requirePageRole('ADMIN', '/admin');
  const db = getDb();
  const [users, slices, jobs, active, settings] = await Promise.all([
    db.user.count({ where: { active: true } }),
    db.slice.groupBy({ by: ['status'], _count: { _all: true } }),
    db.job.count({ where: { status: { in: ['QUEUED', 'RUNNING'] } } }),
    db.modelVersion.findMany({ where: { active: true }, select: { kind: true, number: true } }),
    getAlSettings(db),
  ]);
  const byStatus = Object.fromEntries(slices.map((s) => [s.status, s._count._all]));
  const activeOf = (kind: string) => active.find((v) => v.kind === kind);
  const cards = [
    { href: '/admin/users', title: 'Users', text: `${users} active accounts; create, change roles, deactivate.` },
    { href: '/admin/import', title: 'Import', text: `${Object.values(byStatus).reduce((a, b) => a + b, 0)} slices (${byStatus.ACCEPTED ?? 0} accepted, ${byStatus.SUBMITTED ?? 0} submitted, ${byStatus.UNLABELLED ?? 0} unlabelled). Upload a zip of studies.` },
    { href: '/admin/training', title: 'Training', text: jobs ? `${jobs} job${jobs === 1 ? '' : 's'} queued or running.` : 'No job running. Start a training run.' },
    { href: '/admin/models', title: 'Models', text: `Active: segmenter ${activeOf('segmenter') ? `v${activeOf('segmenter')!.number}` : 'none'}, classifier ${activeOf('classifier') ? `v${activeOf('classifier')!.number}` : 'none'}.` },
    { href: '/admin/active-learning', title: 'Active learning', text: `Strategy ${settings.strategy}; auto-training ${settings.autoTrainAfter ? `after ${settings.autoTrainAfter} accepted slices` : 'off'}.` },
    { href: '/dashboard', title: 'Metrics dashboard', text: 'Per-class figures per version, learning curves, agreement.' },
  ];
  return (
    <>
      <h1>Admin console</h1>
      <div className="card-grid">
        {cards.map((c) => (
          <Link key={c.href} href={c.href} className="card link-card">
            <strong>{c.title}</strong>
            <span className="muted">{c.text}</span>
          </Link>
        ))}
      </div>
    </>
  );
}
