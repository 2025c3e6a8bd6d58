// Credentials tokens: generation and hashing (only hashes are stored). How a token travels in the Authorization
// header (encoding, decoding) is domain/token-encoding.ts.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** The secret of an `Authorization: Bearer <secret>` header (printable ASCII, at most 512 characters), if it is one. */
export function bearerSecret(header: string | undefined): string | undefined {
  const m = header === undefined ? null : /^Bearer\s+([\x21-\x7e]{1,512})\s*$/i.exec(header);
  return m ? m[1] : undefined;
}

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
