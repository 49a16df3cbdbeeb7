/**
 * Writers for small synthetic CT files used by tests: DICOM (through dcmjs, an implementation independent of the
 * dicom-parser reader) and NIfTI-1 (header written byte by byte from the NIfTI-1 spec). Test-only code.
 */
import zlib from 'node:zlib';
// @ts-ignore -- dcmjs ships no type declarations; the one call used is typed below.
import * as dcmjsNs from 'dcmjs';
import { encode } from 'fast-png';

// dcmjs ships no types; the few calls used here are typed by hand.
const dcmjs = ((dcmjsNs as unknown as { default?: unknown }).default ?? dcmjsNs) as {
  data: { datasetToBuffer(ds: Record<string, unknown>): Buffer };
};

export const CT_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.2';

export interface DicomFixture {
  rows: number;
  cols: number;
  /** Stored values (before rescale), row-major. Int16Array → PixelRepresentation 1, Uint16Array → 0. */
  stored: Int16Array | Uint16Array;
  slope?: number;
  intercept?: number;
  bitsStored?: number;
  position?: [number, number, number];
  orientation?: [number, number, number, number, number, number];
  instanceNumber?: number;
  seriesUid?: string;
  sopUid?: string;
  patientId?: string;
  window?: { width: number; level: number };
  transferSyntax?: string;
  /** More attributes by dcmjs keyword (StudyInstanceUID, PixelSpacing, PatientName, …); they win over the defaults. */
  extra?: Record<string, unknown>;
}

/** A CT Image Storage Part 10 file. Deflated transfer syntax: the dataset after the meta group is raw-deflated. */
export function dicomBytes(f: DicomFixture): Buffer {
  const signed = f.stored instanceof Int16Array;
  const ts = f.transferSyntax ?? '1.2.840.10008.1.2.1';
  const ds: Record<string, unknown> = {
    _meta: { TransferSyntaxUID: { Value: [ts] } },
    _vrMap: { PixelData: 'OW' },
    SOPClassUID: CT_IMAGE_STORAGE,
    SOPInstanceUID: f.sopUid ?? `2.25.${Math.floor(Math.random() * 1e15)}`,
    Modality: 'CT',
    StudyInstanceUID: '2.25.1000',
    SeriesInstanceUID: f.seriesUid ?? '2.25.2000',
    PatientID: f.patientId ?? 'TEST-1',
    Rows: f.rows,
    Columns: f.cols,
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    BitsAllocated: 16,
    BitsStored: f.bitsStored ?? 16,
    HighBit: (f.bitsStored ?? 16) - 1,
    PixelRepresentation: signed ? 1 : 0,
    RescaleSlope: f.slope ?? 1,
    RescaleIntercept: f.intercept ?? 0,
    PixelData: [pixelBuffer(f.stored, ts === '1.2.840.10008.1.2.2')],
  };
  if (f.position) ds.ImagePositionPatient = f.position;
  if (f.orientation) ds.ImageOrientationPatient = f.orientation;
  if (f.instanceNumber !== undefined) ds.InstanceNumber = f.instanceNumber;
  if (f.window) {
    ds.WindowCenter = f.window.level;
    ds.WindowWidth = f.window.width;
  }
  Object.assign(ds, f.extra);
  const buf = dcmjs.data.datasetToBuffer(ds);
  if (ts !== '1.2.840.10008.1.2.1.99') return buf;
  // dcmjs writes the dataset uncompressed; deflate what follows the meta group (132 + 12-byte group-length element + length).
  const metaEnd = 132 + 12 + buf.readUInt32LE(140);
  return Buffer.concat([buf.subarray(0, metaEnd), zlib.deflateRawSync(buf.subarray(metaEnd))]);
}

/** dcmjs copies PixelData bytes verbatim whatever the transfer syntax, so big-endian files need swapped words. */
function pixelBuffer(stored: Int16Array | Uint16Array, bigEndian: boolean): ArrayBuffer {
  const bytes = new Uint8Array(stored.buffer.slice(stored.byteOffset, stored.byteOffset + stored.byteLength));
  if (bigEndian) for (let i = 0; i + 1 < bytes.length; i += 2) [bytes[i], bytes[i + 1]] = [bytes[i + 1], bytes[i]];
  return bytes.buffer as ArrayBuffer;
}

export type NiftiDatatype = 'uint8' | 'int16' | 'int32' | 'float32' | 'float64';
const NIFTI_CODES: Record<NiftiDatatype, { code: number; bits: number }> = {
  uint8: { code: 2, bits: 8 },
  int16: { code: 4, bits: 16 },
  int32: { code: 8, bits: 32 },
  float32: { code: 16, bits: 32 },
  float64: { code: 64, bits: 64 },
};

export interface NiftiFixture {
  dims: number[]; // [nx, ny, nz] (or more for 4-D tests)
  datatype: NiftiDatatype;
  /** Voxels in file order (i fastest, then j, then k). */
  data: ArrayLike<number>;
  sclSlope?: number;
  sclInter?: number;
  bigEndian?: boolean;
  gzip?: boolean;
}

/** A single-file NIfTI-1 (.nii) image, optionally gzip-compressed. */
export function niftiBytes(f: NiftiFixture): Buffer {
  const { code, bits } = NIFTI_CODES[f.datatype];
  const le = !f.bigEndian;
  const voxOffset = 352; // 348-byte header + 4-byte extension flag
  const n = f.dims.reduce((a, b) => a * b, 1);
  const out = Buffer.alloc(voxOffset + (n * bits) / 8);
  const v = new DataView(out.buffer, out.byteOffset, out.byteLength);
  v.setInt32(0, 348, le); // sizeof_hdr
  v.setInt16(40, f.dims.length, le); // dim[0]
  f.dims.forEach((d, i) => v.setInt16(42 + 2 * i, d, le));
  for (let i = f.dims.length; i < 7; i++) v.setInt16(42 + 2 * i, 1, le);
  v.setInt16(70, code, le); // datatype
  v.setInt16(72, bits, le); // bitpix
  [1, 0.7, 0.7, 2.5, 1, 1, 1, 1].forEach((p, i) => v.setFloat32(76 + 4 * i, p, le)); // pixdim (qfac 1)
  v.setFloat32(108, voxOffset, le);
  v.setFloat32(112, f.sclSlope ?? 0, le);
  v.setFloat32(116, f.sclInter ?? 0, le);
  v.setUint8(123, 10); // xyzt_units: mm, s
  out.write('n+1\0', 344, 'latin1');
  const put: Record<NiftiDatatype, (o: number, x: number) => void> = {
    uint8: (o, x) => v.setUint8(o, x),
    int16: (o, x) => v.setInt16(o, x, le),
    int32: (o, x) => v.setInt32(o, x, le),
    float32: (o, x) => v.setFloat32(o, x, le),
    float64: (o, x) => v.setFloat64(o, x, le),
  };
  for (let i = 0; i < n; i++) put[f.datatype](voxOffset + (i * bits) / 8, f.data[i]);
  return f.gzip ? zlib.gzipSync(out) : out;
}

/** A palette PNG whose indices are the given labels (palette colours deliberately unlike the indices). */
export function palettePng(width: number, height: number, labels: Uint8Array): Buffer {
  return Buffer.from(encode({ width, height, data: labels, channels: 1, depth: 8, palette: [[0, 0, 0], [128, 0, 0], [0, 128, 0]] }));
}

/** An 8-bit greyscale PNG (images, or binary 0/255 masks). */
export function greyPng(width: number, height: number, pixels: Uint8Array): Buffer {
  return Buffer.from(encode({ width, height, data: pixels, channels: 1, depth: 8 }));
}
