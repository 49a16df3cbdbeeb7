import bcrypt from 'bcryptjs';

// Cost 10 keeps a login under ~100 ms on one core while staying well above brute-force comfort.
const BCRYPT_COST = 10;

export function hashPassword(password: string): Promise<string> {
  return bcrypt.hash(password, BCRYPT_COST);
}

export function verifyPassword(password: string, hash: string): Promise<boolean> {
  return bcrypt.compare(password, hash);
}

// A hash of nothing anyone can type, at the same cost: checking a password for an unknown account compares against
// it, so unknown and known accounts take the same time to answer.
let dummyHash: Promise<string> | undefined;
export function verifyAgainstNobody(password: string): Promise<boolean> {
  dummyHash ??= bcrypt.hash(`\u0000no-account-${Math.random()}`, BCRYPT_COST);
  return dummyHash.then((hash) => bcrypt.compare(password, hash)).then(() => false);
}
