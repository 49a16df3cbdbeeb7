/**
 * NIfTI-1/NIfTI-2 CT volumes (.nii, .nii.gz) → axial slices in HU (Int16).
 *
 * Orientation: no reorientation is done. Slice k (Slice.index k, index 0 = the first stored slice) is the plane
 * of voxels (i, j, k) for all i, j, shown with i → image x (columns) and j → image y (rows), exactly as stored.
 * For the common RAS+ files (dcm2niix, most public datasets) that means k = 0 is the most inferior slice and
 * the image appears flipped vertically relative to radiological display; the affine is returned so a later
 * step can reorient.
 */
import fs from 'node:fs/promises';
import { promisify } from 'node:util';
import zlib from 'node:zlib';

const gunzip = promisify(zlib.gunzip);
/** Largest unpacked NIfTI volume (a 512×512×1000 int16 CT is 500 MiB): CTMS_MAX_NIFTI_MB, default 1024. */
export const MAX_NIFTI_BYTES = (Number(process.env.CTMS_MAX_NIFTI_MB) > 0 ? Number(process.env.CTMS_MAX_NIFTI_MB) : 1024) * 1024 * 1024;
import type * as NiftiReader from 'nifti-reader-js';
import { clampInt16 } from './dicom';
import { asImportError, ImportError } from './importError';

let niftiModule: Promise<typeof NiftiReader> | undefined;
/**
 * nifti-reader-js is ESM-only (its exports map has no `require` condition), so CommonJS runs (tsx scripts) cannot
 * import it statically; a dynamic import works everywhere.
 */
function loadNifti(): Promise<typeof NiftiReader> {
  niftiModule ??= import('nifti-reader-js').then((m) => ((m as { default?: typeof NiftiReader }).default ?? m) as typeof NiftiReader);
  return niftiModule;
}

export interface NiftiVolume {
  file: string;
  width: number;
  height: number;
  /** One Int16Array of HU per axial slice, in stored order. */
  slices: Int16Array[];
  datatype: string;
  /** Voxel size (mm) along i, j, k. */
  pixdim: [number, number, number];
  /** scl_slope/scl_inter as applied (slope 1, inter 0 when the header leaves scaling off). */
  scale: { slope: number; inter: number };
  /** Voxel → world (RAS mm) from sform, else qform; undefined when the header has neither. */
  affine?: number[][];
}

/** NIfTI datatype codes we read, with how to fetch one voxel. */
const READERS: Record<number, { name: string; bytes: number; get: (v: DataView, o: number, le: boolean) => number }> = {
  2: { name: 'uint8', bytes: 1, get: (v, o) => v.getUint8(o) },
  256: { name: 'int8', bytes: 1, get: (v, o) => v.getInt8(o) },
  4: { name: 'int16', bytes: 2, get: (v, o, le) => v.getInt16(o, le) },
  512: { name: 'uint16', bytes: 2, get: (v, o, le) => v.getUint16(o, le) },
  8: { name: 'int32', bytes: 4, get: (v, o, le) => v.getInt32(o, le) },
  16: { name: 'float32', bytes: 4, get: (v, o, le) => v.getFloat32(o, le) },
  64: { name: 'float64', bytes: 8, get: (v, o, le) => v.getFloat64(o, le) },
};

/** Voxels that are NaN/±∞ in float volumes (often outside the scanned field) become air. */
const NON_FINITE_HU = -1024;

export async function readNiftiFile(file: string): Promise<NiftiVolume> {
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(file);
  } catch (err) {
    throw asImportError(file, err, 'cannot read file');
  }
  return parseNiftiBytes(bytes, file);
}

export async function parseNiftiBytes(input: Uint8Array, file: string): Promise<NiftiVolume> {
  const nifti = await loadNifti();
  let bytes = input;
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      // Bounded, and off the event loop: a .nii.gz that gunzips to gigabytes is refused at the limit.
      bytes = await gunzip(bytes, { maxOutputLength: MAX_NIFTI_BYTES });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) {
        throw new ImportError(file, `unpacks to more than ${MAX_NIFTI_BYTES / 1024 / 1024} MiB: split the volume, or raise CTMS_MAX_NIFTI_MB`);
      }
      throw asImportError(file, err, 'corrupt or truncated gzip data');
    }
  }
  // nifti-reader-js wants an ArrayBuffer of exactly the file.
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  if (!nifti.isNIFTI(buffer)) {
    throw new ImportError(file, 'not a NIfTI file (no NIfTI-1/2 magic; .hdr/.img pairs are not supported, use a single .nii)');
  }
  let header: ReturnType<typeof nifti.readHeader>;
  try {
    header = nifti.readHeader(buffer);
  } catch (err) {
    throw asImportError(file, err, 'corrupt NIfTI header');
  }
  const dims = header.dims;
  const ndim = dims[0];
  const [nx, ny] = [dims[1], dims[2]];
  const nz = ndim >= 3 ? dims[3] : 1;
  if (!(ndim >= 2 && ndim <= 7) || !(nx >= 1 && ny >= 1 && nz >= 1)) {
    throw new ImportError(file, `corrupt NIfTI header: dims ${JSON.stringify(dims.slice(0, 8))}`);
  }
  const extra = dims.slice(4, ndim + 1).reduce((a, b) => a * Math.max(b, 1), 1);
  if (extra !== 1) throw new ImportError(file, `${ndim}-D volume (dims ${dims.slice(1, ndim + 1).join('×')}): only single 3-D volumes are supported`);

  const reader = READERS[header.datatypeCode];
  if (!reader) {
    throw new ImportError(
      file,
      `unsupported NIfTI datatype ${header.getDatatypeCodeString(header.datatypeCode) || header.datatypeCode}; use int16, uint8, int32 or float32`,
    );
  }
  const perSlice = nx * ny;
  const offset = Math.round(header.vox_offset);
  const need = offset + perSlice * nz * reader.bytes;
  if (buffer.byteLength < need) {
    throw new ImportError(file, `truncated NIfTI: ${buffer.byteLength} bytes, the header promises ${need}`);
  }

  // NIfTI: scaling is on only when scl_slope is non-zero (and finite).
  const scaled = Number.isFinite(header.scl_slope) && header.scl_slope !== 0;
  const slope = scaled ? header.scl_slope : 1;
  const inter = scaled && Number.isFinite(header.scl_inter) ? header.scl_inter : 0;

  const view = new DataView(buffer, offset, perSlice * nz * reader.bytes);
  const le = header.littleEndian;
  const slices: Int16Array[] = [];
  for (let k = 0; k < nz; k++) {
    const out = new Int16Array(perSlice);
    const base = k * perSlice;
    for (let p = 0; p < perSlice; p++) {
      const v = reader.get(view, (base + p) * reader.bytes, le) * slope + inter;
      out[p] = Number.isFinite(v) ? clampInt16(Math.round(v)) : NON_FINITE_HU;
    }
    slices.push(out);
  }

  const hasXform = header.sform_code > 0 || header.qform_code > 0;
  return {
    file,
    width: nx,
    height: ny,
    slices,
    datatype: reader.name,
    pixdim: [header.pixDims[1], header.pixDims[2], header.pixDims[3]],
    scale: { slope, inter },
    affine: hasXform ? header.affine.map((row) => [...row]) : undefined,
  };
}
