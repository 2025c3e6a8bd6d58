// RFC 8288 Link parsing as OCPI pagination needs it, and the small pure parts of the crawler and retry policy.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { nextLink, parseLinkHeader } from '../../src/client/link-header.js';
import { offsetOf, withOffset } from '../../src/client/crawler.js';
import { readEnvelope } from '../../src/client/envelope.js';
import { backoffDelay, parseRetryAfter } from '../../src/client/transport.js';
import { isEndpointUrl, versionInPath } from '../../src/client/discovery.js';

const BASE = 'https://cpo.example.com/ocpi/cpo/2.2.1/sessions?date_from=2025-01-01T00:00:00Z&limit=50';

describe('Link header (RFC 8288)', () => {
  const cases: Array<[string, string, string | undefined]> = [
    [
      'the OCPI form',
      '<https://x.example/s?offset=50&limit=50>; rel="next"',
      'https://x.example/s?offset=50&limit=50',
    ],
    ['rel unquoted', '<https://x.example/s?offset=2>; rel=next', 'https://x.example/s?offset=2'],
    [
      'rel in capitals, spaces around ; and =',
      '<https://x.example/s?offset=2> ;REL = "NEXT"',
      'https://x.example/s?offset=2',
    ],
    ['rel single-quoted', "<https://x.example/s?offset=2>; rel='next'", 'https://x.example/s?offset=2'],
    ['no space after ;', '<https://x.example/s?offset=2>;rel="next"', 'https://x.example/s?offset=2'],
    ['several rel values', '<https://x.example/s?offset=2>; rel="last next"', 'https://x.example/s?offset=2'],
    [
      'several links, next not first, a comma inside another URL',
      '<https://x.example/s?ids=1,2>; rel="prev", <https://x.example/s?offset=4>; rel="next", <https://x.example/s?offset=90>; rel="last"',
      'https://x.example/s?offset=4',
    ],
    [
      'two Link headers joined by fetch',
      '<https://x.example/first>; rel="first", <https://x.example/s?offset=3>; rel="next"',
      'https://x.example/s?offset=3',
    ],
    [
      'other parameters before rel',
      '<https://x.example/s?offset=2>; title="page 2; of 9"; rel="next"',
      'https://x.example/s?offset=2',
    ],
    [
      "rel*=UTF-8''next (RFC 8187)",
      "<https://x.example/s?offset=2>; rel*=UTF-8''next",
      'https://x.example/s?offset=2',
    ],
    [
      'relative path-absolute reference',
      '</ocpi/cpo/2.2.1/sessions?offset=50&limit=50>; rel="next"',
      'https://cpo.example.com/ocpi/cpo/2.2.1/sessions?offset=50&limit=50',
    ],
    [
      'relative query-only reference',
      '<?offset=50&limit=50>; rel="next"',
      'https://cpo.example.com/ocpi/cpo/2.2.1/sessions?offset=50&limit=50',
    ],
    [
      'relative path reference',
      '<sessions?offset=7>; rel="next"',
      'https://cpo.example.com/ocpi/cpo/2.2.1/sessions?offset=7',
    ],
    [
      'whitespace inside <> (the spec example wrapped over two lines)',
      '<https://x.example/s?offset=100\n   &limit=100>; rel="next"',
      'https://x.example/s?offset=100&limit=100',
    ],
    [
      'a bare URL without <> (seen in the field)',
      'https://x.example/s?offset=2; rel="next"',
      'https://x.example/s?offset=2',
    ],
    ['no next link', '<https://x.example/s?offset=0>; rel="prev"', undefined],
    ['rel "nextpage" is not next', '<https://x.example/s?offset=2>; rel="nextpage"', undefined],
    ['empty header', '', undefined],
    ['garbage', ';;;,,, rel=next', undefined],
  ];
  for (const [name, header, expected] of cases) {
    it(name, () => assert.equal(nextLink(header, BASE), expected));
  }

  it('returns every link with its relation types and parameters', () => {
    const links = parseLinkHeader('<a?x=1>; rel="prev first"; title="A", <b>; REL=Next; type=json', BASE);
    assert.deepEqual(links, [
      {
        href: 'https://cpo.example.com/ocpi/cpo/2.2.1/a?x=1',
        rels: ['prev', 'first'],
        params: { rel: 'prev first', title: 'A' },
      },
      {
        href: 'https://cpo.example.com/ocpi/cpo/2.2.1/b',
        rels: ['next'],
        params: { rel: 'Next', type: 'json' },
      },
    ]);
  });

  it('keeps the first rel when a link repeats it (RFC 8288 §3.3)', () => {
    assert.equal(nextLink('<https://x.example/a>; rel="prev"; rel="next"', BASE), undefined);
  });
});

describe('crawler offset handling (the shrinking-count correction)', () => {
  it('reads and replaces only the offset value, leaving the rest of the URL as the server wrote it', () => {
    const url = 'https://x.example/s?date_from=2025-01-01T00%3A00%3A00Z&custom=a+b&offset=150&limit=50';
    assert.equal(offsetOf(url), 150);
    assert.equal(
      withOffset(url, 149),
      'https://x.example/s?date_from=2025-01-01T00%3A00%3A00Z&custom=a+b&offset=149&limit=50',
    );
    assert.equal(withOffset('https://x.example/s?offset=3', 2), 'https://x.example/s?offset=2');
    assert.equal(offsetOf('https://x.example/s?my_offset=3&limit=2'), undefined);
    assert.equal(offsetOf('https://x.example/s'), undefined);
  });
});

describe('retry policy', () => {
  it('Retry-After: delay-seconds and HTTP-date (RFC 9110 §10.2.3)', () => {
    const now = Date.UTC(2025, 0, 1, 12, 0, 0);
    assert.equal(parseRetryAfter('3', now), 3000);
    assert.equal(parseRetryAfter(' 0 ', now), 0);
    assert.equal(parseRetryAfter('Wed, 01 Jan 2025 12:00:07 GMT', now), 7000);
    assert.equal(parseRetryAfter('Wed, 01 Jan 2025 11:00:00 GMT', now), 0); // in the past: now
    assert.equal(parseRetryAfter('soon', now), undefined);
    assert.equal(parseRetryAfter(null, now), undefined);
  });

  it('full jitter within a doubling ceiling, capped', () => {
    const policy = { retries: 10, baseMs: 100, maxMs: 1000, budgetMs: 60_000 };
    assert.equal(
      backoffDelay(0, policy, () => 0.999999),
      99,
    );
    assert.equal(
      backoffDelay(2, policy, () => 0.5),
      200,
    );
    assert.equal(
      backoffDelay(9, policy, () => 0.999999),
      999,
    ); // capped at maxMs
    assert.equal(
      backoffDelay(50, policy, () => 0),
      0,
    );
    for (let a = 0; a < 12; a++) {
      const d = backoffDelay(a, policy);
      assert.ok(d >= 0 && d < Math.min(1000, 100 * 2 ** a), `attempt ${a}: ${d}`);
    }
  });

  it('reads the envelope in both key styles', () => {
    assert.deepEqual(readEnvelope({ data: [1], status_code: 1000, status_message: 'ok', timestamp: 'x' }), {
      data: [1],
      statusCode: 1000,
      statusMessage: 'ok',
      style: 'ocpi',
    });
    assert.deepEqual(readEnvelope({ data: [], statusCode: 1000, statusMessage: 'Success' }), {
      data: [],
      statusCode: 1000,
      statusMessage: 'Success',
      style: 'camel',
    });
    assert.equal(readEnvelope([1, 2]), undefined);
    assert.equal(readEnvelope('x'), undefined);
  });
});

describe('discovery URL shapes', () => {
  it('takes a URL whose path ends with /sessions directly and reads its version from the path', () => {
    assert.equal(isEndpointUrl('https://x.example/ocpi/cpo/2.1.1/sessions', 'sessions'), true);
    assert.equal(isEndpointUrl('https://x.example/ocpi/cpo/2.1.1/sessions/?limit=5', 'sessions'), true);
    assert.equal(isEndpointUrl('https://x.example/ocpi/versions', 'sessions'), false);
    assert.equal(isEndpointUrl('https://x.example/ocpi/cpo/2.2.1', 'sessions'), false);
    assert.equal(versionInPath('https://x.example/ocpi/cpo/2.1.1/sessions'), '2.1.1');
    assert.equal(versionInPath('https://x.example/ocpi/2.2.1/sessions'), '2.2.1');
    assert.equal(versionInPath('https://x.example/sessions'), undefined);
  });
});
