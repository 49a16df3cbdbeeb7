/**
 * A study as NIfTI (nnU-Net / MONAI layout): images/<case>.nii.gz (int16 HU, or uint8 grey for 2-D image studies)
 * and labels/<case>.nii.gz (uint8: 0 background, 1 GGO, 2 C), same grid and affine. `npm run import -- images
 * --masks labels` reads the pair back.
 */
import { readPixels } from '@/lib/imaging/pixelStore';
import { niftiGz } from '@/lib/imaging/writers/nifti';
import { caseName, volumeAffine, VolumeExportError, type StudyVolume } from './studyVolume';

export async function studyToNifti(volume: StudyVolume): Promise<{ image: Buffer; label: Buffer }> {
  const { width, height, slices } = volume;
  const missing = slices.findIndex((s, k) => s.index !== k);
  if (missing >= 0) throw new VolumeExportError(`study ${volume.scanKey} has no slice ${missing} (a file failed at import): a NIfTI volume needs every slice`);
  const plane = width * height;
  const first = await readPixels(slices[0].pixelPath);
  const image = first.kind === 'HU' ? new Int16Array(plane * slices.length) : new Uint8Array(plane * slices.length);
  const label = new Uint8Array(plane * slices.length);
  for (const [k, s] of slices.entries()) {
    const px = k === 0 ? first : await readPixels(s.pixelPath);
    if (px.kind !== first.kind) throw new VolumeExportError(`study ${volume.scanKey} mixes HU and windowed slices`);
    image.set(px.pixels, k * plane);
    label.set(s.labels, k * plane);
  }
  const affine = volumeAffine(volume, slices.length);
  const dims: [number, number, number] = [width, height, slices.length];
  const name = caseName(volume);
  return {
    image: niftiGz({ dims, data: image, affine, description: `CT-Mask Studio ${name}` }),
    label: niftiGz({ dims, data: label, affine, description: 'labels 0 bg 1 GGO 2 C', intent: 'label' }),
  };
}
