// The module registry and the boundary rule: a new module's descriptor is all the versions module needs to list
// its endpoints, and the lint rule refuses imports across layers (run through ESLint's API on probe texts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ESLint } from 'eslint';
import type { Partner } from '../../src/domain/party.js';
import type { ModuleDescriptor } from '../../src/modules/descriptor.js';
import { MODULES, PUSH_ADAPTERS, adapterOf } from '../../src/modules/index.js';
import { endpointsFor } from '../../src/modules/versions/http/routes.js';

/** A module that does not exist: what a CDRs module's descriptor would look like. */
const things: ModuleDescriptor = {
  kind: 'functional',
  identifier: 'things',
  interfaces: [
    { role: 'SENDER', servedBy: 'CPO', path: (v) => `/ocpi/cpo/${v}/things` },
    { role: 'RECEIVER', servedBy: 'EMSP', path: (v) => `/ocpi/emsp/${v}/things` },
  ],
  tags: [{ name: 'things', description: 'Things' }],
};
const us = { countryCode: 'NL', partyId: 'OCS', roles: ['CPO', 'EMSP'] as ('CPO' | 'EMSP')[], name: 'Us' };
const cpoCaller = { roles: ['CPO'] } as Partner;
const descriptors = [...MODULES.map((m) => m.descriptor), things];

describe('module registry', () => {
  it('lists each module once, with the sessions module pushed and pulled', () => {
    const ids = MODULES.map((m) => m.descriptor.identifier);
    assert.deepEqual(ids, ['versions', 'credentials', 'sessions']);
    assert.deepEqual(
      PUSH_ADAPTERS.map((a) => a.module),
      ['sessions'],
    );
    assert.deepEqual(adapterOf('sessions', 'pull').endpoint, { identifier: 'sessions', role: 'SENDER' });
  });

  it('version details list a new module from its descriptor alone: 2.2.1 every served role, 2.1.1 the caller’s one', () => {
    const v221 = endpointsFor(descriptors, '2.2.1', 'https://x', us, null).filter(
      (e) => e.identifier === 'things',
    );
    assert.deepEqual(v221, [
      { identifier: 'things', role: 'SENDER', url: 'https://x/ocpi/cpo/2.2.1/things' },
      { identifier: 'things', role: 'RECEIVER', url: 'https://x/ocpi/emsp/2.2.1/things' },
    ]);
    // OCPI 2.1.1 endpoints carry no role: a CPO caller gets the eMSP side's interface, others the CPO side's.
    const forCpo = endpointsFor(descriptors, '2.1.1', 'https://x', us, cpoCaller).filter(
      (e) => e.identifier === 'things',
    );
    assert.deepEqual(forCpo, [{ identifier: 'things', url: 'https://x/ocpi/emsp/2.1.1/things' }]);
    const forOthers = endpointsFor(descriptors, '2.1.1', 'https://x', us, null).filter(
      (e) => e.identifier === 'things',
    );
    assert.deepEqual(forOthers, [{ identifier: 'things', url: 'https://x/ocpi/cpo/2.1.1/things' }]);
    // An instance that is only a CPO serves only the SENDER.
    const cpoOnly = endpointsFor(descriptors, '2.2.1', 'https://x', { ...us, roles: ['CPO'] }, null);
    assert.deepEqual(
      cpoOnly.filter((e) => e.identifier === 'things').map((e) => e.role),
      ['SENDER'],
    );
  });
});

describe('layer boundaries (eslint.config.js)', () => {
  // The type-aware rules need the file in the TypeScript project; the boundary rule does not.
  const eslint = new ESLint({
    overrideConfig: {
      languageOptions: { parserOptions: { projectService: false } },
      rules: {
        '@typescript-eslint/no-floating-promises': 'off',
        '@typescript-eslint/no-misused-promises': 'off',
        '@typescript-eslint/await-thenable': 'off',
      },
    },
  });
  async function problems(filePath: string, text: string): Promise<string[]> {
    const [result] = await eslint.lintText(text, { filePath });
    return result!.messages.map((m) => `${m.ruleId}: ${m.message}`);
  }

  const cases: { file: string; text: string; refused: RegExp | null }[] = [
    {
      file: 'src/service/probe.ts',
      text: "import { codecFor } from '../modules/sessions/wire/codecs.js';\nexport const x = codecFor;\n",
      refused: /the machinery never imports a module/,
    },
    {
      file: 'src/modules/sessions/wire/probe.ts',
      text: "import { writeSessions } from '../service/writer.js';\nexport const x = writeSessions;\n",
      refused: /the wire layer may import only domain/,
    },
    {
      file: 'src/modules/sessions/service/probe.ts',
      text: "import { MODULES } from '../../index.js';\nexport const x = MODULES;\n",
      refused: /the service layer may import only/,
    },
    {
      file: 'src/client/probe.ts',
      text: "import { getIdentity } from '../service/identity.js';\nexport const x = getIdentity;\n",
      refused: /the client layer may import only domain, wire/,
    },
    {
      file: 'src/modules/sessions/http/probe.ts',
      text: "import { SqliteStore } from '../../../store/sqlite/sqlite-store.js';\nexport const x = SqliteStore;\n",
      refused: /may import only types from src\/store/,
    },
    {
      file: 'src/modules/sessions/http/probe.ts',
      text: "import type { SessionStore } from '../../../store/contract.js';\nexport type X = SessionStore;\n",
      refused: null,
    },
    {
      file: 'src/modules/sessions/service/probe.ts',
      text: "import { codecFor } from '../wire/codecs.js';\nexport const x = codecFor;\n",
      refused: null,
    }, // The conformance checker: client, codecs and the registry, never a store; nothing but the CLI imports it.
    {
      file: 'src/check/probe2.ts',
      text: "import { SqliteStore } from '../store/sqlite/sqlite-store.js';\nexport const x = SqliteStore;\n",
      refused: /the check layer may import only/,
    },
    {
      file: 'src/app/probe.ts',
      text: "import { checkSessionsSender } from '../check/sessions/run.js';\nexport const x = checkSessionsSender;\n",
      refused: /the app layer may import only/,
    },
    {
      file: 'src/check/probe2.ts',
      text: "import { MODULES } from '../modules/index.js';\nimport { send } from '../client/transport.js';\nexport const x = [MODULES, send];\n",
      refused: null,
    },
  ];
  for (const c of cases)
    it(`${c.refused ? 'refuses' : 'allows'} ${c.text.split('\n')[0]} in ${c.file}`, async () => {
      const found = await problems(c.file, c.text);
      if (c.refused)
        assert.ok(
          found.some((p) => c.refused!.test(p)),
          found.join('\n') || 'no problem reported',
        );
      else assert.deepEqual(found, []);
    });
});
