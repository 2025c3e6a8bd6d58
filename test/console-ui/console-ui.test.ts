// The operator console (/console) in headless Debian Chromium against a real server (`buildServer` with the console
// on) over a SQLite file seeded with demo sessions and a registered eMSP partner with a push backlog. Every figure
// the test expects is fetched from the console API itself (/console/api/…) with the operator token, and compared
// with what the page shows. Screenshots of the session page at 1280×800 and 390×844 go to test-artifacts/.
import { WIRE_FORMATS } from '../../src/domain/wire-format.js';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Page, Request } from 'playwright-core';
import { generateDemoSessions } from '../../src/demo/demo-data.js';
import { toRecord } from '../../src/modules/sessions/service/writer.js';
import { createOperatorToken } from '../../src/service/console/operator-tokens.js';
import { setIdentity } from '../../src/service/identity.js';
import { addPartner } from '../../src/service/partners.js';
import { savePullConfig } from '../../src/service/pull-state.js';
import { hashToken } from '../../src/service/tokens.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { ARTIFACTS, launchBrowser, type Browser } from '../support/browser.js';
import { runCliAsync } from '../support/cli.js';
import { startPeer, type Peer } from '../support/peer.js';
import { startTestServer, tempDb, type TestServer } from '../support/server.js';
import { makeSession } from '../support/sessions.js';

const PARTNER_TOKEN = 'emsp-token-for-us';
const PASSWORD = 'console-password-for-tests';
const PARTNER = 'DE-EMS';
const WIDE = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface Envelope<T> {
  data: T;
  status_code: number;
}
interface Item {
  country_code: string;
  party_id: string;
  id: string;
  status: string;
}
interface Curve {
  points: Array<{ t: string; kw: number; kwh: number }>;
  currency: string;
  total_cost: { excl_vat: number; incl_vat?: number } | null;
}

describe('the operator console in headless Chromium', { timeout: 300_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  let operatorToken: string;
  /** The seeded sessions of the eMSP partner: its push backlog. */
  let backlog: number;
  /** A CPO partner (NL-OCS) that the console can pull from. */
  let peer: Peer;
  /** The `check` command's report on NL-OCS. */
  let checkReport: { summary: { failed: number }; results: Array<{ id: string; outcome: string }> };
  /** Every request any page of the browser made. */
  const requests: Request[] = [];

  async function api<T>(
    path: string,
    secret = operatorToken,
  ): Promise<{ status: number; body: Envelope<T> }> {
    const res = await fetch(`${server.url}/console/api/${path}`, {
      headers: { authorization: `Bearer ${secret}` },
    });
    return { status: res.status, body: (await res.json()) as Envelope<T> };
  }
  const data = async <T>(path: string) => {
    const r = await api<T>(path);
    assert.equal(r.status, 200, `${path}: ${JSON.stringify(r.body)}`);
    return r.body.data;
  };

  async function newPage(viewport = WIDE): Promise<Page> {
    const page = await browser.context.newPage();
    await page.setViewportSize(viewport);
    return page;
  }

  async function login(page: Page, secret: string, at = '/console/'): Promise<void> {
    await page.goto(`${server.url}${at}`);
    await page.getByLabel('Operator token or console password').fill(secret);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('navigation', { name: 'Console' }).waitFor();
  }

  /** The ids in the sessions table, in order, once the page has loaded. */
  /**
   * The ids of the listed sessions. With `expected`: read again (up to 10 s) until they are those, since a click's
   * fetch may not have started ("Loading" not shown yet) when the click resolves; the caller asserts on the result.
   */
  async function shownIds(page: Page, expected?: string[]): Promise<string[]> {
    const read = async () => {
      await page.getByTestId('result-count').filter({ hasNotText: 'Loading' }).waitFor();
      return page
        .locator('[data-testid=sessions] tbody tr')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-session') ?? ''));
    };
    let ids = await read();
    for (const end = Date.now() + 10_000; expected && ids.join() !== expected.join() && Date.now() < end;) {
      await page.waitForTimeout(100);
      ids = await read();
    }
    return ids;
  }

  /** Serious or critical accessibility violations on the page as it is now (axe-core). */
  async function axeViolations(page: Page): Promise<string[]> {
    await page.evaluate(AXE);
    const violations = await page.evaluate(async () => {
      const axe = (window as unknown as { axe: { run(): Promise<{ violations: any[] }> } }).axe;
      return (await axe.run()).violations;
    });
    return violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map(
        (v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n: any) => n.target.join(' ')).join('; ')})`,
      );
  }

  before(async () => {
    const dbFile = tempDb('console-ui.db');
    const store = new SqliteStore(dbFile);
    await setIdentity(store, { countryCode: 'NL', partyId: 'CPO', roles: ['CPO'], name: 'CPO' });
    const emsp = await store.addPartner({
      countryCode: 'DE',
      partyId: 'EMS',
      roles: ['EMSP'],
      format: 'ocpi',
      tokenHash: hashToken(PARTNER_TOKEN),
    });
    await store.updatePartner(emsp.id, {
      state: 'registered',
      version: '2.2.1',
      endpoints: [
        { identifier: 'sessions', role: 'RECEIVER', url: 'http://127.0.0.1:9/ocpi/emsp/2.2.1/sessions' },
      ],
      theirToken: 'our-token-for-them',
    });
    // A 2.3.0 roaming hub listing both eMSPs (its Hub party and parties shown on the partners page).
    const hub = await store.addInvite(hashToken('hub-token-for-us'));
    await store.updatePartner(hub.id, {
      countryCode: 'NL',
      partyId: 'HUB',
      roles: ['EMSP'],
      state: 'registered',
      version: '2.3.0',
      hubPartyId: 'NL-HUB',
      parties: [
        { role: 'EMSP', key: 'DE-EMS' },
        { role: 'EMSP', key: 'BE-EMB' },
      ],
    });
    const emsps = [
      { countryCode: 'DE', partyId: 'EMS' },
      { countryCode: 'BE', partyId: 'EMB' },
    ];
    const cpo = { countryCode: 'NL', partyId: 'CPO' };
    const sessions = [...generateDemoSessions({ count: 240, seed: 18, emsps, cpo, now: Date.now() })];
    // The eMSP's sessions queued for it: a push backlog (no push worker runs in this server).
    await store.putSessions(
      sessions.map((s) => toRecord(s, undefined, WIRE_FORMATS)),
      { mode: 'replace', pushTo: [PARTNER] },
    );
    backlog = sessions.filter((s) => `${s.cdrToken.countryCode}-${s.cdrToken.partyId}` === PARTNER).length;
    // A CPO partner with a pull configured (its sessions come in when an operator re-runs its pull).
    peer = await startPeer({
      sessions: [1, 2].map((i) => makeSession(`P${i}`, 'NL-EMS', Date.now() - i * 60_000, 'NL-OCS')),
    });
    await addPartner(store, { countryCode: 'NL', partyId: 'OCS', roles: ['CPO'], format: 'ocpi' });
    await savePullConfig(store, 'NL-OCS', { url: peer.versionsUrl, token: 'peer-token', emsp: 'NL-EMS' });
    // The conformance checker run on it (the CLI process, recording its verdict with the partner).
    const checked = await runCliAsync([
      'check',
      peer.versionsUrl,
      '--token',
      'peer-token',
      '--db',
      dbFile,
      '--partner',
      'NL-OCS',
      '--pace-ms',
      '0',
      '--slow-ms',
      '600000',
      '--format',
      'json',
    ]);
    checkReport = JSON.parse(checked.stdout) as typeof checkReport;
    operatorToken = (await createOperatorToken(store, 'console-ui test')).token;
    server = await startTestServer({ console: true, consolePassword: PASSWORD }, store);
    browser = await launchBrowser(WIDE);
    browser.context.on('request', (r) => requests.push(r));
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    await peer?.close();
  });

  /** Presses Tab until `selector` has the focus (at most 80 times); fails when the keyboard cannot reach it. */
  async function tabTo(page: Page, selector: string): Promise<void> {
    for (let i = 0; i < 80; i++) {
      await page.keyboard.press('Tab');
      if (await page.evaluate((sel) => document.activeElement?.matches(sel) ?? false, selector)) return;
    }
    assert.fail(`${selector}: not reached with Tab`);
  }

  /** The facts of a partner's card on the partners page: label → text. */
  const facts = (page: Page, key: string) =>
    page.locator(`section[data-partner="${key}"] dl.facts`).evaluate((dl) => {
      const out: Record<string, string> = {};
      for (const dt of dl.querySelectorAll('dt'))
        out[dt.textContent ?? ''] = (dt.nextElementSibling as HTMLElement).innerText;
      return out;
    });

  it("refuses a partner's token at login, opens with the password and with an operator token", async () => {
    const page = await newPage();
    // A client route loads the app (index.html) and shows the login page first.
    await page.goto(`${server.url}/console/sessions?status=COMPLETED`);
    const secret = page.getByLabel('Operator token or console password');
    await secret.fill(PARTNER_TOKEN);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('alert').filter({ hasText: 'Refused' }).waitFor();
    assert.equal(await page.evaluate(() => sessionStorage.length), 0, 'a refused secret is not kept');
    assert.equal(await page.getByRole('navigation', { name: 'Console' }).count(), 0);
    assert.equal((await api('whoami', PARTNER_TOKEN)).status, 401);

    await secret.fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Sessions' }).waitFor();
    assert.match(
      page.url(),
      /\/console\/sessions\?status=COMPLETED$/,
      'the page asked for is shown after login',
    );
    await page.getByRole('button', { name: 'Log out' }).click();
    await secret.waitFor();
    assert.equal(await page.evaluate(() => sessionStorage.length), 0, 'logging out forgets the secret');

    await login(page, operatorToken);
    assert.equal((await data<{ via: string }>('whoami')).via, 'operator-token');
    await page.close();
  });

  it('shows the figures the API reports on the overview and refreshes them without reloading', async () => {
    const page = await newPage();
    await login(page, operatorToken);
    await page.locator('[data-figure="sessions.total"]').waitFor();
    await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));

    type O = {
      generated_at: string;
      sessions: {
        total: number;
        today: number;
        active: number;
        per_partner: Array<{ partner: string; sessions_today: number; active: number }>;
      };
      rates: { ingest_per_min: number; pages_per_min: number };
      outbox: Array<{ partner: string; pending: number; in_flight: number }>;
      errors_last_hour: number;
    };
    const o = await data<O>('overview');
    const figure = (name: string) => page.locator(`[data-figure="${name}"]`).getAttribute('data-value');
    assert.equal(o.sessions.total, 240);
    assert.equal(await figure('sessions.total'), String(o.sessions.total));
    assert.equal(await figure('sessions.today'), String(o.sessions.today));
    assert.equal(await figure('sessions.active'), String(o.sessions.active));
    assert.equal(await figure('rates.ingest_per_min'), String(o.rates.ingest_per_min));
    assert.equal(await figure('rates.pages_per_min'), String(o.rates.pages_per_min));
    assert.equal(await figure('errors_last_hour'), String(o.errors_last_hour));
    assert.ok(o.sessions.per_partner.length > 0);
    for (const p of o.sessions.per_partner) {
      const row = page.locator(`[data-testid=per-partner] tr[data-partner="${p.partner}"]`);
      assert.equal(await row.locator('[data-field=sessions_today]').innerText(), String(p.sessions_today));
      assert.equal(await row.locator('[data-field=active]').innerText(), String(p.active));
    }
    // The eMSP's backlog: its own sessions (the others belong to another eMSP).
    const lane = o.outbox.find((l) => l.partner === PARTNER);
    assert.ok(lane && lane.pending === backlog, JSON.stringify(o.outbox));
    const row = page.locator(`[data-testid=outbox] tr[data-partner="${PARTNER}"]`);
    assert.equal(await row.locator('[data-field=pending]').innerText(), String(backlog));

    // New sessions arrive: the next poll (every 5 s) shows them, and the page was not reloaded.
    const more = [
      ...generateDemoSessions({
        count: 3,
        seed: 19,
        emsps: [{ countryCode: 'DE', partyId: 'EMS' }],
        cpo: { countryCode: 'NL', partyId: 'CPO' },
        now: Date.now(),
      }),
    ];
    await server.store.putSessions(
      more.map((s) => toRecord(s, undefined, WIRE_FORMATS)),
      { mode: 'replace', pushTo: [PARTNER] },
    );
    await page.waitForFunction(
      () => document.querySelector('[data-figure="sessions.total"]')?.getAttribute('data-value') === '243',
      undefined,
      { timeout: 15_000 },
    );
    assert.equal((await data<O>('overview')).sessions.total, 243);
    assert.notEqual(await page.getByTestId('generated-at').getAttribute('datetime'), o.generated_at);
    assert.equal(
      await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded),
      true,
    );
    await page.close();
  });

  it('filters, sorts and pages the sessions as the API does', async () => {
    const page = await newPage();
    await login(page, operatorToken);
    await page.getByRole('link', { name: 'Sessions' }).click();
    const first = await data<{ items: Item[]; next_cursor: string | null }>('sessions?limit=50');
    assert.deepEqual(
      await shownIds(
        page,
        first.items.map((s) => s.id),
      ),
      first.items.map((s) => s.id),
    );

    // Next and previous page: the API's keyset cursor.
    assert.ok(first.next_cursor);
    await page.getByRole('button', { name: 'Next page' }).click();
    const second = await data<{ items: Item[] }>(
      `sessions?limit=50&cursor=${encodeURIComponent(first.next_cursor)}`,
    );
    await page.getByTestId('result-count').filter({ hasText: 'Page 2' }).waitFor();
    assert.deepEqual(
      await shownIds(
        page,
        second.items.map((s) => s.id),
      ),
      second.items.map((s) => s.id),
    );
    await page.getByRole('button', { name: 'Previous page' }).click();
    await page.getByTestId('result-count').filter({ hasText: 'Page 1' }).waitFor();
    assert.deepEqual(
      await shownIds(
        page,
        first.items.map((s) => s.id),
      ),
      first.items.map((s) => s.id),
    );

    // Filters: partner and status.
    await page.getByLabel('Partner').selectOption(PARTNER);
    await page.getByLabel('Status').selectOption('COMPLETED');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/status=COMPLETED/);
    const filtered = await data<{ items: Item[] }>(
      `sessions?partner=${PARTNER}&status=COMPLETED&sort=last_updated&order=desc&limit=50`,
    );
    assert.ok(filtered.items.length > 0 && filtered.items.length < first.items.length + 50);
    const ids = await shownIds(
      page,
      filtered.items.map((s) => s.id),
    );
    assert.deepEqual(
      ids,
      filtered.items.map((s) => s.id),
    );
    const statuses = await page.locator('[data-testid=sessions] [data-field=status]').allInnerTexts();
    assert.ok(statuses.length > 0 && statuses.every((s) => s === 'COMPLETED'), statuses.join());

    // Id prefix search, on top of the filters.
    const prefix = filtered.items[0]!.id.slice(0, 3);
    await page.getByLabel('Session id starts with').fill(prefix);
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(new RegExp(`q=${prefix}`));
    const searched = await data<{ items: Item[] }>(
      `sessions?partner=${PARTNER}&status=COMPLETED&q=${prefix}&sort=last_updated&order=desc&limit=50`,
    );
    assert.ok(searched.items.length > 0);
    const found = await shownIds(
      page,
      searched.items.map((s) => s.id),
    );
    assert.deepEqual(
      found,
      searched.items.map((s) => s.id),
    );
    assert.ok(found.every((id) => id.startsWith(prefix)));

    // Sorting by start, ascending (the column header toggles the order).
    await page.getByRole('link', { name: 'Clear' }).click();
    await page.locator('button[data-sort=start_date_time]').click();
    await page.waitForURL(/sort=start_date_time&order=desc/);
    await page.locator('button[data-sort=start_date_time]').click();
    await page.waitForURL(/sort=start_date_time&order=asc/);
    const byStart = await data<{ items: Item[] }>('sessions?sort=start_date_time&order=asc&limit=50');
    assert.deepEqual(
      await shownIds(
        page,
        byStart.items.map((s) => s.id),
      ),
      byStart.items.map((s) => s.id),
    );
    assert.equal(
      await page.locator('th:has(button[data-sort=start_date_time])').getAttribute('aria-sort'),
      'ascending',
    );

    // Location and date window (UTC days bounding the sorted column, the end day included), sort kept.
    const one = (
      await data<{ items: Array<Item & { location_id: string; start_date_time: string }> }>(
        'sessions?sort=start_date_time&order=asc&limit=1',
      )
    ).items[0]!;
    const day = one.start_date_time.slice(0, 10);
    await page.getByLabel('Location id (exact)').fill(one.location_id.toLowerCase());
    await page.getByLabel('From (UTC day)').fill(day);
    await page.getByLabel('To (UTC day, included)').fill(day);
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/from=.*to=.*location=/);
    const next = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString();
    const windowed = await data<{ items: Array<Item & { location_id: string; start_date_time: string }> }>(
      `sessions?location=${encodeURIComponent(one.location_id)}&from=${day}T00:00:00.000Z&to=${next}` +
        '&sort=start_date_time&order=asc&limit=50',
    );
    assert.ok(windowed.items.some((i) => i.id === one.id));
    assert.ok(
      windowed.items.every((i) => i.location_id === one.location_id && i.start_date_time.startsWith(day)),
    );
    assert.deepEqual(
      await shownIds(
        page,
        windowed.items.map((i) => i.id),
      ),
      windowed.items.map((i) => i.id),
    );
    await page.close();
  });

  it("shows a session's charging curve as the API computes it, its cost and its wire bodies", async () => {
    const list = await data<{ items: Item[] }>('sessions?status=COMPLETED&limit=50');
    let chosen: { item: Item; detail: { curve: Curve; formats: Record<string, unknown> } } | undefined;
    for (const item of list.items) {
      const detail = await data<{ curve: Curve; formats: Record<string, unknown> }>(
        `sessions/${item.country_code}/${item.party_id}/${encodeURIComponent(item.id)}`,
      );
      if (detail.curve.points.length >= 4) {
        chosen = { item, detail };
        break;
      }
    }
    assert.ok(chosen, 'a completed demo session with charging periods');
    const { item, detail } = chosen;
    const page = await newPage();
    await login(page, operatorToken);
    await page.goto(`${server.url}/console/sessions/${item.country_code}/${item.party_id}/${item.id}`);
    const chart = page.getByTestId('curve');
    await chart.locator('canvas').first().waitFor();

    const plotted = JSON.parse((await chart.getAttribute('data-series')) ?? 'null') as {
      t: number[];
      kw: number[];
      kwh: number[];
    };
    assert.deepEqual(plotted, {
      t: detail.curve.points.map((p) => Date.parse(p.t) / 1000),
      kw: detail.curve.points.map((p) => p.kw),
      kwh: detail.curve.points.map((p) => p.kwh),
    });
    const cost = await page.getByTestId('curve-cost').innerText();
    assert.ok(detail.curve.total_cost, 'a completed demo session has a cost');
    assert.ok(
      cost.includes(`${detail.curve.total_cost.excl_vat.toFixed(2)} ${detail.curve.currency}`),
      `cost shown: ${cost}`,
    );

    // The body of each wire format, exactly as partners get it (the API embeds the stored JSON text).
    const formats = Object.keys(detail.formats);
    assert.ok(formats.length >= 2, formats.join());
    for (const f of formats) {
      await page.getByLabel('Wire format').selectOption(f);
      const body = page.locator(`pre[data-format="${f}"]`);
      const expected = detail.formats[f]!;
      assert.equal(
        await body.textContent(),
        typeof expected === 'string' ? expected : JSON.stringify(expected),
      );
    }
    await page.getByLabel('Indented').check();
    const last = formats.at(-1)!;
    assert.deepEqual(
      JSON.parse((await page.locator(`pre[data-format="${last}"][data-indented=true]`).textContent()) ?? ''),
      typeof detail.formats[last] === 'string' ? JSON.parse(detail.formats[last]) : detail.formats[last],
    );
    await page.getByLabel('Indented').uncheck();

    await chart.scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(ARTIFACTS, 'console-session-1280x800.png') });
    await page.setViewportSize(PHONE);
    // uPlot follows its box's width: the chart fits a phone's width.
    await page.waitForFunction(() => {
      const canvas = document.querySelector('[data-testid=curve] canvas');
      return canvas !== null && canvas.getBoundingClientRect().right <= window.innerWidth;
    });
    await chart.scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(ARTIFACTS, 'console-session-390x844.png') });
    await page.close();
  });

  it("shows a session's history of changes and each partner's revision as the API reports them", async () => {
    const [item] = (await data<{ items: Item[] }>('sessions?partner=DE-EMS&status=ACTIVE&limit=1')).items;
    assert.ok(item, 'an active session of the partner');
    const stored = (await server.store.getSession(item.country_code, item.party_id, item.id))!.session;
    // Two more writes: the session ends, then gets one more charging period.
    const ended = { ...stored, status: 'COMPLETED' as const, lastUpdated: stored.lastUpdated + 60_000 };
    await server.store.putSessions([toRecord(ended, 'ingest-patch', WIRE_FORMATS)], {
      mode: 'replace',
      pushTo: [PARTNER],
    });
    const period = { startDateTime: ended.lastUpdated, dimensions: [{ type: 'ENERGY' as const, volume: 1 }] };
    const more = {
      ...ended,
      chargingPeriods: [...ended.chargingPeriods, period],
      lastUpdated: ended.lastUpdated + 1,
    };
    await server.store.putSessions([toRecord(more, 'pull', WIRE_FORMATS)], {
      mode: 'replace',
      pushTo: [PARTNER],
    });
    const at = `sessions/${item.country_code}/${item.party_id}/${encodeURIComponent(item.id)}`;
    const detail = await data<{
      rev: number;
      history: Array<{
        rev: number;
        at: string;
        last_updated: string;
        source: string | null;
        change: string;
      }>;
      deliveries: Array<{ partner: string; rev: number | null; result: string; behind: boolean | null }>;
    }>(at);
    assert.deepEqual(
      detail.history.map((h) => [h.rev, h.source, h.change]),
      [
        [3, 'pull', '+1 charging period'],
        [2, 'ingest-patch', 'status ACTIVE→COMPLETED'],
        [1, null, 'created'],
      ],
    );
    const page = await newPage();
    await login(page, operatorToken);
    await page.goto(`${server.url}/console/sessions/${item.country_code}/${item.party_id}/${item.id}`);
    const rows = page.locator('[data-testid=history] tbody tr');
    await rows.nth(2).waitFor();
    const cells = (locator: typeof rows) =>
      locator.evaluateAll((trs) =>
        trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')),
      );
    const fmt = (iso: string) => new Date(iso).toISOString().slice(0, 19).replace('T', ' ');
    assert.deepEqual(
      await cells(rows),
      detail.history.map((h) => [String(h.rev), fmt(h.at), fmt(h.last_updated), h.source ?? '—', h.change]),
    );
    // The partner has the session pending at the current revision: behind.
    assert.deepEqual(
      detail.deliveries.map((x) => [x.partner, x.rev, x.result, x.behind]),
      [[PARTNER, 3, 'pending', true]],
    );
    const deliveries = await cells(page.locator('[data-testid=deliveries] tbody tr'));
    assert.deepEqual(
      deliveries.map((c) => [c[0], c[1], c[3], c[4]]),
      [[PARTNER, '3', 'pending', 'yes']],
    );
    await page.close();
  });

  it("shows a hub's Hub party and the parties it speaks for, as the API gives them", async () => {
    type P = { key: string; hub_party_id: string | null; parties: { role: string; key: string }[] };
    const partners = await data<P[]>('partners');
    const hub = partners.find((p) => p.key === 'NL-HUB')!;
    assert.equal(hub.hub_party_id, 'NL-HUB');
    assert.deepEqual(hub.parties, [
      { role: 'EMSP', key: 'DE-EMS' },
      { role: 'EMSP', key: 'BE-EMB' },
    ]);
    const direct = partners.find((p) => p.key === PARTNER)!;
    assert.equal(direct.hub_party_id, null);
    assert.deepEqual(direct.parties, [{ role: 'EMSP', key: PARTNER }]);
    const page = await newPage();
    await login(page, operatorToken, '/console/partners');
    const card = page.locator('section[data-partner="NL-HUB"]');
    assert.equal(await card.locator('[data-field=hub]').innerText(), 'NL-HUB');
    assert.equal(await card.locator('[data-field=parties]').innerText(), 'EMSP DE-EMS, EMSP BE-EMB');
    const own = page.locator(`section[data-partner="${PARTNER}"]`);
    assert.equal(await own.locator('[data-field=hub]').innerText(), '—');
    assert.equal(await own.locator('[data-field=parties]').innerText(), `EMSP ${PARTNER}`);
    await page.close();
  });

  it('asks for a confirmation before a partner action; cancel does nothing, confirm does it', async () => {
    type P = { key: string; lane: { paused_by_operator: boolean } };
    const paused = async () =>
      (await data<P[]>('partners')).find((p) => p.key === PARTNER)!.lane.paused_by_operator;
    const page = await newPage();
    const posts: Request[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST') posts.push(r);
    });
    await login(page, operatorToken);
    await page.getByRole('link', { name: 'Partners' }).click();
    const card = page.locator(`section[data-partner="${PARTNER}"]`);
    const dialog = page.getByRole('dialog');

    await card.locator('button[data-action=pause]').click();
    await dialog.waitFor();
    assert.match(await dialog.innerText(), /Pause pushing for DE-EMS\?/);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await card.locator('button[data-action=pause]').click();
    await dialog.waitFor(); // the dialog opens after the click resolves: Escape before it would press nothing
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(posts.length, 0, 'cancel sends nothing');
    assert.equal(await paused(), false);

    await card.locator('button[data-action=pause]').click();
    await dialog.getByRole('button', { name: 'Pause', exact: true }).click();
    await card.locator('button[data-action=resume]').waitFor();
    assert.equal(posts.length, 1);
    assert.match(posts[0]!.url(), new RegExp(`/console/api/partners/${PARTNER}/pause$`));
    assert.deepEqual(posts[0]!.postDataJSON(), { confirm: true });
    assert.equal(await paused(), true);
    assert.match(await card.locator('[data-field=lane]').innerText(), /paused by an operator/);

    await card.locator('button[data-action=resume]').click();
    await dialog.getByRole('button', { name: 'Resume', exact: true }).click();
    await card.locator('button[data-action=pause]').waitFor();
    assert.equal(await paused(), false);

    await card.locator('button[data-action=retry]').click();
    await dialog.getByRole('button', { name: 'Retry now', exact: true }).click();
    await page
      .getByTestId('action-outcome')
      .filter({ hasText: `Retry now: done for ${PARTNER}` })
      .waitFor();
    assert.deepEqual(
      posts.map((r) => new URL(r.url()).pathname.split('/').at(-1)),
      ['pause', 'resume', 'retry'],
    );
    await page.close();
  });

  it('has no serious or critical accessibility violations on any page, wide and phone-width', async () => {
    const item = (await data<{ items: Item[] }>('sessions?limit=1')).items[0]!;
    const found: string[] = [];
    for (const viewport of [WIDE, PHONE]) {
      const page = await newPage(viewport);
      const at = `${viewport.width}×${viewport.height}`;
      await page.goto(`${server.url}/console/`);
      await page.getByLabel('Operator token or console password').waitFor();
      found.push(...(await axeViolations(page)).map((v) => `${at} login: ${v}`));
      await login(page, operatorToken);
      const pages: Array<[string, string, string]> = [
        ['overview', '/console/', '[data-figure="sessions.total"]'],
        ['sessions', '/console/sessions', '[data-testid=sessions] tbody tr'],
        ['session', `/console/sessions/${item.country_code}/${item.party_id}/${item.id}`, 'h2'],
        ['partners', '/console/partners', `section[data-partner="${PARTNER}"]`],
      ];
      for (const [name, url, ready] of pages) {
        await page.goto(`${server.url}${url}`);
        await page.locator(ready).first().waitFor();
        found.push(...(await axeViolations(page)).map((v) => `${at} ${name}: ${v}`));
        // Usable at this width: the page itself never scrolls sideways (wide tables scroll in their own box).
        const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        if (wide > 0) found.push(`${at} ${name}: the page is ${wide}px wider than the screen`);
      }
      await page.locator('button[data-action=pause]').first().click();
      await page.getByRole('dialog').waitFor();
      found.push(...(await axeViolations(page)).map((v) => `${at} confirmation dialog: ${v}`));
      await page.keyboard.press('Escape');
      await page.close();
    }
    assert.deepEqual(found, []);
  });

  it('shows each pull (last sync, result, next run) and the outbox age as the API reports them', async () => {
    type O = {
      outbox: Array<{ partner: string; oldest_age_s: number | null }>;
      pulls: Array<{ key: string; last_sync: string | null; result: string | null; next_run: string | null }>;
    };
    const fmt = (iso: string | null) =>
      iso === null ? '—' : new Date(iso).toISOString().slice(0, 19).replace('T', ' ');
    const page = await newPage();
    await login(page, operatorToken);
    const row = page.locator('[data-testid=pulls] tr[data-pull="NL-OCS"]');
    await row.waitFor();
    const o = await data<O>('overview');
    const pull = o.pulls.find((p) => p.key === 'NL-OCS')!;
    assert.deepEqual(
      [
        await row.locator('[data-field=last_sync]').innerText(),
        await row.locator('[data-field=result]').innerText(),
        await row.locator('[data-field=next_run]').innerText(),
      ],
      [fmt(pull.last_sync), pull.result ?? '—', fmt(pull.next_run)],
    );
    // The oldest waiting change's age: the API's (both read within seconds of each other).
    const lane = o.outbox.find((l) => l.partner === PARTNER)!;
    assert.ok(lane.oldest_age_s !== null && lane.oldest_age_s > 0);
    const shown = Number(
      await page
        .locator(`[data-testid=outbox] tr[data-partner="${PARTNER}"] [data-field=oldest_age_s]`)
        .getAttribute('data-value'),
    );
    assert.ok(Math.abs(shown - lane.oldest_age_s) < 15, `${shown} vs ${lane.oldest_age_s}`);
    await page.close();
  });

  it("shows each partner's registration, version, roles, format, token encoding, check and endpoints as the API gives them", async () => {
    type P = {
      key: string;
      roles: string[];
      registered: boolean;
      version: string | null;
      format: string;
      token_encoding: string | null;
      check_verdict: { result: string; at: string; failed_checks: string[] } | null;
      endpoints: Array<{ identifier: string; role?: string; url: string }>;
    };
    const partners = await data<P[]>('partners');
    // The checked partner carries the check's verdict; the others none.
    const failed = checkReport.results.filter((r) => r.outcome === 'fail').map((r) => r.id);
    assert.deepEqual(
      partners.map((p) => [p.key, p.check_verdict?.result ?? null, p.check_verdict?.failed_checks ?? null]),
      partners.map((p) => [
        p.key,
        p.key === 'NL-OCS' ? (failed.length === 0 ? 'passed' : 'failed') : null,
        p.key === 'NL-OCS' ? failed : null,
      ]),
    );
    const fmt = (iso: string) => new Date(iso).toISOString().slice(0, 19).replace('T', ' ');
    const page = await newPage();
    await login(page, operatorToken, '/console/partners');
    for (const p of partners) {
      const card = page.locator(`section[data-partner="${p.key}"]`);
      await card.waitFor();
      const f = await facts(page, p.key);
      assert.deepEqual(
        [f.Registration, f.Version, f.Format, f['Token encoding'], f['Last check']],
        [
          p.registered ? 'registered' : 'not registered',
          p.version ?? '—',
          p.format,
          p.token_encoding ?? '—',
          p.check_verdict ? `${p.check_verdict.result} (${fmt(p.check_verdict.at)})` : 'never checked',
        ],
        p.key,
      );
      assert.equal(await card.locator('h2 .tag').innerText(), p.roles.join(', ') || 'no role');
      await card.locator('details summary').click();
      const shown = await card.locator('ul.endpoints li').allInnerTexts();
      assert.equal(shown.length, p.endpoints.length, p.key);
      p.endpoints.forEach((e, i) => {
        assert.ok(shown[i]!.startsWith(`${e.identifier} ${e.role ?? ''}`.trim()), shown[i]);
        assert.ok(shown[i]!.endsWith(e.url), shown[i]);
      });
    }
    // No token value anywhere on the page.
    const text = await page.locator('main').innerText();
    for (const secret of [PARTNER_TOKEN, 'our-token-for-them', 'hub-token-for-us', 'peer-token'])
      assert.equal(text.includes(secret), false, secret);
    await page.close();
  });

  it("re-runs a CPO partner's pull after a confirmation; the overview then shows its outcome", async () => {
    const page = await newPage();
    await login(page, operatorToken, '/console/partners');
    const card = page.locator('section[data-partner="NL-OCS"]');
    await card.locator('button[data-action=pull]').click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    assert.match(await dialog.innerText(), /NL-OCS/);
    await dialog.getByRole('button', { name: 'Run the pull', exact: true }).click();
    await page.getByTestId('action-outcome').filter({ hasText: 'NL-OCS' }).waitFor();
    await page.getByRole('link', { name: 'Overview' }).click();
    const row = page.locator('[data-testid=pulls] tr[data-pull="NL-OCS"]');
    await row.locator('[data-field=result]').filter({ hasText: 'ok' }).waitFor({ timeout: 30_000 });
    type Pull = { key: string; last_sync: string | null; last_run: string | null; result: string };
    const pull = (await data<{ pulls: Pull[] }>('overview')).pulls.find((p) => p.key === 'NL-OCS')!;
    assert.equal(pull.result, 'ok');
    assert.ok(pull.last_sync && pull.last_run, 'a sync point and a run after the pull');
    const fmt = (iso: string) => new Date(iso).toISOString().slice(0, 19).replace('T', ' ');
    assert.deepEqual(await row.locator('td').evaluateAll((tds) => tds.map((td) => td.textContent ?? '')), [
      'sessions',
      fmt(pull.last_sync),
      fmt(pull.last_run),
      'ok',
      '—',
    ]);
    const listed = await data<{ items: Item[] }>('sessions?partner=NL-OCS');
    assert.deepEqual(listed.items.map((i) => i.id).sort(), ['P1', 'P2']);
    await page.close();
  });

  it('works with the keyboard alone: log in, navigate, sort, open and cancel a confirmation', async () => {
    const page = await newPage();
    await page.goto(`${server.url}/console/`);
    await page.getByLabel('Operator token or console password').waitFor();
    await tabTo(page, 'input');
    await page.keyboard.type(operatorToken);
    await page.keyboard.press('Enter');
    await page.getByRole('navigation', { name: 'Console' }).waitFor();
    await tabTo(page, 'nav a[href$="/console/sessions"]');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Sessions' }).waitFor();
    await tabTo(page, 'button[data-sort=start_date_time]');
    await page.keyboard.press('Enter');
    await page.waitForURL(/sort=start_date_time/);
    await page.goto(`${server.url}/console/partners`);
    const pause = `section[data-partner="${PARTNER}"] button[data-action=pause]`;
    await page.locator(pause).waitFor();
    await tabTo(page, pause);
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    assert.equal(
      await page.evaluate(() => document.activeElement?.closest('dialog') !== null),
      true,
      'the focus is in the dialog',
    );
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(
      await page.evaluate((sel) => document.activeElement?.matches(sel) ?? false, pause),
      true,
      'the focus is back on the button',
    );
    await page.close();
  });

  it('loads nothing from anywhere but this server', () => {
    assert.ok(requests.length > 20, `${requests.length} requests recorded`);
    const elsewhere = requests.map((r) => r.url()).filter((u) => !u.startsWith(`${server.url}/`));
    assert.deepEqual(elsewhere, []);
  });
});
