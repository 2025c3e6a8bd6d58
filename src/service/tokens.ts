// Credentials tokens: generation, hashing (only hashes are stored), and decoding of the Authorization header.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * A new token: 32 random bytes as URL-safe Base64 (printable ASCII, OCPI 2.2.1 §7.3.1 string(64)),
 * starting with a letter or digit so it never looks like a command-line option when pasted.
 */
export function generateToken(): string {
  for (;;) {
    const token = randomBytes(32).toString('base64url');
    if (/^[A-Za-z0-9]/.test(token)) return token;
  }
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function hashesEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * The token candidates an `Authorization` header carries, most likely first.
 * OCPI 2.2.1 §4.1.2: `Token <Base64(token)>`; OCPI 2.1.1 peers send the token raw, so both are tried.
 * Returns undefined when the header is missing or not of the form `Token <printable ASCII>`.
 */
export function tokenCandidates(header: string | undefined): string[] | undefined {
  if (!header) return undefined;
  const m = /^Token\s+([\x21-\x7e]{1,512})\s*$/i.exec(header);
  if (!m) return undefined;
  const value = m[1]!;
  const out = [value];
  if (value.length % 4 === 0 && BASE64.test(value)) {
    let decoded = Buffer.from(value, 'base64').toString('utf8');
    // 2.2.1-d2's own examples encode a trailing newline: tolerate one.
    if (decoded.endsWith('\n')) decoded = decoded.slice(0, -1);
    if (/^[\x21-\x7e]+$/.test(decoded) && decoded !== value) out.unshift(decoded);
  }
  return out;
}

export function encodeToken(token: string, encoding: 'raw' | 'base64'): string {
  return encoding === 'base64' ? Buffer.from(token, 'utf8').toString('base64') : token;
}
