// GET /docs in a real browser: headless Debian Chromium (driven by playwright-core) opens the page, authorizes
// with the demo partner's token, runs "Fetch Sessions" against the running server and sees a 200 with sessions.
// The screenshot is kept in test-artifacts/docs.png (not committed).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Session } from '../../src/domain/session.js';
import { generateDemoSessions } from '../../src/demo/demo-data.js';
import { addPartner } from '../../src/service/partners.js';
import { writeSessions } from '../../src/modules/sessions/service/writer.js';
import { ARTIFACTS, launchBrowser, type Browser } from '../support/browser.js';
import { startTestServer, type TestServer } from '../support/server.js';

const TOKEN = 'docs-demo-token';
/** The "Fetch Sessions" (2.2.1) operation block. */
const OPERATION = '.opblock-get:has(.opblock-summary-path[data-path="/ocpi/cpo/2.2.1/sessions"])';

describe('/docs in headless Chromium', { timeout: 180_000 }, () => {
  let server: TestServer;
  let browser: Browser | undefined;
  let mine: Session[];

  before(async () => {
    server = await startTestServer();
    const emsps = [
      { countryCode: 'NL', partyId: 'EMS' },
      { countryCode: 'DE', partyId: 'EMP' },
    ];
    const cpo = { countryCode: 'NL', partyId: 'OCS' };
    const sessions = [...generateDemoSessions({ count: 40, seed: 1, emsps, cpo, now: Date.UTC(2025, 5, 1) })];
    await writeSessions(server.store, sessions, { mode: 'replace' });
    await addPartner(server.store, { countryCode: 'NL', partyId: 'EMS', format: 'ocpi', token: TOKEN });
    mine = sessions.filter((s) => s.cdrToken.partyId === 'EMS');
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('authorizes with the demo token, runs the sessions GET and shows a 200 with sessions', async () => {
    browser = await launchBrowser({ width: 1400, height: 1800 });
    const page = browser.context.pages()[0] ?? (await browser.context.newPage());
    const sent: Array<{ url: string; authorization: string | undefined }> = [];
    page.on('request', (req) => {
      if (req.url().includes('/ocpi/'))
        sent.push({ url: req.url(), authorization: req.headers().authorization });
    });
    const external: string[] = [];
    page.on('request', (req) => {
      if (!req.url().startsWith(server.url) && !req.url().startsWith('data:')) external.push(req.url());
    });

    await page.goto(`${server.url}/docs`);
    await page.locator(OPERATION).waitFor({ timeout: 30_000 });

    // Authorize: the apiKey value is the whole header, `Token <base64(token)>` (OCPI 2.2.1 §4.1.2).
    const headerValue = `Token ${Buffer.from(TOKEN).toString('base64')}`;
    await page.locator('.auth-wrapper .authorize').click();
    const scheme = page.locator('.auth-container').filter({ hasText: 'ocpiToken' });
    await scheme.locator('input').fill(headerValue);
    await scheme.locator('button.authorize').click();
    await scheme.locator('button.btn-done').click();

    // Expand "Fetch Sessions" (2.2.1), Try it out, Execute.
    const op = page.locator(OPERATION);
    await op.locator('.opblock-summary').first().click();
    await op.locator('button.try-out__btn').click();
    await op.locator('button.execute').click();

    const live = op.locator('.live-responses-table .response');
    await live.first().waitFor({ timeout: 30_000 });
    const status = (await live.first().locator('.response-col_status').innerText()).trim();
    const body = await op.locator('.live-responses-table .response-col_description pre').first().innerText();

    // The request as sent (curl, URL) and the live response: the part of the page a person looks at.
    await op
      .locator('.responses-wrapper')
      .first()
      .evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await page.screenshot({ path: path.join(ARTIFACTS, 'docs.png') });

    assert.equal(status, '200', body.slice(0, 500));
    const parsed = JSON.parse(body) as { data: Array<{ id: string }>; status_code: number };
    assert.equal(parsed.status_code, 1000);
    assert.ok(parsed.data.length > 0);
    assert.equal(parsed.data[0]!.id, mine[0]!.id);
    assert.ok(sent.length > 0, 'the page sent no request to /ocpi');
    assert.equal(sent.at(-1)!.authorization, headerValue);
    assert.match(sent.at(-1)!.url, /\/ocpi\/cpo\/2\.2\.1\/sessions/);
    assert.deepEqual(external, [], 'the page loads everything from this server (no CDN)');
  });
});
