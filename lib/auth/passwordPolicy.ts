/**
 * What a password must be (OWASP ASVS 4 level 1, V2.1): at least 12 characters, at most 64 (and 72 bytes, where
 * bcrypt would silently ignore the rest), not one of the ~50,000 most common passwords (the list zxcvbn-ts ships in
 * @zxcvbn-ts/language-common), not the account's e-mail address or its name part, and not one character repeated.
 * Nothing is trimmed or truncated: what the user typed is what is checked and hashed.
 */
import { dictionary } from '@zxcvbn-ts/language-common';

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 64;
/** bcrypt hashes only the first 72 bytes; longer input would be accepted but partly ignored. */
export const MAX_PASSWORD_BYTES = 72;

const common = new Set((dictionary as Record<string, string[]>)['passwords-common']);

/** Why `password` is not acceptable (for the account `email`), or null. */
export function passwordProblem(password: string, email?: string): string | null {
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH) return `the password must have at least ${MIN_PASSWORD_LENGTH} characters (it has ${length})`;
  if (length > MAX_PASSWORD_LENGTH) return `the password must have at most ${MAX_PASSWORD_LENGTH} characters (it has ${length})`;
  if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) return `the password must fit in ${MAX_PASSWORD_BYTES} bytes (accented letters and symbols take several); use fewer of them`;
  const lower = password.toLowerCase();
  if (common.has(lower) || common.has(lower.trim())) return 'this password is among the most common ones and is guessed first: choose another';
  if (new Set(lower).size < 4) return 'the password repeats too few different characters: choose a longer phrase';
  if (email) {
    const address = email.trim().toLowerCase();
    const local = address.split('@')[0];
    if (lower.includes(address) || (local.length >= 4 && lower.includes(local))) return 'the password must not contain your e-mail address or its name part';
  }
  return null;
}
