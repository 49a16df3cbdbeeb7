/**
 * What the export round-trip tests share: labelling an imported study with known polygons, and scoring what an
 * independent reader got back against the app's own rasterisation of those polygons (Dice per class, pooled over
 * the volume and averaged over slices).
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '@/lib/db/client';
import { polygonsToLabelMap, type LesionPolygon } from '@/lib/imaging/contours';
import { dicePerClass, type DiceResult } from '@/lib/model/metrics/dice';
import { dicomSourceOf, type StudyVolume } from '@/lib/export/studyVolume';
import { sliceTransaction } from '@/lib/slices/sliceTransaction';
import type { NiftiAsRead, SegAsRead } from './independentReaders';

/** Polygons for slice `index` of a `size`² study: a GGO ring with a hole on slices 1–3, a consolidation blob on 2–4. */
export function testPolygons(index: number, size: number): LesionPolygon[] {
  const s = size / 48;
  const out: LesionPolygon[] = [];
  if (index >= 1 && index <= 3) {
    const ring = (cx: number, cy: number, r: number, n = 12) => Array.from({ length: n }, (_, k) => [cx + r * Math.cos((2 * Math.PI * k) / n), cy + r * Math.sin((2 * Math.PI * k) / n)] as [number, number]);
    out.push({ lesionClass: 'GGO', points: ring(14 * s, 20 * s, (6 + index) * s), holes: [ring(14 * s, 20 * s, 2.5 * s, 8)] });
  }
  if (index >= 2 && index <= 4) out.push({ lesionClass: 'C', points: [[30 * s, 18 * s], [40 * s, 20 * s + index], [37 * s, 32 * s], [29 * s, 29 * s]], holes: [] });
  return out;
}

/** Stores the polygons as accepted human annotations (as a reviewed slice holds them), through the slice-write protocol. */
export async function labelStudy(db: Db, studyId: string, polygonsOf: (index: number, width: number) => LesionPolygon[] = testPolygons): Promise<number> {
  const slices = await db.slice.findMany({ where: { studyId }, orderBy: { index: 'asc' } });
  const admin = await db.user.create({ data: { email: `labeller-${randomUUID()}@test.local`, name: 'Export test labeller', role: 'ADMIN', passwordHash: 'x' } });
  let n = 0;
  for (const slice of slices) {
    const polygons = polygonsOf(slice.index, slice.width);
    await sliceTransaction(db, slice.id, { baseVersion: slice.version, actor: { id: admin.id, role: 'ADMIN' }, lease: 'release', action: 'label' }, async (w) => {
      for (const p of polygons) await w.writePolygon(p);
      await w.setStatus('ACCEPTED', 'ACCEPTED');
    });
    n += polygons.length;
  }
  return n;
}

const CLASS_OF_SEGMENT_LABEL: Record<string, number> = { GGO: 1, C: 2 };

/** Dice per class between pydicom's reading of a SEG and the app's label maps of the study's slices. */
export function segDice(seg: SegAsRead, volume: StudyVolume): DiceResult {
  const source = dicomSourceOf(volume);
  const indexOfSop = new Map(source.instances.map((inst, index) => [inst.sopInstanceUid, index]));
  const labelOfSegment = new Map(seg.segments.map((s) => [s.number, CLASS_OF_SEGMENT_LABEL[s.label]]));
  const plane = volume.width * volume.height;
  const read = new Map(volume.slices.map((s) => [s.index, new Uint8Array(plane)]));
  // GGO frames first, then C, as polygonsToLabelMap paints them.
  const order = seg.perFrame.map((f, k) => ({ f, k })).sort((a, b) => labelOfSegment.get(a.f.segment)! - labelOfSegment.get(b.f.segment)!);
  for (const { f, k } of order) {
    const index = indexOfSop.get(f.sourceSopInstanceUid);
    if (index === undefined) throw new Error(`SEG frame ${k} references ${f.sourceSopInstanceUid}, which is not in the source series`);
    const map = read.get(index)!;
    const mask = seg.frame(k);
    const label = labelOfSegment.get(f.segment)!;
    for (let i = 0; i < plane; i++) if (mask[i]) map[i] = label;
  }
  return compare(volume, (index) => read.get(index)!);
}

/** Dice per class between nibabel's reading of a label volume (slice k = Slice.index k) and the app's label maps. */
export function niftiDice(label: NiftiAsRead, volume: StudyVolume): DiceResult {
  return compare(volume, (index) => Uint8Array.from(label.slice(index)));
}

function compare(volume: StudyVolume, readBack: (index: number) => Uint8Array): DiceResult {
  const { width, height } = volume;
  const app = volume.slices.map((s) => ({ width, height, data: polygonsToLabelMap(s.polygons, width, height) }));
  const back = volume.slices.map((s) => ({ width, height, data: readBack(s.index) }));
  return dicePerClass(back, app, [1, 2]);
}
