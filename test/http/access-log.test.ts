// The access log of `ocpi-sessions serve`, read as an operator's log shipper reads it: serve's stdout (no terminal,
// so JSON lines). One line per request with the echoed X-Request-ID (not Fastify's counter), the partner, the
// route pattern, the status; the startup line is a log line too; --log-level quiets the access log, not the
// lifecycle lines.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { addPartnerWithToken, setParty, startCli } from '../support/cli.js';
import { getJson } from '../support/http.js';
import { findLog, logLines, type LogLine } from '../support/logs.js';
import { waitFor } from '../support/ports.js';
import { tempDb, tokenHeader } from '../support/server.js';

const TOKEN = 'access-log-partner-token';

describe('access log: serve writes one JSON line per request on stdout', () => {
  let server: ReturnType<typeof startCli>;
  let url: string;

  before(async () => {
    const db = tempDb('access.db');
    setParty(db, 'NL-OCS', 'CPO', 'Access log CPO');
    addPartnerWithToken(db, 'NL-EMS', TOKEN);
    server = startCli(['serve', '--db', db, '--port', '0'], /listening on (\S+)/);
    url = /listening on (\S+)/.exec(await server.started)![1]!;
  });
  after(async () => {
    assert.equal(await server.stop(), 0);
  });

  /** The access line of the request whose X-Request-ID was `id` (written after the response: waited for). */
  const accessLine = (id: string) =>
    waitFor<LogLine>(
      `the access line with requestId ${id}`,
      () => logLines(server.output()).find((l) => l.msg === 'request' && l.requestId === id),
      5000,
    );

  it('the startup line is a log line: url, store kind, version', () => {
    const start = findLog(server.output(), /^ocpi-sessions listening on /);
    assert.equal(start.level, 30);
    assert.equal(start.url, url);
    assert.equal(start.store, 'sqlite');
    assert.match(String(start.version), /^\d+\.\d+\.\d+/);
  });

  it('carries the echoed X-Request-ID and X-Correlation-ID, the partner, the route pattern, status, duration and bytes', async () => {
    const r = await getJson(`${url}/ocpi/cpo/2.2.1/sessions?limit=5`, {
      ...tokenHeader(TOKEN),
      'x-request-id': 'req-access-1',
      'x-correlation-id': 'corr-access-1',
    });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers.get('x-request-id'), 'req-access-1');
    const line = await accessLine('req-access-1');
    assert.equal(line.level, 30, 'info');
    assert.equal(line.method, 'GET');
    assert.equal(line.route, '/ocpi/cpo/2.2.1/sessions', 'the route as registered, without the query');
    assert.equal(line.status, 200);
    assert.equal(line.partner, 'NL-EMS');
    assert.equal(line.correlationId, 'corr-access-1');
    assert.equal(line.bytes, Buffer.byteLength(r.text));
    assert.equal(typeof line.durationMs, 'number');
    assert.equal(line.ip, '127.0.0.1');
    assert.equal(line.reqId, undefined, 'no Fastify counter beside it');
    assert.ok(!JSON.stringify(line).includes(Buffer.from(TOKEN).toString('base64')), 'no token in the log');
  });

  it('logs refused and unmatched requests too, with the id we generated when none was sent', async () => {
    const denied = await getJson(`${url}/ocpi/cpo/2.2.1/sessions`, { 'x-request-id': 'req-access-401' });
    assert.equal(denied.status, 401);
    const line = await accessLine('req-access-401');
    assert.deepEqual([line.status, line.partner, line.route], [401, undefined, '/ocpi/cpo/2.2.1/sessions']);

    const missing = await getJson(`${url}/nothing/here`);
    assert.equal(missing.status, 404);
    const generated = missing.headers.get('x-request-id')!;
    assert.match(generated, /^[0-9a-f-]{36}$/);
    const unmatched = await accessLine(generated);
    assert.deepEqual([unmatched.status, unmatched.route], [404, 'unmatched']);
  });
});

describe('--trust-proxy', () => {
  for (const [flags, expected] of [
    [['--trust-proxy'], '203.0.113.50'],
    [['--trust-proxy', '127.0.0.1,::1'], '203.0.113.50'],
    [[], '127.0.0.1'],
  ] as const) {
    it(`${flags.join(' ') || 'without it'}: the logged ip is ${expected}`, async () => {
      const server = startCli(
        ['serve', '--db', tempDb('proxied.db'), '--port', '0', ...flags],
        /listening on (\S+)/,
      );
      try {
        const url = /listening on (\S+)/.exec(await server.started)![1]!;
        const r = await getJson(`${url}/health/live`, {
          'x-forwarded-for': '203.0.113.50',
          'x-request-id': 'proxied-1',
        });
        assert.equal(r.status, 200);
        const line = await waitFor(
          'the access line',
          () => logLines(server.output()).find((l) => l.requestId === 'proxied-1'),
          5000,
        );
        assert.equal(line.ip, expected);
      } finally {
        assert.equal(await server.stop(), 0);
      }
    });
  }
});

describe('--log-level', () => {
  for (const level of ['warn', 'silent']) {
    it(`${level}: no access lines, but the lifecycle lines are still written`, async () => {
      const db = tempDb('quiet.db');
      const server = startCli(
        ['serve', '--db', db, '--port', '0', '--log-level', level],
        /listening on (\S+)/,
      );
      try {
        const url = /listening on (\S+)/.exec(await server.started)![1]!;
        assert.equal((await getJson(`${url}/health`, { 'x-request-id': 'quiet-1' })).status, 200);
        assert.equal(findLog(server.output(), /^ocpi-sessions listening on /).level, 30);
      } finally {
        assert.equal(await server.stop(), 0);
      }
      assert.equal(logLines(server.output()).filter((l) => l.msg === 'request').length, 0);
      assert.ok(findLog(server.output(), 'ocpi-sessions stopped'));
    });
  }

  it('refuses an unknown level as a usage error, before creating a database', async () => {
    const db = tempDb('never.db');
    const server = startCli(['serve', '--db', db, '--port', '0', '--log-level', 'loud'], /listening on/);
    await assert.rejects(server.started, /exited 2/);
    assert.match(
      server.errors(),
      /--log-level must be one of fatal, error, warn, info, debug, trace, silent/,
    );
  });
});
