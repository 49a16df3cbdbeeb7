"""Independent readers for the export tests: pydicom reads a DICOM-SEG, nibabel a NIfTI file (Debian's
python3-pydicom and python3-nibabel, not the app's own code). Prints one JSON object on stdout and writes the voxels
as raw uint8 / int16 little-endian to the file named by the last argument, so the TypeScript test compares them with
the app's rasterised polygons.

  independent_readers.py seg   <file.dcm>     <out.raw>  frames (n, rows, cols) as uint8 0/1, with per-frame metadata
  independent_readers.py nifti <file.nii.gz>  <out.raw>  voxels in (k, j, i) order: slice k's rows, row-major
"""
import json
import sys

import numpy as np


def read_seg(path, out):
    import pydicom

    ds = pydicom.dcmread(path)
    frames = np.asarray(ds.pixel_array, dtype=np.uint8)
    if frames.ndim == 2:
        frames = frames[np.newaxis]
    per_frame = []
    for item in ds.PerFrameFunctionalGroupsSequence:
        source = item.DerivationImageSequence[0].SourceImageSequence[0]
        per_frame.append({
            "segment": int(item.SegmentIdentificationSequence[0].ReferencedSegmentNumber),
            "sourceSopInstanceUid": str(source.ReferencedSOPInstanceUID),
            "position": [float(v) for v in item.PlanePositionSequence[0].ImagePositionPatient],
        })
    segments = [{
        "number": int(s.SegmentNumber),
        "label": str(s.SegmentLabel),
        "category": str(s.SegmentedPropertyCategoryCodeSequence[0].CodeMeaning),
        "type": str(s.SegmentedPropertyTypeCodeSequence[0].CodeMeaning),
        "typeCode": f"{s.SegmentedPropertyTypeCodeSequence[0].CodingSchemeDesignator}:{s.SegmentedPropertyTypeCodeSequence[0].CodeValue}",
    } for s in ds.SegmentSequence]
    referenced = ds.ReferencedSeriesSequence[0]
    frames.astype(np.uint8).tofile(out)
    return {
        "sopClassUid": str(ds.SOPClassUID),
        "modality": str(ds.Modality),
        "segmentationType": str(ds.SegmentationType),
        "rows": int(ds.Rows),
        "columns": int(ds.Columns),
        "frames": int(frames.shape[0]),
        "studyInstanceUid": str(ds.StudyInstanceUID),
        "patientId": str(ds.PatientID),
        "frameOfReferenceUid": str(ds.get("FrameOfReferenceUID", "")),
        "referencedSeriesInstanceUid": str(referenced.SeriesInstanceUID),
        "referencedInstances": [str(i.ReferencedSOPInstanceUID) for i in referenced.ReferencedInstanceSequence],
        "segments": segments,
        "perFrame": per_frame,
    }


def read_nifti(path, out):
    import nibabel as nib

    img = nib.load(path)
    data = np.asarray(img.dataobj)
    dtype = np.int16 if np.issubdtype(data.dtype, np.signedinteger) else np.uint8
    np.ascontiguousarray(data.transpose(2, 1, 0)).astype("<" + np.dtype(dtype).str[1:]).tofile(out)
    return {
        "shape": [int(d) for d in data.shape],
        "dtype": str(data.dtype),
        "affine": img.affine.tolist(),
        "qform": img.get_qform().tolist(),
        "sform": img.get_sform().tolist(),
        "zooms": [float(z) for z in img.header.get_zooms()],
        "axcodes": list(nib.aff2axcodes(img.affine)),
    }


if __name__ == "__main__":
    kind, path, out = sys.argv[1:4]
    print(json.dumps(read_seg(path, out) if kind == "seg" else read_nifti(path, out)))
