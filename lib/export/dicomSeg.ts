/**
 * A study's labels as a DICOM Segmentation object (PS3.3 A.51), built with dcmjs: one binary segment per lesion
 * class (1 GGO, 2 consolidation), one frame per source slice where the class is present, each frame referencing
 * its source CT instance (SourceImageSequence) and position, the series in ReferencedSeriesSequence, the patient and
 * study attributes of the source so a PACS files it with its study. OHIF, 3D Slicer and MONAI Label read it.
 */
// @ts-ignore -- dcmjs ships no type declarations; the calls used are typed below.
import * as dcmjsNs from 'dcmjs';
import type { LesionClass } from '@/lib/imaging/contours';
import { dicomSourceOf, VolumeExportError, type StudyVolume } from './studyVolume';

type Dataset = Record<string, unknown>;
interface SegmentationDerivation {
  dataset: Dataset;
  setNumberOfFrames(n: number): void;
  addSegmentFromLabelmap(segment: Dataset, labelmaps: Uint8Array[], labelValue: number, referencedFrameNumbers: number[]): void;
  bitPackPixelData(): void;
}
const dcmjs = ((dcmjsNs as unknown as { default?: unknown }).default ?? dcmjsNs) as {
  data: { datasetToBuffer(ds: Dataset): Buffer; DicomMetaDictionary: { uid(): string }; Colors: { rgb82DICOMLAB(rgb: number[]): number[] } };
  normalizers: { Normalizer: { normalizeToDataset(datasets: Dataset[]): Dataset | undefined } };
  derivations: { Segmentation: new (datasets: Dataset[], options: Dataset) => SegmentationDerivation };
};

const code = (CodeValue: string, CodingSchemeDesignator: string, CodeMeaning: string) => ({ CodeValue, CodingSchemeDesignator, CodeMeaning });
const MORPHOLOGICALLY_ABNORMAL = code('49755003', 'SCT', 'Morphologically Abnormal Structure');

/** Segment number = label value: 1 GGO, 2 consolidation (the same numbering as the masks and NIfTI exports). */
export const SEG_SEGMENTS: { label: number; lesionClass: LesionClass; meta: Dataset }[] = [
  {
    label: 1,
    lesionClass: 'GGO',
    meta: { SegmentLabel: 'GGO', SegmentDescription: 'Ground-glass opacity', SegmentedPropertyCategoryCodeSequence: MORPHOLOGICALLY_ABNORMAL, SegmentedPropertyTypeCodeSequence: code('112120', 'DCM', 'Ground glass opacity'), rgb: [245, 197, 66] },
  },
  {
    label: 2,
    lesionClass: 'C',
    meta: { SegmentLabel: 'C', SegmentDescription: 'Consolidation', SegmentedPropertyCategoryCodeSequence: MORPHOLOGICALLY_ABNORMAL, SegmentedPropertyTypeCodeSequence: code('95436008', 'SCT', 'Lung consolidation'), rgb: [239, 91, 156] },
  },
];

export interface SegOptions {
  /** Shown as the SEG series' description. */
  seriesDescription?: string;
  contentCreatorName?: string;
}

export interface BuiltSeg {
  bytes: Buffer;
  sopInstanceUid: string;
  seriesInstanceUid: string;
  studyInstanceUid: string;
  frames: number;
}

export function studyToDicomSeg(volume: StudyVolume, options: SegOptions = {}): BuiltSeg {
  const source = dicomSourceOf(volume);
  const orientation = source.imageOrientation;
  if (!orientation || !source.pixelSpacing || !source.seriesInstanceUid || !source.studyInstanceUid) {
    throw new VolumeExportError(`study ${volume.scanKey}: the source series lacks orientation, pixel spacing or UIDs, which a DICOM-SEG needs`);
  }
  // The source instances as dcmjs datasets: geometry and identity only (a SEG never needs the source pixels).
  const datasets: Dataset[] = [];
  const indexOfSop = new Map<string, number>();
  for (const [index, inst] of source.instances.entries()) {
    if (!inst.sopInstanceUid || !inst.imagePosition) continue;
    indexOfSop.set(inst.sopInstanceUid, index);
    datasets.push({
      _meta: {},
      _vrMap: { PixelData: 'OW' },
      SOPClassUID: inst.sopClassUid ?? '1.2.840.10008.5.1.4.1.1.2',
      SOPInstanceUID: inst.sopInstanceUid,
      StudyInstanceUID: source.studyInstanceUid,
      SeriesInstanceUID: source.seriesInstanceUid,
      FrameOfReferenceUID: source.frameOfReferenceUid ?? undefined,
      Modality: source.modality ?? 'CT',
      Rows: volume.height,
      Columns: volume.width,
      ImagePositionPatient: inst.imagePosition,
      ImageOrientationPatient: orientation,
      PixelSpacing: source.pixelSpacing,
      SliceThickness: source.sliceThickness ?? undefined,
      BitsAllocated: 16,
      PixelRepresentation: 1,
      PixelData: new ArrayBuffer(0),
      PatientName: source.patient?.name ?? '',
      PatientID: source.patient?.id ?? '',
      PatientBirthDate: source.patient?.birthDate ?? '',
      PatientSex: source.patient?.sex ?? '',
      StudyDate: source.study?.date ?? '',
      StudyTime: source.study?.time ?? '',
      StudyID: source.study?.id ?? '',
      AccessionNumber: source.study?.accessionNumber ?? '',
      ReferringPhysicianName: source.study?.referringPhysicianName ?? '',
    });
  }
  if (datasets.length < 2) throw new VolumeExportError(`study ${volume.scanKey}: a DICOM-SEG needs at least two source slices with positions`);
  const multiframe = dcmjs.normalizers.Normalizer.normalizeToDataset(datasets);
  if (!multiframe) throw new VolumeExportError(`study ${volume.scanKey}: dcmjs cannot normalise SOP class ${String(datasets[0].SOPClassUID)}`);
  // dcmjs orders the frames along the slice normal: find each source instance's frame number.
  const referenced = (multiframe.ReferencedSeriesSequence as { ReferencedInstanceSequence: { ReferencedSOPInstanceUID: string }[] }).ReferencedInstanceSequence;
  const frameOfIndex = new Map(referenced.map((r, f) => [indexOfSop.get(r.ReferencedSOPInstanceUID)!, f + 1]));

  const seg = new dcmjs.derivations.Segmentation([multiframe], {
    includeSliceSpacing: true,
    SeriesDescription: options.seriesDescription ?? `CT-Mask Studio GGO/C labels of ${source.seriesDescription ?? volume.scanKey}`.slice(0, 64),
    SeriesNumber: '9901',
    Manufacturer: 'CT-Mask Studio',
    ManufacturerModelName: 'CT-Mask Studio',
    SoftwareVersions: '1',
    ContentCreatorName: options.contentCreatorName ?? 'CT-Mask Studio',
    ContentLabel: 'GGO_C',
    ContentDescription: 'Ground-glass opacity and consolidation',
  });
  const perSegment = SEG_SEGMENTS.map((s) => {
    const present = volume.slices.filter((slice) => frameOfIndex.has(slice.index) && slice.labels.includes(s.label));
    return { s, maps: present.map((slice) => slice.labels), frames: present.map((slice) => frameOfIndex.get(slice.index)!) };
  });
  const missingSource = volume.slices.filter((slice) => !frameOfIndex.has(slice.index) && slice.labels.some((v) => v > 0));
  if (missingSource.length) throw new VolumeExportError(`study ${volume.scanKey}: labelled slices ${missingSource.map((x) => x.index).join(', ')} have no source instance with a position`);
  const frames = perSegment.reduce((n, p) => n + p.frames.length, 0);
  if (frames === 0) throw new VolumeExportError(`study ${volume.scanKey} has no GGO or consolidation labels to export`);
  seg.setNumberOfFrames(frames);
  for (const { s, maps, frames } of perSegment) {
    const { rgb, ...meta } = s.meta as Dataset & { rgb: number[] };
    const segment = { ...meta, SegmentAlgorithmType: 'MANUAL', RecommendedDisplayCIELabValue: dcmjs.data.Colors.rgb82DICOMLAB(rgb).map(Math.round) };
    seg.addSegmentFromLabelmap(segment, maps, s.label, frames);
  }
  seg.bitPackPixelData();
  const ds = seg.dataset;
  return {
    bytes: dcmjs.data.datasetToBuffer(ds),
    sopInstanceUid: String(ds.SOPInstanceUID),
    seriesInstanceUid: String(ds.SeriesInstanceUID),
    studyInstanceUid: source.studyInstanceUid,
    frames: Number(ds.NumberOfFrames),
  };
}
