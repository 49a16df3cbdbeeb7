import { describe, expect, it } from 'vitest';
import { open, seal, SecretBoxError } from './secretBox';

describe('secretBox', () => {
  const secret = 'test-secret-0123456789';

  it('opens what it sealed, and never stores the plaintext', () => {
    const sealed = seal('orthanc:p4ssw0rd', secret);
    expect(sealed).not.toContain('p4ssw0rd');
    expect(sealed.startsWith('v1:')).toBe(true);
    expect(open(sealed, secret)).toBe('orthanc:p4ssw0rd');
  });

  it('seals the same text differently each time (fresh IV)', () => {
    expect(seal('token', secret)).not.toBe(seal('token', secret));
  });

  it('refuses another app secret and any altered byte', () => {
    const sealed = seal('token-abc', secret);
    expect(() => open(sealed, 'another-secret')).toThrow(SecretBoxError);
    const parts = sealed.split(':');
    const body = Buffer.from(parts[3], 'base64url');
    body[0] ^= 1;
    expect(() => open([...parts.slice(0, 3), body.toString('base64url')].join(':'), secret)).toThrow(/altered/);
    expect(() => open('plain-text', secret)).toThrow(/format/);
  });
});
