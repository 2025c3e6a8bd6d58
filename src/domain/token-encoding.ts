// How a credentials token travels in the `Authorization` header: encoding it for a peer, decoding what a peer sent.
// Pure (no I/O): the outbound client, the services and the CLI share it.
import type { TokenEncoding } from './party.js';
import type { OcpiVersion } from './wire-format.js';

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

/** The `Authorization: Token …` value for `token`: Base64 (OCPI 2.2.1 §4.1.2) or raw (OCPI 2.1.1). */
export function encodeToken(token: string, encoding: TokenEncoding): string {
  return encoding === 'base64' ? Buffer.from(token, 'utf8').toString('base64') : token;
}

/** Default encoding for a version: OCPI 2.2.1 §4.1.2 Base64; 2.1.1 peers expect the raw token. */
export function defaultEncoding(version: OcpiVersion | undefined): TokenEncoding {
  return version === '2.1.1' ? 'raw' : 'base64';
}

/** The encoding to try once when a peer refuses ours (each OCPI version's peers exist that expect the other). */
export function otherEncoding(e: TokenEncoding): TokenEncoding {
  return e === 'raw' ? 'base64' : 'raw';
}
