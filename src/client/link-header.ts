// The HTTP `Link` header (RFC 8288 §3), as OCPI pagination uses it.
//
// OCPI 2.2.1 §4.1.3 (2.1.1 transport_and_format §4.1.3): a paginated response carries
// `Link: <next page URL>; rel="next"` unless it is the last page. Servers in the field vary, so the parser is
// tolerant: several comma-separated links (or several Link headers, which fetch joins with ", "), `rel`
// quoted, unquoted or single-quoted, any letter case, several relation types in one `rel` ("prev next"),
// `rel*=UTF-8''next` (RFC 8187), whitespace inside `<…>` (the spec's own example is wrapped over two lines),
// and a reference that is relative to the request URL (RFC 8288 §3.2, RFC 3986 §5).

export interface LinkValue {
  /** The target, resolved against the request URL. */
  href: string;
  /** Relation types, lower-cased (RFC 8288 §2.1.1: registered types compare case-insensitively). */
  rels: string[];
  /** Target attributes (lower-cased names; the first occurrence of each wins, RFC 8288 §3.4). */
  params: Record<string, string>;
}

const WS = new Set([' ', '\t', '\r', '\n']);

/** Parses every link of a Link header value. Links whose target cannot be resolved are left out. */
export function parseLinkHeader(value: string | null | undefined, base: string): LinkValue[] {
  if (!value) return [];
  const out: LinkValue[] = [];
  const s = value;
  let i = 0;
  const skipWs = () => {
    while (i < s.length && WS.has(s[i]!)) i++;
  };
  while (i < s.length) {
    while (i < s.length && (WS.has(s[i]!) || s[i] === ',')) i++;
    if (i >= s.length) break;
    let ref: string;
    if (s[i] === '<') {
      const end = s.indexOf('>', i + 1);
      if (end < 0) break; // unterminated: nothing usable follows
      ref = s.slice(i + 1, end);
      i = end + 1;
    } else {
      // Not RFC 8288, but seen in the field: a bare URL up to the first ';' (or ',').
      const start = i;
      while (i < s.length && s[i] !== ';' && s[i] !== ',') i++;
      ref = s.slice(start, i);
    }
    const params: Record<string, string> = {};
    for (;;) {
      skipWs();
      if (s[i] !== ';') break;
      i++;
      skipWs();
      const nameStart = i;
      while (i < s.length && !WS.has(s[i]!) && s[i] !== '=' && s[i] !== ';' && s[i] !== ',') i++;
      const name = s.slice(nameStart, i).toLowerCase();
      skipWs();
      let val = '';
      if (s[i] === '=') {
        i++;
        skipWs();
        const q = s[i];
        if (q === '"' || q === "'") {
          // RFC 7230 quoted-string (with \-escapes); single quotes are not RFC, but tolerated.
          i++;
          while (i < s.length && s[i] !== q) {
            if (s[i] === '\\' && q === '"' && i + 1 < s.length) i++;
            val += s[i];
            i++;
          }
          i++; // closing quote
        } else {
          const start = i;
          while (i < s.length && s[i] !== ';' && s[i] !== ',' && !WS.has(s[i]!)) i++;
          val = s.slice(start, i);
        }
      }
      if (name.endsWith('*')) {
        // RFC 8187 ext-value: charset'language'pct-encoded
        const plain = name.slice(0, -1);
        const m = /^[^']*'[^']*'(.*)$/.exec(val);
        let decoded = m ? m[1]! : val;
        try {
          decoded = decodeURIComponent(decoded);
        } catch {
          /* keep as is */
        }
        if (name && !(plain in params)) params[plain] = decoded;
      } else if (name && !(name in params)) {
        params[name] = val;
      }
    }
    // Anything else up to the next link is garbage: skip it.
    while (i < s.length && s[i] !== ',') i++;
    const href = resolve(ref.replace(/\s+/g, ''), base);
    if (href === undefined) continue;
    const rels = (params.rel ?? '')
      .split(/\s+/)
      .filter((r) => r !== '')
      .map((r) => r.toLowerCase());
    out.push({ href, rels, params });
  }
  return out;
}

/** The target of the first link with relation type `next`, resolved; undefined when there is none. */
export function nextLink(value: string | null | undefined, base: string): string | undefined {
  return parseLinkHeader(value, base).find((l) => l.rels.includes('next'))?.href;
}

function resolve(ref: string, base: string): string | undefined {
  try {
    return new URL(ref, base).toString();
  } catch {
    return undefined;
  }
}
