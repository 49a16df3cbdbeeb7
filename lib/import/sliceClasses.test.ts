import { describe, expect, it } from 'vitest';
import { classFromCsv, classFromFolder, parseCsv, parseLabelsCsv, stem } from './sliceClasses';

describe('parseCsv', () => {
  it('handles quotes, doubled quotes, commas in quotes, CRLF, a BOM and blank lines', () => {
    expect(parseCsv('\uFEFFfile,class\r\n"a, b.png","say ""hi"""\n\nc.png,COVID')).toEqual([
      ['file', 'class'],
      ['a, b.png', 'say "hi"'],
      ['c.png', 'COVID'],
    ]);
  });
  it('rejects an unterminated quote', () => {
    expect(() => parseCsv('file,class\n"a.png,COVID\n')).toThrow(/unterminated/);
  });
});

describe('parseLabelsCsv', () => {
  it('maps files to classes whatever the column order, ignoring other columns', () => {
    const m = parseLabelsCsv('note,Class,FILE\nx, COVID ,./dir/a.png\ny,Normal,b.png\n', 'l.csv');
    expect([...m]).toEqual([
      ['dir/a.png', 'COVID'],
      ['b.png', 'Normal'],
    ]);
  });
  it('names the CSV and line for empty values, missing columns and contradictions', () => {
    expect(() => parseLabelsCsv('', '/x/l.csv')).toThrow(/^l\.csv: labels CSV is empty/);
    expect(() => parseLabelsCsv('file,klass\na,b\n', 'l.csv')).toThrow(/must name the columns "file" and "class"/);
    expect(() => parseLabelsCsv('file,class\na.png,COVID\n,Normal\n', 'l.csv')).toThrow(/^l\.csv: line 3: file is empty/);
    expect(() => parseLabelsCsv('file,class\na.png,COVID\na.png,Normal\n', 'l.csv')).toThrow(/line 3: "a\.png" is labelled both "COVID" and "Normal"/);
  });
});

describe('class lookup', () => {
  const labels = new Map([
    ['sub/1.png', 'COVID'],
    ['2.png', 'Normal'],
    ['3', 'CP'],
    ['series-a', 'COVID'],
  ]);
  it('tries the relative path, base name, stem, then extra keys', () => {
    expect(classFromCsv(labels, '/d/sub/1.png', ['/d'])).toBe('COVID');
    expect(classFromCsv(labels, '/d/other/2.png', ['/d'])).toBe('Normal');
    expect(classFromCsv(labels, '/d/3.jpg', ['/d'])).toBe('CP');
    expect(classFromCsv(labels, '/d/series-a/x.dcm', ['/d'], ['series-a'])).toBe('COVID');
    expect(classFromCsv(labels, '/d/4.png', ['/d'])).toBeUndefined();
  });
  it('takes a class from a class-named parent folder, spelt as configured', () => {
    expect(classFromFolder('/d/covid/1.png')).toBe('COVID');
    expect(classFromFolder('/d/Non-COVID/1.png')).toBe('non-COVID');
    expect(classFromFolder('/d/images/1.png')).toBeUndefined();
    expect(classFromFolder('/d/viral/1.png', ['Viral'])).toBe('Viral');
  });
  it('stem strips one extension, or .nii.gz', () => {
    expect([stem('/a/0001.png'), stem('vol.nii.gz'), stem('x.y.dcm')]).toEqual(['0001', 'vol', 'x.y']);
  });
});
