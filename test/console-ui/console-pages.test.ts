// The console's pages over real HTTP (src/http/routes/console/ui.ts): with --console, the built files of
// dist/console and index.html for the app's own paths, without a token, with a Content-Security-Policy that allows
// this server only; nothing else under /console (no file outside the build, no other spelling of a path);
// without --console, nothing at all.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { send } from '../support/http.js';
import { repoRoot } from '../support/paths.js';
import { startTestServer, type TestServer } from '../support/server.js';

const get = (base: string, p: string) => send(base, { method: 'GET', path: p });

describe('the console pages (--console)', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ console: true, consolePassword: 'pw-for-tests' });
  });
  after(() => server.close());

  it('serves index.html at /console/ and at each page of the app, without a token, under a strict CSP', async () => {
    const redirect = await get(server.url, '/console');
    assert.equal(redirect.status, 302);
    assert.equal(redirect.headers.location, '/console/');
    const index = await get(server.url, '/console/');
    for (const p of [
      '/console/',
      '/console/sessions',
      '/console/partners',
      '/console/sessions/NL/CPO/S%201',
    ]) {
      const r = await get(server.url, p);
      assert.equal(r.status, 200, p);
      assert.match(String(r.headers['content-type']), /^text\/html/, p);
      assert.equal(r.text, index.text, p);
      assert.match(r.text, /<div id="app"><\/div>/);
      const csp = String(r.headers['content-security-policy']);
      assert.match(csp, /default-src 'self'/);
      assert.match(csp, /script-src 'self'(;|$)/, 'no inline or remote script');
      assert.match(csp, /frame-ancestors 'none'/);
      assert.equal(
        r.headers['cache-control'],
        'no-cache',
        'index.html is revalidated (new builds show at once)',
      );
    }
  });

  it('serves every built asset index.html names, cached for good; nothing but from this server', async () => {
    const index = (await get(server.url, '/console/')).text;
    const refs = [...index.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    assert.ok(refs.some((r) => r.endsWith('.js')) && refs.some((r) => r.endsWith('.css')), refs.join());
    for (const ref of refs) {
      if (ref.startsWith('data:')) continue;
      assert.match(ref, /^\/console\/assets\//, `${ref}: served here`);
      const r = await get(server.url, ref);
      assert.equal(r.status, 200, ref);
      assert.match(String(r.headers['content-type']), ref.endsWith('.js') ? /javascript/ : /text\/css/, ref);
      assert.equal(r.headers['cache-control'], 'public, max-age=31536000, immutable', ref);
    }
  });

  it('answers 404 for anything else under /console: unknown API paths, files outside the build, other spellings', async () => {
    const maps = readdirSync(path.join(repoRoot, 'dist', 'console', 'assets')).filter((f) =>
      f.endsWith('.map'),
    );
    assert.ok(maps.length > 0, 'the build writes source maps (not served)');
    const paths = [
      '/console/api/nope',
      '/console/api',
      '/console/API/overview',
      '/console//api/overview',
      '/console/x/../api/overview',
      '/console/package.json',
      '/console/../package.json',
      '/console/%2e%2e/package.json',
      '/console/assets/../../package.json',
      '/console/assets/%2e%2e%2f%2e%2e%2fpackage.json',
      '/console/src/main.tsx',
      `/console/assets/${maps[0]}`,
      '/console/sessions/NL/CPO',
      '/console/partners/DE-EMS',
    ];
    for (const p of paths) {
      const r = await get(server.url, p);
      assert.ok(r.status === 404 || r.status === 400, `${p}: ${r.status}`);
      assert.doesNotMatch(r.text, /"name": "ocpi-sessions"|<div id="app">/, p);
    }
    const api = await get(server.url, '/console/api/nope');
    assert.equal((api.json as { status_code: number }).status_code, 2000, 'the OCPI envelope');
  });
});

describe('the console pages without --console', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({});
  });
  after(() => server.close());

  it('answers 404 for /console and everything under it', async () => {
    const asset = readdirSync(path.join(repoRoot, 'dist', 'console', 'assets')).find((f) =>
      f.endsWith('.js'),
    )!;
    for (const p of ['/console', '/console/', '/console/sessions', `/console/assets/${asset}`]) {
      assert.equal((await get(server.url, p)).status, 404, p);
    }
  });
});
