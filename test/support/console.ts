// The operator console's API from the tests: an operator token's header, and the two calls every console test makes
// (a GET answered 200, a confirmed partner action answered 200), each returning the envelope's data.
import assert from 'node:assert/strict';
import { createOperatorToken } from '../../src/service/console/operator-tokens.js';
import type { SettingsStore } from '../../src/store/contract.js';
import { send } from './http.js';

/** The Authorization header of a new operator token. */
export async function operatorAuth(store: SettingsStore): Promise<Record<string, string>> {
  return { authorization: `Bearer ${(await createOperatorToken(store)).token}` };
}

/** GET a console API path; asserts 200 and returns the data. */
export async function consoleGet(url: string, auth: Record<string, string>, path: string) {
  const r = await send(url, { method: 'GET', path, headers: auth });
  assert.equal(r.status, 200, r.text);
  return r.json.data;
}

/** POST a partner action with `{"confirm": true}`; asserts 200 and returns the data. */
export async function consoleAct(url: string, auth: Record<string, string>, key: string, action: string) {
  const r = await send(url, {
    method: 'POST',
    path: `/console/api/partners/${key}/${action}`,
    headers: { ...auth, 'content-type': 'application/json' },
    body: '{"confirm":true}',
  });
  assert.equal(r.status, 200, r.text);
  return r.json.data as Record<string, unknown>;
}
