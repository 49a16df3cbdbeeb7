/** The slice descriptor the core-set strategy spreads its picks over (MaskRcnn.embed on the prepared slice). */
import type { GreySlice } from './data/augment';
import { prepareInput } from './data/prepare';
import type { Segmenter } from './predict';

export async function sliceEmbedding(model: Segmenter, slice: GreySlice): Promise<number[]> {
  const input = prepareInput(slice, model.config);
  try {
    return Array.from(await model.embed(input));
  } finally {
    input.image.dispose();
  }
}
