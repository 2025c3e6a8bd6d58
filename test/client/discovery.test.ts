// The one version discovery (src/client/discovery.ts) for modules other than the pull's sessions SENDER, against
// the fake peer over loopback (test/support/peer.ts), reading through the pull's client: the three URL shapes,
// the role rule (2.2.1 §6.2.2; 2.1.1 endpoints have none), the whole endpoint list, and what it cannot use.
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { OcpiVersion } from '../../src/domain/wire-format.js';
import {
  discoverEndpoint,
  discoverVersion,
  DiscoveryError,
  type ReadDocument,
} from '../../src/client/discovery.js';
import { OcpiClient } from '../../src/client/transport.js';
import { startPeer, type Peer, type PeerOptions } from '../support/peer.js';

const open: Peer[] = [];
afterEach(async () => {
  while (open.length > 0) await open.pop()!.close();
});

async function peer(options: Partial<PeerOptions> = {}): Promise<Peer> {
  const p = await startPeer({ token: 'tok', ...options });
  open.push(p);
  return p;
}

/** A reader through the pull's client that records what it was asked (the URL and the chosen version). */
function reader() {
  const http = new OcpiClient({ token: 'tok', encoding: 'base64' });
  const reads: Array<[string, OcpiVersion | undefined]> = [];
  const read: ReadDocument = async (url, chosen) => {
    reads.push([new URL(url).pathname, chosen]);
    const res = await http.get(url);
    return { url: res.url, data: res.envelope.data };
  };
  return { read, reads };
}

describe('discoverEndpoint for any module', () => {
  it('from a versions URL: the highest version, then the endpoint of that identifier and role', async () => {
    const p = await peer();
    const { read, reads } = reader();
    const found = await discoverEndpoint(read, p.versionsUrl, { identifier: 'sessions', role: 'RECEIVER' });
    assert.deepEqual(found, {
      url: `${p.url}/ocpi/emsp-side/2.2.1/sessions`,
      version: '2.2.1',
      via: 'versions',
    });
    assert.deepEqual(reads, [
      ['/ocpi/versions', undefined],
      ['/ocpi/2.2.1', '2.2.1'],
    ]);
  });

  it('OCPI 2.1.1 endpoints have no role: one fits the role asked for', async () => {
    const p = await peer();
    const { read } = reader();
    const found = await discoverEndpoint(
      read,
      p.versionsUrl,
      { identifier: 'credentials', role: 'SENDER' },
      '2.1.1',
    );
    assert.deepEqual(found, { url: `${p.url}/ocpi/2.1.1/credentials`, version: '2.1.1', via: 'versions' });
  });

  it('from a version details URL, and from the endpoint URL itself (nothing read)', async () => {
    const p = await peer();
    const { read, reads } = reader();
    const module = { identifier: 'locations', role: 'SENDER' } as const;
    assert.deepEqual(await discoverEndpoint(read, `${p.url}/ocpi/2.2.1`, module), {
      url: `${p.url}/ocpi/2.2.1/locations`,
      version: '2.2.1',
      via: 'details',
    });
    const direct = `${p.url}/ocpi/2.1.1/locations`;
    assert.deepEqual(await discoverEndpoint(read, direct, module), {
      url: direct,
      version: '2.1.1',
      via: 'direct',
    });
    assert.equal(reads.length, 1);
  });

  it('says what it cannot use: only the other role, no such module, no version in common', async () => {
    const p = await peer({ versions: ['2.1.1'] });
    const { read } = reader();
    const both = await peer();
    await assert.rejects(
      discoverEndpoint(read, `${both.url}/ocpi/2.2.1`, { identifier: 'locations', role: 'RECEIVER' }),
      (e: unknown) =>
        e instanceof DiscoveryError &&
        e.reason === 'unusable' &&
        e.kind === 'protocol' &&
        /list only a locations SENDER endpoint, no RECEIVER/.test(e.message),
    );
    await assert.rejects(
      discoverEndpoint(read, both.versionsUrl, { identifier: 'tariffs', role: 'SENDER' }),
      /list no tariffs endpoint for OCPI 2\.2\.1/,
    );
    await assert.rejects(
      discoverEndpoint(read, p.versionsUrl, { identifier: 'tariffs', role: 'SENDER' }, '2.2.1'),
      (e: unknown) =>
        e instanceof DiscoveryError &&
        e.reason === 'no-version' &&
        e.offered.join() === '2.1.1' &&
        /does not offer OCPI 2\.2\.1 \(it offers: 2\.1\.1\)/.test(e.message),
    );
    // No version to choose: its details are not read.
    assert.deepEqual(
      p.requests.map((r) => r.path),
      ['/ocpi/versions'],
    );
  });
});

describe('discoverVersion (registration)', () => {
  it('gives every endpoint of the chosen version as listed', async () => {
    const p = await peer();
    const { read } = reader();
    const found = await discoverVersion(read, p.versionsUrl);
    assert.equal(found.version, '2.2.1');
    assert.equal(found.url, `${p.url}/ocpi/2.2.1`);
    assert.deepEqual(
      found.endpoints.map((e) => [e.identifier, e.role]),
      [
        ['locations', 'SENDER'],
        ['credentials', 'RECEIVER'],
        ['sessions', 'RECEIVER'],
        ['sessions', 'SENDER'],
      ],
    );
    // As listed: the relative sessions SENDER URL stays relative.
    assert.equal(found.endpoints[3]!.url, '2.2.1/sessions');
  });
});
