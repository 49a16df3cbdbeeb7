import { describe, expect, it } from 'vitest';
import { DEFAULT_CLASS_ALIASES } from './aliases';
import { formatAliasLines, parseAliasLines } from './aliasText';

describe('alias lines', () => {
  it('read back what they write', () => {
    expect(formatAliasLines({ 'COVID-19': 'COVID', Normal: 'non-COVID' })).toBe('COVID-19 = COVID\nNormal = non-COVID');
    expect(parseAliasLines(formatAliasLines(DEFAULT_CLASS_ALIASES))).toEqual({ ok: true, aliases: DEFAULT_CLASS_ALIASES });
  });

  it('ignore blank lines, comments and spaces around names; an empty text is an empty map', () => {
    expect(parseAliasLines('\n# merged by hand\n  Pneumonia   =  CP \r\n\n')).toEqual({ ok: true, aliases: { Pneumonia: 'CP' } });
    expect(parseAliasLines('')).toEqual({ ok: true, aliases: {} });
  });

  it('name the line that is wrong', () => {
    expect(parseAliasLines('a = b\nCOVID-19 COVID')).toEqual({ ok: false, error: 'line 2: write "alias = class", got "COVID-19 COVID"' });
    expect(parseAliasLines('a = \n')).toEqual({ ok: false, error: 'line 1: both the alias and the class are needed' });
    expect(parseAliasLines('a = b\n\na = c')).toEqual({ ok: false, error: 'line 3: "a" is already on line 1' });
  });
});
