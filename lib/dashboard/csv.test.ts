import { describe, expect, it } from 'vitest';
import { parseCsv } from '@/lib/import/sliceClasses';
import { csvCell, toCsv } from './csv';

describe('csvCell', () => {
  it('quotes fields with commas, quotes or line breaks and doubles inner quotes', () => {
    expect(csvCell('GGO, C')).toBe('"GGO, C"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('plain')).toBe('plain');
  });

  it('writes numbers as they are, and null, undefined and non-finite numbers as empty fields', () => {
    expect(csvCell(0.7654)).toBe('0.7654');
    expect(csvCell(-3)).toBe('-3');
    expect(csvCell(true)).toBe('true');
    expect([null, undefined, NaN, Infinity].map(csvCell)).toEqual(['', '', '', '']);
  });

  it('defuses spreadsheet formulas in text but leaves negative numbers written as text alone', () => {
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell('@sum')).toBe("'@sum");
    expect(csvCell('-0.25')).toBe('-0.25');
  });
});

describe('toCsv', () => {
  it('writes the header from the column labels and the rows in column order, CRLF-terminated', () => {
    const csv = toCsv({ columns: [{ key: 'b', label: 'Second, really' }, { key: 'a', label: 'A' }], rows: [{ a: 1, b: 'x' }, { a: null, b: 'q"uote' }] });
    expect(csv).toBe('"Second, really",A\r\nx,1\r\n"q""uote",\r\n');
  });

  it('round-trips through the project CSV reader', () => {
    const rows = [{ who: 'Ada, "the" annotator', dice: 0.5 }, { who: 'multi\r\nline', dice: null }];
    const parsed = parseCsv(toCsv({ columns: [{ key: 'who', label: 'who' }, { key: 'dice', label: 'dice' }], rows }));
    expect(parsed).toEqual([['who', 'dice'], ['Ada, "the" annotator', '0.5'], ['multi\r\nline', '']]);
  });
});
