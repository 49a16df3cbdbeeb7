/**
 * Reading exports back with readers that share no code with the app: pydicom for DICOM-SEG and nibabel for NIfTI
 * (Debian's python3-pydicom and python3-nibabel, through lib/testing/independent_readers.py). Missing readers skip
 * the tests that need them with a message, unless REQUIRE_DICOM_READERS=1 (CI).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const SCRIPT = path.join(__dirname, 'independent_readers.py');
// Debian's interpreter first: the packages install for it, not for a python3 of pyenv or a virtualenv on PATH.
const CANDIDATES = ['/usr/bin/python3', 'python3'];

let python: { exe?: string; reason?: string } | undefined;

export function independentReaders(): { available: boolean; reason?: string } {
  python ??= (() => {
    for (const exe of CANDIDATES) {
      const r = spawnSync(exe, ['-c', 'import pydicom, nibabel, numpy'], { encoding: 'utf8' });
      if (r.status === 0) return { exe };
    }
    return { reason: 'python3 with pydicom and nibabel is not installed (Debian: apt-get install python3-pydicom python3-nibabel)' };
  })();
  if (python.reason && process.env.REQUIRE_DICOM_READERS === '1') throw new Error(`REQUIRE_DICOM_READERS=1 but ${python.reason}`);
  if (python.reason) console.warn(`Skipping the independent-reader checks: ${python.reason}.`);
  return { available: !python.reason, reason: python.reason };
}

function run<T>(kind: 'seg' | 'nifti', file: string): { meta: T; raw: Buffer } {
  if (!independentReaders().available) throw new Error(python?.reason);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ctms-reader-'));
  try {
    const out = path.join(dir, 'voxels.raw');
    const r = spawnSync(python!.exe!, [SCRIPT, kind, file, out], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (r.status !== 0) throw new Error(`independent ${kind} reader failed on ${file}: ${r.stderr}`);
    return { meta: JSON.parse(r.stdout) as T, raw: readFileSync(out) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface SegAsRead {
  sopClassUid: string;
  modality: string;
  segmentationType: string;
  rows: number;
  columns: number;
  frames: number;
  studyInstanceUid: string;
  patientId: string;
  frameOfReferenceUid: string;
  referencedSeriesInstanceUid: string;
  referencedInstances: string[];
  segments: { number: number; label: string; category: string; type: string; typeCode: string }[];
  perFrame: { segment: number; sourceSopInstanceUid: string; position: number[] }[];
  /** Frame f's mask: rows × columns bytes of 0/1. */
  frame(f: number): Uint8Array;
}

/** pydicom's reading of a DICOM-SEG file. */
export function readSegWithPydicom(file: string): SegAsRead {
  const { meta, raw } = run<Omit<SegAsRead, 'frame'>>('seg', file);
  const plane = meta.rows * meta.columns;
  return { ...meta, frame: (f) => new Uint8Array(raw.buffer, raw.byteOffset + f * plane, plane) };
}

export interface NiftiAsRead {
  shape: number[];
  dtype: string;
  affine: number[][];
  qform: number[][];
  sform: number[][];
  zooms: number[];
  axcodes: string[];
  /** Slice k as the reader sees it: shape[1] rows of shape[0] voxels. */
  slice(k: number): Int16Array | Uint8Array;
}

/** nibabel's reading of a NIfTI file. */
export function readNiftiWithNibabel(file: string): NiftiAsRead {
  const { meta, raw } = run<Omit<NiftiAsRead, 'slice'>>('nifti', file);
  const plane = meta.shape[0] * meta.shape[1];
  const signed = meta.dtype.startsWith('int');
  const copy = new Uint8Array(raw.length);
  copy.set(raw);
  const all = signed ? new Int16Array(copy.buffer) : copy;
  return { ...meta, slice: (k) => all.subarray(k * plane, (k + 1) * plane) };
}
