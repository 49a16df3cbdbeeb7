import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { canonicalClassList, classAliasesSchema, classResolver, DEFAULT_CLASS_ALIASES, knownClassNames } from './aliases';

const problems = (value: unknown) => {
  const r = classAliasesSchema.safeParse(value);
  return r.success ? [] : r.error.issues.map((i) => i.message);
};

describe('the default aliases', () => {
  it('are a valid map that merges the COVID names and the non-COVID names, and keeps CP apart', () => {
    expect(problems(DEFAULT_CLASS_ALIASES)).toEqual([]);
    const resolve = classResolver(DEFAULT_CLASS_ALIASES);
    expect(['COVID-19', 'covid', 'SARS-CoV-2', 'sars-cov-2', 'COVID'].map(resolve)).toEqual(['COVID', 'COVID', 'COVID', 'COVID', 'COVID']);
    expect(['Normal', 'NORMAL', 'non-COVID', 'Non-Covid', 'NonCOVID'].map(resolve)).toEqual(Array(5).fill('non-COVID'));
    expect(['CP', 'Pneumonia'].map(resolve)).toEqual(['CP', 'Pneumonia']);
  });
});

describe('classResolver', () => {
  it('maps aliases in any case, gives a canonical name its own spelling, and leaves other names alone', () => {
    const resolve = classResolver({ Pneumonia: 'CP', 'COVID-19': 'COVID' });
    expect(resolve('pneumonia')).toBe('CP');
    expect(resolve('cp')).toBe('CP');
    expect(resolve('covid')).toBe('COVID');
    expect(resolve('Other')).toBe('Other');
    expect(classResolver({})('COVID-19')).toBe('COVID-19');
  });
});

describe('canonicalClassList', () => {
  it('gives each class once, in the order first met, under its canonical name', () => {
    const resolve = classResolver(DEFAULT_CLASS_ALIASES);
    expect(canonicalClassList(['Normal', 'CP', 'COVID-19', 'COVID', 'non-COVID'], resolve)).toEqual(['non-COVID', 'CP', 'COVID']);
  });
});

describe('knownClassNames', () => {
  it('lists aliases and canonical names once each', () => {
    expect(knownClassNames({ a: 'X', b: 'X', c: 'Y' })).toEqual(['a', 'b', 'c', 'X', 'Y']);
  });
});

describe('classAliasesSchema', () => {
  it('accepts an empty map and a map to any new class', () => {
    expect(problems({})).toEqual([]);
    expect(problems({ Pneumonia: 'CP', 'Common pneumonia': 'CP' })).toEqual([]);
  });

  it('refuses empty, blank, padded or over-long names and values that are not strings', () => {
    expect(problems({ '': 'COVID' })).toEqual(['an alias is empty']);
    expect(problems({ x: '' })).toEqual(['a class name is empty']);
    expect(problems({ x: '   ' })).toContain('a class name is blank');
    expect(problems({ ' x': 'COVID' })).toEqual(['an alias starts or ends with a space']);
    expect(problems({ x: 'C'.repeat(65) })).toEqual(['a class name is longer than 64 characters']);
    expect(problems({ x: 'C'.repeat(64) })).toEqual([]);
    expect(problems({ x: 3 })).toHaveLength(1);
    expect(problems(['COVID'])).toHaveLength(1);
    expect(problems(null)).toHaveLength(1);
  });

  it('refuses an alias of itself, in any case', () => {
    expect(problems({ COVID: 'COVID' })).toEqual(['"COVID" maps to itself (matching ignores case, so it needs no alias)']);
    expect(problems({ covid: 'COVID' })).toHaveLength(1);
  });

  it('refuses cycles and chains, saying which name to use', () => {
    expect(problems({ a: 'b', b: 'a' })).toEqual(['"a" and "b" map to each other: choose which of them is the class']);
    expect(problems({ 'COVID-19': 'covid', Covid: 'SARS' })).toEqual(['"COVID-19" maps to "covid", which is itself an alias of "SARS": map "COVID-19" to "SARS"']);
    expect(problems({ a: 'b', b: 'c', c: 'a' })).toHaveLength(3);
  });

  it('refuses an alias listed twice in different case, and classes spelt two ways', () => {
    expect(problems({ 'COVID-19': 'COVID', 'covid-19': 'COVID' })).toEqual(['"covid-19" is listed twice (also as "COVID-19"; matching ignores case)']);
    expect(problems({ a: 'COVID', b: 'Covid' })).toEqual(['the classes "COVID" and "Covid" differ only in case: spell them the same']);
  });

  it('refuses more than 200 aliases', () => {
    const many = Object.fromEntries(Array.from({ length: 201 }, (_, i) => [`a${i}`, 'X']));
    expect(problems(many)).toEqual(['at most 200 aliases']);
  });

  it('speaks readable messages through zod', () => {
    const r = classAliasesSchema.safeParse({ a: 'b', b: 'a' });
    expect(r.success).toBe(false);
    expect(z.prettifyError(r.error!)).toMatch(/map to each other/);
  });
});
