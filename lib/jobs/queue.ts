/**
 * How a worker finds its next job. The Job table is the truth for status, progress and ownership on both
 * databases (lib/jobs/store.ts claims a row with a conditional update, so a job can never run twice); the queue only
 * says which job to try next:
 *  - SQLite (one machine): the oldest runnable QUEUED row.
 *  - PostgreSQL (a team, several worker hosts): pg-boss, whose SKIP LOCKED fetch hands each dispatch token to one
 *    worker; the token names the Job row, which is then claimed as above.
 */
import PgBoss from 'pg-boss';
import { databaseUrl, providerOf, type Db } from '@/lib/db/client';

export interface JobQueue {
  readonly kind: 'sqlite-table' | 'pg-boss';
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Makes a QUEUED Job row visible to workers (after create, and after a retry puts it back). */
  publish(jobId: string, type: string): Promise<void>;
  /** Ids of jobs worth trying to claim, best first. */
  candidates(types: readonly string[], limit: number): Promise<string[]>;
}

/** SQLite: the Job table itself is the queue. */
export class TableQueue implements JobQueue {
  readonly kind = 'sqlite-table' as const;
  constructor(private readonly db: Db) {}
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  async publish(): Promise<void> {}
  async candidates(types: readonly string[], limit: number): Promise<string[]> {
    const rows = await this.db.job.findMany({
      where: { status: 'QUEUED', type: { in: [...types] }, runAfter: { lte: new Date() } },
      orderBy: [{ runAfter: 'asc' }, { createdAt: 'asc' }],
      take: limit,
      select: { id: true },
    });
    return rows.map((r) => r.id);
  }
}

const queueName = (type: string) => `ctms-${type}`;

/** PostgreSQL: pg-boss dispatch tokens ({ jobId }) in its own schema, one pg-boss queue per job type. */
export class PgBossQueue implements JobQueue {
  readonly kind = 'pg-boss' as const;
  private readonly boss: PgBoss;
  private readonly created = new Set<string>();
  constructor(private readonly db: Db, connectionString: string) {
    this.boss = new PgBoss({ connectionString, schema: 'pgboss', max: 4 });
    this.boss.on('error', (error) => console.error('[jobs] pg-boss:', error.message));
  }
  async start(): Promise<void> {
    await this.boss.start();
  }
  async stop(): Promise<void> {
    await this.boss.stop({ graceful: false, wait: true });
  }
  private async ensureQueue(type: string): Promise<string> {
    const name = queueName(type);
    if (!this.created.has(name)) {
      // Another worker may create it at the same moment: an existing queue is fine.
      await this.boss.createQueue(name).catch(async (error: Error) => {
        if (!(await this.boss.getQueue(name))) throw error;
      });
      this.created.add(name);
    }
    return name;
  }
  async publish(jobId: string, type: string): Promise<void> {
    // The token becomes visible when the row becomes runnable (a retry waits out its back-off).
    const row = await this.db.job.findUnique({ where: { id: jobId }, select: { runAfter: true } });
    const startAfter = row && row.runAfter > new Date() ? row.runAfter : undefined;
    await this.boss.send(await this.ensureQueue(type), { jobId }, startAfter ? { startAfter } : {});
  }
  async candidates(types: readonly string[], limit: number): Promise<string[]> {
    // One token at a time: a worker runs one job at a time, and a token taken is a token no other worker gets.
    const ids: string[] = [];
    for (const type of types) {
      const name = await this.ensureQueue(type);
      const [token] = await this.boss.fetch<{ jobId: string }>(name, { batchSize: 1 });
      if (!token) continue;
      // A token is only a pointer: the row claim decides who runs the job, so the token is done once handed out.
      await this.boss.complete(name, token.id);
      ids.push(token.data.jobId);
      break;
    }
    // A token can be lost (pg-boss expiry, a publish that failed after the row was written): fall back to rows
    // that are runnable but were not handed out, so no job is ever stranded.
    if (ids.length === 0) {
      const stranded = await this.db.job.findMany({
        where: { status: 'QUEUED', type: { in: [...types] }, runAfter: { lte: new Date(Date.now() - 60_000) } },
        orderBy: { createdAt: 'asc' },
        take: limit,
        select: { id: true },
      });
      ids.push(...stranded.map((r) => r.id));
    }
    return ids;
  }
}

export function createJobQueue(db: Db, url = databaseUrl()): JobQueue {
  return providerOf(url) === 'postgresql' ? new PgBossQueue(db, url) : new TableQueue(db);
}
