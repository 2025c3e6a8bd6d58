import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

// Layering (docs/architecture.md): a layer imports only the layers below it, never one above. A layer is a set of
// paths: the OCPI modules (src/modules/<module>/) hold one folder per layer (wire/, service/, http/), a pure
// descriptor (module.ts) and their assembly (index.ts), so a module's files obey the same rule as the machinery's.
//   domain ← wire ← store ; client (domain, wire) ← service (+ store, client, demo) ← http (+ store types)
//   ← modules (assemblies and the registry) ← check (the conformance checker) ; app (the server's composition
//   root) ← cli
// The machinery (src/wire, src/service, src/http) never imports a module's code: modules plug into it.
const LAYERS = {
  domain: ['src/domain/**', 'src/modules/descriptor.*', 'src/modules/*/module.ts'],
  wire: ['src/wire/**', 'src/modules/*/wire/**'],
  store: ['src/store/**'],
  client: ['src/client/**'],
  demo: ['src/demo/**'],
  service: ['src/service/**', 'src/modules/*/service/**'],
  http: ['src/http/**', 'src/modules/*/http/**'],
  modules: ['src/modules/module.*', 'src/modules/index.*', 'src/modules/*/index.*'],
  check: ['src/check/**'],
  app: ['src/app/**'],
  cli: ['src/cli/**'],
};
const MAY_IMPORT = {
  domain: [],
  wire: ['domain'],
  store: ['domain'],
  client: ['domain', 'wire'],
  demo: ['domain'],
  service: ['domain', 'wire', 'store', 'client', 'demo'],
  http: ['domain', 'wire', 'service', 'demo', 'store'], // src/store: `import type` only (below)
  modules: ['domain', 'wire', 'store', 'client', 'demo', 'service', 'http'],
  // The conformance checker: outbound through the client, validation by the modules' codecs, never a store.
  check: ['domain', 'wire', 'client', 'demo', 'service', 'modules'],
  app: ['domain', 'wire', 'store', 'client', 'demo', 'service', 'http', 'modules'],
};
/** Paths of the machinery: they may not import any module's code, whatever their layer allows. */
const MACHINERY = ['src/wire/**', 'src/service/**', 'src/http/**'];
const MODULE_CODE = ['src/modules/**'];

function layerZones(layer) {
  const forbidden = Object.keys(LAYERS).filter((l) => l !== layer && !MAY_IMPORT[layer].includes(l));
  const allowed = MAY_IMPORT[layer];
  return LAYERS[layer].map((target) => ({
    target,
    from: forbidden.flatMap((l) => LAYERS[l]),
    message:
      allowed.length === 0
        ? `the ${layer} layer imports nothing of src (docs/architecture.md).`
        : `the ${layer} layer may import only ${allowed.join(', ')} (docs/architecture.md).`,
  }));
}
const ZONES = [
  ...Object.keys(MAY_IMPORT).flatMap(layerZones),
  ...MACHINERY.map((target) => ({
    target,
    from: MODULE_CODE,
    message: 'the machinery never imports a module: the module plugs into it (docs/architecture.md).',
  })),
];

/** The http layer sees the store contract's types, never a store: a specifier rule, type imports allowed. */
const httpSeesStoreTypesOnly = {
  files: LAYERS.http,
  rules: {
    '@typescript-eslint/no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            regex: '^(\\.\\./)+store/',
            allowTypeImports: true,
            message: 'the http layer may import only types from src/store (docs/architecture.md).',
          },
        ],
      },
    ],
  },
};

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'data/', 'bench/.cache/', 'test-artifacts/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  // Type-aware rules: promises that are neither awaited nor deliberately voided, and thenables misused.
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            {
              from: 'package',
              package: 'node:test',
              name: ['describe', 'it', 'test', 'before', 'after', 'beforeEach', 'afterEach', 'suite'],
            },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
    },
  },
  // import-x resolves each import to its file (TypeScript's resolution: `./x.js` is `./x.ts`) and checks the zones.
  {
    files: ['src/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createTypeScriptImportResolver()] },
    rules: { 'import-x/no-restricted-paths': ['error', { zones: ZONES }] },
  },
  httpSeesStoreTypesOnly,
);
