/**
 * DICOM CT slices → HU (Int16), with what is needed to order a series and window it.
 *
 * Uncompressed pixel data only: implicit/explicit VR little endian, explicit VR big endian (retired, byte-swapped
 * here) and deflated explicit little endian (dicom-parser inflates it with node zlib). Any other transfer syntax (JPEG, JPEG-LS,
 * JPEG 2000, RLE, …) is refused with "unsupported transfer syntax <UID>".
 */
import fs from 'node:fs/promises';
import * as dicomParserNs from 'dicom-parser';
import type { DataSet } from 'dicom-parser';
import type { Window } from '../window';
import { asImportError, ImportError } from './importError';

// dicom-parser is a UMD bundle: under ESM loaders its functions sit on `default`, under CJS on the namespace.
const dicomParser = ((dicomParserNs as unknown as { default?: typeof dicomParserNs }).default ?? dicomParserNs) as typeof dicomParserNs;

export const TRANSFER_SYNTAX = {
  implicitLittle: '1.2.840.10008.1.2',
  explicitLittle: '1.2.840.10008.1.2.1',
  deflatedExplicitLittle: '1.2.840.10008.1.2.1.99',
  explicitBig: '1.2.840.10008.1.2.2',
} as const;

const SUPPORTED = new Set<string>(Object.values(TRANSFER_SYNTAX));

/** Everything about a slice except its pixels (validated as decodable). */
export interface DicomHeader {
  file: string;
  width: number;
  height: number;
  transferSyntaxUid: string;
  seriesInstanceUid?: string;
  studyInstanceUid?: string;
  sopInstanceUid?: string;
  sopClassUid?: string;
  frameOfReferenceUid?: string;
  patientId?: string;
  /** Patient and General Study module attributes, as stored (a derived object such as a DICOM-SEG copies them). */
  patientName?: string;
  patientBirthDate?: string;
  patientSex?: string;
  studyDate?: string;
  studyTime?: string;
  studyId?: string;
  accessionNumber?: string;
  referringPhysicianName?: string;
  studyDescription?: string;
  modality?: string;
  seriesDescription?: string;
  instanceNumber?: number;
  /** ImagePositionPatient (mm, LPS: +z is superior). */
  imagePosition?: [number, number, number];
  /** ImageOrientationPatient: row direction cosines then column direction cosines. */
  imageOrientation?: [number, number, number, number, number, number];
  pixelSpacing?: [number, number];
  sliceThickness?: number;
  rescale: { slope: number; intercept: number };
  /** First WindowCenter/WindowWidth pair when the file has one (in HU, as VOI follows the modality LUT). */
  window?: Window;
}

export interface DicomSlice extends DicomHeader {
  /** Hounsfield units: stored value × RescaleSlope + RescaleIntercept, rounded, clamped to Int16. */
  hu: Int16Array;
}

async function readBytes(file: string): Promise<Buffer> {
  try {
    return await fs.readFile(file);
  } catch (err) {
    throw asImportError(file, err, 'cannot read file');
  }
}

/** Reads and decodes one DICOM file; throws ImportError naming the file for anything it cannot import. */
export async function readDicomFile(file: string): Promise<DicomSlice> {
  return parseDicomBytes(await readBytes(file), file);
}

/**
 * Reads and validates one DICOM file without converting its pixels (to group and order a series before holding
 * any slice's pixels in memory). Throws the same ImportErrors as readDicomFile.
 */
export async function readDicomHeader(file: string): Promise<DicomHeader> {
  return parseDicomBytes(await readBytes(file), file, false);
}

/** True when the bytes carry the DICOM Part 10 "DICM" marker (a cheap check for folder discovery). */
export function looksLikeDicom(bytes: Uint8Array): boolean {
  return bytes.length >= 132 && bytes[128] === 0x44 && bytes[129] === 0x49 && bytes[130] === 0x43 && bytes[131] === 0x4d;
}

export function parseDicomBytes(bytes: Uint8Array, file: string): DicomSlice;
export function parseDicomBytes(bytes: Uint8Array, file: string, withPixels: false): DicomHeader;
export function parseDicomBytes(bytes: Uint8Array, file: string, withPixels = true): DicomHeader | DicomSlice {
  if (!looksLikeDicom(bytes)) {
    throw new ImportError(file, 'not a DICOM file (no "DICM" marker at byte 128); only DICOM Part 10 files are read');
  }
  // Check the transfer syntax from the meta header first, so compressed files get the right message even when
  // their encapsulated pixel data would trip the full parse.
  const tsuid = parseOrThrow(file, () => dicomParser.readPart10Header(bytes)).string('x00020010')?.trim() ?? TRANSFER_SYNTAX.implicitLittle;
  if (!SUPPORTED.has(tsuid)) {
    throw new ImportError(
      file,
      `unsupported transfer syntax ${tsuid}: only uncompressed DICOM (implicit/explicit VR little endian, explicit big endian, deflated) is read; decompress the series first, e.g. \`gdcmconv --raw\` or \`dcmdjpeg\``,
    );
  }
  // Under Node, dicom-parser inflates the deflated transfer syntax itself with zlib.
  const ds = parseOrThrow(file, () => dicomParser.parseDicom(bytes));
  try {
    return decode(ds, file, tsuid, withPixels);
  } catch (err) {
    throw asImportError(file, err, 'cannot decode DICOM');
  }
}

function parseOrThrow(file: string, parse: () => DataSet): DataSet {
  try {
    return parse();
  } catch (err) {
    // dicom-parser throws strings or {exception, dataSet} objects for truncated/corrupt files.
    const detail =
      typeof err === 'string' ? err : err instanceof Error ? err.message : String((err as { exception?: unknown })?.exception ?? err);
    throw new ImportError(file, `corrupt or truncated DICOM (${detail})`, { cause: err });
  }
}

function decode(ds: DataSet, file: string, tsuid: string, withPixels: boolean): DicomHeader | DicomSlice {
  const pixel = ds.elements.x7fe00010;
  if (!pixel) throw new ImportError(file, 'no pixel data (7FE0,0010): not an image (e.g. a DICOMDIR or structured report)');
  if (pixel.encapsulatedPixelData) throw new ImportError(file, `encapsulated pixel data in transfer syntax ${tsuid}`);

  const rows = ds.uint16('x00280010');
  const cols = ds.uint16('x00280011');
  if (!rows || !cols) throw new ImportError(file, 'missing Rows/Columns (0028,0010/0011)');
  const samples = ds.uint16('x00280002') ?? 1;
  if (samples !== 1) throw new ImportError(file, `SamplesPerPixel=${samples}: only greyscale (1 sample) CT images are supported`);
  const frames = ds.intString('x00280008') ?? 1;
  if (frames !== 1) throw new ImportError(file, `multi-frame image (NumberOfFrames=${frames}) is not supported; export one file per slice`);
  const bitsAllocated = ds.uint16('x00280100') ?? 16;
  if (bitsAllocated !== 16 && bitsAllocated !== 8) {
    throw new ImportError(file, `BitsAllocated=${bitsAllocated}: only 8- or 16-bit pixel data is supported`);
  }
  const bitsStored = ds.uint16('x00280101') ?? bitsAllocated;
  if (bitsStored < 1 || bitsStored > bitsAllocated) throw new ImportError(file, `BitsStored=${bitsStored} with BitsAllocated=${bitsAllocated}`);
  const signed = (ds.uint16('x00280103') ?? 0) === 1;

  const count = rows * cols;
  const bytesPer = bitsAllocated / 8;
  if (pixel.length < count * bytesPer || pixel.dataOffset + count * bytesPer > ds.byteArray.length) {
    throw new ImportError(file, `truncated pixel data: ${Math.min(pixel.length, ds.byteArray.length - pixel.dataOffset)} bytes for ${cols}×${rows}×${bytesPer}`);
  }

  const slope = ds.floatString('x00281053') ?? 1;
  const intercept = ds.floatString('x00281052') ?? 0;
  if (!Number.isFinite(slope) || !Number.isFinite(intercept) || slope === 0) {
    throw new ImportError(file, `unusable RescaleSlope/Intercept (${slope}, ${intercept})`);
  }

  const centre = ds.floatString('x00281050');
  const width = ds.floatString('x00281051');
  const header: DicomHeader = {
    file,
    width: cols,
    height: rows,
    transferSyntaxUid: tsuid,
    seriesInstanceUid: str(ds, 'x0020000e'),
    studyInstanceUid: str(ds, 'x0020000d'),
    sopInstanceUid: str(ds, 'x00080018'),
    sopClassUid: str(ds, 'x00080016'),
    frameOfReferenceUid: str(ds, 'x00200052'),
    patientId: str(ds, 'x00100020'),
    patientName: str(ds, 'x00100010'),
    patientBirthDate: str(ds, 'x00100030'),
    patientSex: str(ds, 'x00100040'),
    studyDate: str(ds, 'x00080020'),
    studyTime: str(ds, 'x00080030'),
    studyId: str(ds, 'x00200010'),
    accessionNumber: str(ds, 'x00080050'),
    referringPhysicianName: str(ds, 'x00080090'),
    studyDescription: str(ds, 'x00081030'),
    modality: str(ds, 'x00080060'),
    seriesDescription: str(ds, 'x0008103e'),
    instanceNumber: ds.intString('x00200013'),
    imagePosition: numbers(ds, 'x00200032', 3) as DicomHeader['imagePosition'],
    imageOrientation: numbers(ds, 'x00200037', 6) as DicomHeader['imageOrientation'],
    pixelSpacing: numbers(ds, 'x00280030', 2) as DicomHeader['pixelSpacing'],
    sliceThickness: ds.floatString('x00180050'),
    rescale: { slope, intercept },
    window: centre !== undefined && width !== undefined && Number.isFinite(centre) && width >= 1 ? { width, level: centre } : undefined,
  };
  if (!withPixels) return header;

  const bigEndian = tsuid === TRANSFER_SYNTAX.explicitBig;
  const view = new DataView(ds.byteArray.buffer, ds.byteArray.byteOffset + pixel.dataOffset, count * bytesPer);
  // Keep the low BitsStored bits, then sign-extend from bit BitsStored−1 when PixelRepresentation is signed.
  const mask = 2 ** bitsStored - 1;
  const signBit = 2 ** (bitsStored - 1);
  const hu = new Int16Array(count);
  for (let i = 0; i < count; i++) {
    let v = (bytesPer === 2 ? view.getUint16(i * 2, !bigEndian) : view.getUint8(i)) & mask;
    if (signed && v >= signBit) v -= 2 * signBit;
    hu[i] = clampInt16(Math.round(v * slope + intercept));
  }
  return { ...header, hu };
}

export function clampInt16(v: number): number {
  return v < -32768 ? -32768 : v > 32767 ? 32767 : v;
}

function str(ds: DataSet, tag: string): string | undefined {
  const s = ds.string(tag)?.trim();
  return s ? s : undefined;
}

function numbers(ds: DataSet, tag: string, n: number): number[] | undefined {
  if ((ds.numStringValues(tag) ?? 0) < n) return undefined;
  const out = Array.from({ length: n }, (_, i) => ds.floatString(tag, i) ?? NaN);
  return out.every(Number.isFinite) ? out : undefined;
}

/**
 * Orders the slices of one series, most cranial first (Slice.index 0), by ImagePositionPatient projected on the
 * slice normal (row × column cosines). When a slice lacks position/orientation, falls back to InstanceNumber; when
 * that is missing too, keeps the file order. Returns a new array and which key ordered it.
 */
export function orderSeries<T extends Pick<DicomHeader, 'imagePosition' | 'imageOrientation' | 'instanceNumber'>>(
  slices: T[],
): { ordered: T[]; by: 'position' | 'instanceNumber' | 'file' } {
  const withGeometry = slices.every((s) => s.imagePosition && s.imageOrientation);
  if (withGeometry && slices.length > 0) {
    const o = slices[0].imageOrientation!;
    const n = cross([o[0], o[1], o[2]], [o[3], o[4], o[5]]);
    // Sort along the normal, then flip so index 0 is the most superior (+z in LPS); for a normal with no z part
    // (sagittal/coronal) slices run against the normal.
    const sign = n[2] < 0 ? 1 : -1;
    const key = (s: T) => sign * dot(s.imagePosition!, n);
    const ordered = [...slices].sort((a, b) => key(a) - key(b));
    return { ordered, by: 'position' };
  }
  if (slices.every((s) => s.instanceNumber !== undefined)) {
    return { ordered: [...slices].sort((a, b) => a.instanceNumber! - b.instanceNumber!), by: 'instanceNumber' };
  }
  return { ordered: [...slices], by: 'file' };
}

function cross(a: number[], b: number[]): [number, number, number] {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}

function dot(a: number[], b: number[]): number {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}
