import { describe, expect, it } from 'vitest';
import { safeCallbackPath } from './callbackUrl';

describe('callback URLs after sign-in', () => {
  it.each([
    '/\\127.0.0.1:3301/x', // the report of issue 11: browsers read it as //127.0.0.1:3301/x
    '/\t/evil.example/x',
    '/\n/evil.example',
    '//evil.example',
    '/\\/evil.example',
    'https://evil.example/',
    'javascript:alert(1)',
    '',
    'slices',
  ])('sends %j to the default page', (raw) => {
    expect(safeCallbackPath(raw)).toBe('/slices');
  });

  it('keeps a path of the app, normalised', () => {
    expect(safeCallbackPath('/annotate/abc?x=1#y')).toBe('/annotate/abc?x=1#y');
    expect(safeCallbackPath('/a/../review')).toBe('/review');
  });
});
