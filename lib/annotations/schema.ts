import { z } from 'zod';
import { MAX_HOLES, MAX_POLYGONS_PER_SLICE, MAX_RING_VERTICES } from './polygon';

/** Largest annotation save body: the vertex budget (MAX_VERTICES_PER_REQUEST) as JSON, with room to spare. */
export const SAVE_BODY_LIMIT = 4 * 1024 * 1024;

const point = z.tuple([z.number(), z.number()]);
// One more than the limit, so validatePolygon can answer with its own, clearer message.
const ring = z.array(point).max(MAX_RING_VERTICES + 1);

export const polygonInputSchema = z.object({
  /** Database id of an existing annotation; absent for a new polygon. */
  id: z.string().min(1).max(64).optional(),
  /** The editor's key for this polygon, echoed back with the stored id. */
  clientKey: z.string().min(1).max(64),
  lesionClass: z.enum(['GGO', 'C']),
  points: ring,
  holes: z.array(ring).max(MAX_HOLES + 1).default([]),
});

/** PUT /api/slices/{id}/annotations: the whole human annotation of a slice, based on a known version. */
export const saveRequestSchema = z.object({
  baseVersion: z.number().int().min(0),
  polygons: z.array(polygonInputSchema).max(MAX_POLYGONS_PER_SLICE),
  sliceClass: z.string().trim().min(1).max(64).nullable(),
  unsure: z.boolean().default(false),
  /** Active editing time since the previous save (idle gaps excluded), for the correction-effort figures. */
  activeMs: z.number().int().min(0).max(3_600_000).default(0),
  /** Set when the annotation started from a model version's proposals (accepted in the editor). */
  proposalVersionId: z.string().min(1).max(64).optional(),
});
export type SaveRequest = z.input<typeof saveRequestSchema>;
