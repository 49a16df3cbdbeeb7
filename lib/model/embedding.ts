/** The slice descriptor the core-set strategy spreads its picks over (MaskRcnn.embed on the prepared slice). */
import type { GreySlice } from './data/augment';
import { prepareInput } from './data/prepare';
import type { MaskRcnn } from './maskRcnn';

export function sliceEmbedding(model: MaskRcnn, slice: GreySlice): number[] {
  const input = prepareInput(slice, model.config);
  try {
    return Array.from(model.embed(input));
  } finally {
    input.image.dispose();
  }
}
