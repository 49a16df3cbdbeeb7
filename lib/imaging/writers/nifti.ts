/**
 * NIfTI-1 single-file volumes (.nii.gz) for exports: an int16 image in HU or a uint8 label map, with the
 * voxel → world (RAS, mm) affine written both as the sform and as the qform (quaternion plus qfac), so readers that
 * honour either (nibabel, ITK/3D Slicer, nnU-Net's SimpleITK) place the volume the same way. No npm package writes
 * NIfTI; the header layout follows nifti1.h, and the tests read the files back with nibabel.
 */
import zlib from 'node:zlib';

export interface NiftiOutput {
  /** Voxels along i (image columns), j (image rows), k (slices). */
  dims: [number, number, number];
  /** i fastest, then j, then k: the slices' row-major pixels one after another. */
  data: Int16Array | Uint8Array;
  /** 4×4 voxel (i, j, k) → RAS mm; its column norms are the voxel sizes. */
  affine: number[][];
  description?: string;
  /** NIFTI_INTENT_LABEL for label maps. */
  intent?: 'label';
}

const HEADER_BYTES = 348;
const VOX_OFFSET = 352; // header + the 4-byte extension flag (no extensions)
const DATATYPE = { int16: { code: 4, bits: 16 }, uint8: { code: 2, bits: 8 } } as const;
const NIFTI_XFORM_SCANNER_ANAT = 1;
const NIFTI_INTENT_LABEL = 1002;
const NIFTI_UNITS_MM = 2;

export function niftiGz(volume: NiftiOutput): Buffer {
  return zlib.gzipSync(niftiBytes(volume), { level: 6 });
}

export function niftiBytes({ dims, data, affine, description = '', intent }: NiftiOutput): Buffer {
  const [nx, ny, nz] = dims;
  if (data.length !== nx * ny * nz) throw new RangeError(`NIfTI data has ${data.length} voxels for ${nx}×${ny}×${nz}`);
  const type = data instanceof Int16Array ? DATATYPE.int16 : DATATYPE.uint8;
  const out = Buffer.alloc(VOX_OFFSET + data.byteLength);
  const v = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const le = true;
  v.setInt32(0, HEADER_BYTES, le);
  [3, nx, ny, nz, 1, 1, 1, 1].forEach((d, i) => v.setInt16(40 + 2 * i, d, le)); // dim[8]
  if (intent === 'label') v.setInt16(68, NIFTI_INTENT_LABEL, le);
  v.setInt16(70, type.code, le);
  v.setInt16(72, type.bits, le);
  const q = quaternionOf(affine);
  const voxel = [0, 1, 2].map((c) => Math.hypot(affine[0][c], affine[1][c], affine[2][c]));
  [q.qfac, ...voxel, 0, 0, 0, 0].forEach((p, i) => v.setFloat32(76 + 4 * i, p, le)); // pixdim[8]
  v.setFloat32(108, VOX_OFFSET, le);
  v.setFloat32(112, 1, le); // scl_slope: values are stored as they are
  v.setFloat32(116, 0, le); // scl_inter
  v.setUint8(123, NIFTI_UNITS_MM);
  if (intent === 'label') v.setFloat32(128, 2, le); // cal_max: labels 0..2 display as such
  out.write(description.slice(0, 79), 148, 'latin1');
  v.setInt16(252, NIFTI_XFORM_SCANNER_ANAT, le); // qform_code
  v.setInt16(254, NIFTI_XFORM_SCANNER_ANAT, le); // sform_code
  [q.b, q.c, q.d, affine[0][3], affine[1][3], affine[2][3]].forEach((x, i) => v.setFloat32(256 + 4 * i, x, le));
  for (let r = 0; r < 3; r++) for (let c = 0; c < 4; c++) v.setFloat32(280 + 16 * r + 4 * c, affine[r][c], le); // srow_x/y/z
  if (intent === 'label') out.write('labels', 328, 'latin1'); // intent_name
  out.write('n+1\0', 344, 'latin1');
  Buffer.from(data.buffer, data.byteOffset, data.byteLength).copy(out, VOX_OFFSET);
  return out;
}

/**
 * The qform quaternion of an affine's rotation (nifti1_io's nifti_mat44_to_quatern): columns normalised; a
 * left-handed frame is made right-handed by flipping the third column, recorded as qfac = −1.
 */
export function quaternionOf(affine: number[][]): { b: number; c: number; d: number; qfac: 1 | -1 } {
  const col = (c: number) => {
    const n = Math.hypot(affine[0][c], affine[1][c], affine[2][c]) || 1;
    return [affine[0][c] / n, affine[1][c] / n, affine[2][c] / n];
  };
  const [x, y, z0] = [col(0), col(1), col(2)];
  const det = x[0] * (y[1] * z0[2] - z0[1] * y[2]) - y[0] * (x[1] * z0[2] - z0[1] * x[2]) + z0[0] * (x[1] * y[2] - y[1] * x[2]);
  const qfac = det > 0 ? 1 : -1;
  const z = qfac === 1 ? z0 : z0.map((t) => -t);
  // r[i][j]: row i, column j of the rotation.
  const r = [[x[0], y[0], z[0]], [x[1], y[1], z[1]], [x[2], y[2], z[2]]];
  let a = r[0][0] + r[1][1] + r[2][2] + 1;
  let b: number;
  let c: number;
  let d: number;
  if (a > 0.5) {
    a = 0.5 * Math.sqrt(a);
    b = (0.25 * (r[2][1] - r[1][2])) / a;
    c = (0.25 * (r[0][2] - r[2][0])) / a;
    d = (0.25 * (r[1][0] - r[0][1])) / a;
  } else {
    const xd = 1 + r[0][0] - (r[1][1] + r[2][2]);
    const yd = 1 + r[1][1] - (r[0][0] + r[2][2]);
    const zd = 1 + r[2][2] - (r[0][0] + r[1][1]);
    if (xd > 1) {
      b = 0.5 * Math.sqrt(xd);
      c = (0.25 * (r[0][1] + r[1][0])) / b;
      d = (0.25 * (r[0][2] + r[2][0])) / b;
      a = (0.25 * (r[2][1] - r[1][2])) / b;
    } else if (yd > 1) {
      c = 0.5 * Math.sqrt(yd);
      b = (0.25 * (r[0][1] + r[1][0])) / c;
      d = (0.25 * (r[1][2] + r[2][1])) / c;
      a = (0.25 * (r[0][2] - r[2][0])) / c;
    } else {
      d = 0.5 * Math.sqrt(zd);
      b = (0.25 * (r[0][2] + r[2][0])) / d;
      c = (0.25 * (r[1][2] + r[2][1])) / d;
      a = (0.25 * (r[1][0] - r[0][1])) / d;
    }
    if (a < 0) [b, c, d] = [-b, -c, -d];
  }
  return { b, c, d, qfac };
}
