/** Small database fixtures for tests: users of each role and a study of blank slices (no pixel files). */
import { randomUUID } from 'node:crypto';
import type { Db } from '@/lib/db/client';
import type { Role } from '@/lib/auth/roles';
import type { PublicUser } from '@/lib/users/service';

export async function createTestUser(db: Db, role: Role, name = role.toLowerCase()): Promise<PublicUser> {
  return db.user.create({
    data: { email: `${name}-${randomUUID().slice(0, 8)}@test.example`, name, role, passwordHash: 'not-a-real-hash' },
    select: { id: true, email: true, name: true, role: true, active: true, createdAt: true },
  });
}

export async function createTestStudy(db: Db, options: { slices?: number; width?: number; height?: number; scanKey?: string } = {}) {
  const { slices = 3, width = 64, height = 64, scanKey = `study-${randomUUID().slice(0, 8)}` } = options;
  const study = await db.study.create({ data: { scanKey, source: 'test', format: 'IMAGE' } });
  const ids: string[] = [];
  for (let index = 0; index < slices; index++) {
    const slice = await db.slice.create({
      data: {
        studyId: study.id, index, width, height, pixelKind: 'WINDOWED', windowWidth: 256, windowLevel: 128,
        pixelPath: `test/${study.id}-${index}.u8.gz`, contentHash: `${study.id}-${index}`, sourceFile: `${scanKey}/${index}.png`,
      },
    });
    ids.push(slice.id);
  }
  return { study, sliceIds: ids };
}
