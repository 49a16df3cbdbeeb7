/** Every model round-trips through createDb() on both databases, with the same client API. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testPostgres } from '@/lib/testing/postgres';
import { createTestDb, type TestDb } from '@/lib/testing/testDb';
import type { DatabaseProvider } from './client';

function modelSuite(provider: DatabaseProvider) {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb(provider);
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it('creates and reads back every model, enum and Json field', async () => {
    const { db } = t;
    const user = await db.user.create({ data: { email: `ann-${provider}@example.org`, name: 'Ann', passwordHash: 'x' } });
    expect(user).toMatchObject({ role: 'ANNOTATOR', active: true });
    expect(user.createdAt).toBeInstanceOf(Date);

    const importMeta = { files: ['a.dcm', 'b.dcm'], spacing: [0.7, 0.7, 1.25], tags: { Modality: 'CT' } };
    const study = await db.study.create({
      data: { scanKey: '1.2.840.1', source: 'upload', format: 'dicom', importMeta, importedById: user.id },
    });
    const slice = await db.slice.create({
      data: {
        studyId: study.id, index: 0, width: 512, height: 512, pixelPath: 's/0.raw.gz', pixelKind: 'HU',
        windowWidth: 1500, windowLevel: -600.5, contentHash: 'abc', sourceFile: 'a.dcm',
      },
    });
    await db.sliceLabel.create({ data: { sliceId: slice.id, className: 'COVID-19', unsure: true, authorId: user.id } });

    const points = [[10.5, 20], [30, 20.25], [30, 40], [10, 40]];
    const holes = [[[15, 25], [20, 25], [20, 30]]];
    const annotation = await db.annotation.create({
      data: { sliceId: slice.id, lesionClass: 'GGO', points, holes, source: 'MODEL', score: 0.875, authorId: user.id },
    });
    await db.annotationRevision.create({
      data: { annotationId: annotation.id, version: 1, action: 'CREATE', snapshot: { lesionClass: 'GGO', points, holes }, authorId: user.id },
    });

    const back = await db.study.findUniqueOrThrow({
      where: { source_scanKey: { source: 'upload', scanKey: '1.2.840.1' } },
      include: { importedBy: true, slices: { include: { labels: true, annotations: { include: { revisions: true } } } } },
    });
    expect(back.importMeta).toEqual(importMeta);
    expect(back.importedBy?.email).toBe(user.email);
    const [s] = back.slices;
    expect(s).toMatchObject({ index: 0, pixelKind: 'HU', status: 'UNLABELLED', windowLevel: -600.5 });
    expect(s.labels).toMatchObject([{ className: 'COVID-19', unsure: true, source: 'HUMAN' }]);
    const [a] = s.annotations;
    expect(a).toMatchObject({ lesionClass: 'GGO', source: 'MODEL', status: 'DRAFT', score: 0.875, version: 1, deletedAt: null });
    expect(a.points).toEqual(points);
    expect(a.holes).toEqual(holes);
    expect(a.revisions).toMatchObject([{ version: 1, action: 'CREATE', snapshot: { lesionClass: 'GGO', points, holes } }]);

    // Enum filters and updatedAt work the same on both databases.
    const updated = await db.annotation.update({ where: { id: annotation.id }, data: { status: 'ACCEPTED', version: { increment: 1 } } });
    expect(updated.version).toBe(2);
    expect(updated.updatedAt.getTime()).toBeGreaterThanOrEqual(annotation.updatedAt.getTime());
    expect(await db.annotation.count({ where: { status: { in: ['ACCEPTED', 'SUBMITTED'] } } })).toBe(1);
  });

  it('enforces unique keys and the onDelete rules (foreign keys are on)', async () => {
    const { db } = t;
    await expect(db.study.create({ data: { scanKey: '1.2.840.1', source: 'upload', format: 'dicom' } })).rejects.toMatchObject({ code: 'P2002' });

    const annotation = await db.annotation.findFirstOrThrow({ include: { revisions: true } });
    await expect(
      db.annotationRevision.create({ data: { annotationId: annotation.id, version: 1, action: 'UPDATE', snapshot: {} } }),
    ).rejects.toMatchObject({ code: 'P2002' });

    await db.user.delete({ where: { email: `ann-${provider}@example.org` } }); // SetNull on authors
    expect((await db.annotation.findUniqueOrThrow({ where: { id: annotation.id } })).authorId).toBeNull();
    expect(await db.study.findFirst({ where: { importedById: { not: null } } })).toBeNull();

    await db.study.deleteMany({}); // Cascade: slices, labels, annotations, revisions go with the study
    expect([await db.slice.count(), await db.sliceLabel.count(), await db.annotation.count(), await db.annotationRevision.count()]).toEqual([0, 0, 0, 0]);
  });

  it('raw integers may come back as BigInt: callers convert with Number()', async () => {
    const { db } = t;
    await db.user.create({ data: { email: `raw-${provider}@example.org`, name: 'Raw', passwordHash: 'x' } });
    const [row] = await db.$queryRaw<{ n: bigint }[]>`SELECT COUNT(*) AS n FROM "User"`;
    expect(typeof row.n).toBe('bigint');
    expect(Number(row.n)).toBe(await db.user.count());
    // Plain INTEGER differs: BigInt on SQLite, number on PostgreSQL.
    const [int] = await db.$queryRaw<{ i: bigint | number }[]>`SELECT CAST(7 AS INTEGER) AS i`;
    expect(typeof int.i).toBe(provider === 'sqlite' ? 'bigint' : 'number');
  });
}

describe('models on SQLite', () => modelSuite('sqlite'));

const postgres = await testPostgres();
describe.skipIf(!postgres.available)('models on PostgreSQL', () => modelSuite('postgresql'));
