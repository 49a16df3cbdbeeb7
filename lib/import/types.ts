/** What an import is asked to do and what it reports (lib/import/importPath.ts), and the unit it writes. */
import type { ContourOptions, LesionClass, LesionPolygon } from '@/lib/imaging/contours';
import type { PixelImage } from '@/lib/imaging/pixelStore';
import type { Window } from '@/lib/imaging/window';

export interface ImportOptions {
  /** Folder of masks matched by base name: PNG label masks for slices, NIfTI label volumes for volumes. */
  masksDir?: string;
  /** CSV with columns file,class. */
  labelsCsv?: string;
  /** 2-D images: one study per folder (default) or per file. */
  studyFrom?: 'folder' | 'file';
  /** Study.source (default 'import'); with scanKey it identifies a study across re-imports. */
  source?: string;
  /** File/folder scan keys and Slice.sourceFile are relative to this folder when given, else absolute paths. */
  keyRoot?: string;
  /** Pixel storage root (default: DATA_DIR or <repo>/data). */
  dataDir?: string;
  /** Recorded as Study.importedById and the annotations' author. */
  importedById?: string;
  /** Class given to polygons from binary (merged GGO+C) masks; the schema has no "lesion" class. Default GGO. */
  mergedLesionClass?: LesionClass;
  /** Window stored for HU slices that carry none (NIfTI, DICOM without window tags). Default lung. */
  huWindow?: Window;
  /** Folder names taken as slice classes when no CSV is given (default: the usual ones and every name the class aliases know). */
  classFolders?: readonly string[];
  contour?: ContourOptions;
  /**
   * DICOM all or nothing: a series is imported only when every DICOM file under the path reads and decodes; else
   * its files are reported and nothing of it is written. For sources where a gap means a broken download (a
   * DICOMweb retrieve), not a stray file.
   */
  wholeSeries?: boolean;
}

export interface ImportProgress {
  done: number;
  total: number;
  /** The file just finished (absolute path). */
  file: string;
}

export interface ImportSummary {
  /** CT input files found (DICOM files, NIfTI files, images). */
  files: number;
  studies: number;
  slicesAdded: number;
  slicesSkipped: number;
  annotationsAdded: number;
  labelsAdded: number;
  errors: { file: string; message: string }[];
  /** Files under the path that are not CT inputs (not errors). */
  skipped: { file: string; reason: string }[];
}

/** One slice ready to be written. */
export interface PreparedSlice {
  index: number;
  file: string;
  image: PixelImage;
  window: Window;
  polygons: LesionPolygon[];
  className?: string;
}

/** One transaction's worth: a study and the slices one file (or one DICOM series) brings. */
export interface ImportUnit {
  scanKey: string;
  format: 'dicom' | 'nifti' | 'image';
  patientId?: string;
  importMeta: Record<string, unknown>;
  slices: PreparedSlice[];
  /** Named in errors about the unit as a whole. */
  file: string;
}

/** What an adapter made of its files: the unit (null when nothing of it can be imported), and what failed. */
export interface PreparedUnit {
  unit: ImportUnit | null;
  failures: { file: string; err: unknown }[];
  /** The input files it covered (for progress). */
  files: string[];
}
