import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Layering (docs/architecture.md): a layer imports only the layers below it, never one above.
//   domain ← wire ← store ; client (domain, wire) ← service (+ store, client) ← http (+ store types) ← cli
//   demo (the demo data generator: domain only) is used by service, http (documentation examples) and cli.
const LAYERS = ['domain', 'wire', 'store', 'client', 'demo', 'service', 'http', 'cli'];
const MAY_IMPORT = {
  domain: [],
  wire: ['domain'],
  store: ['domain'],
  client: ['domain', 'wire'],
  demo: ['domain'],
  service: ['domain', 'wire', 'store', 'client', 'demo'],
  http: ['domain', 'wire', 'service', 'store', 'demo'],
};
/** Only `import type` of these (http sees the store contract's types, never a store). */
const TYPES_ONLY = { http: ['store'] };

function layerRule(layer) {
  const forbidden = LAYERS.filter((l) => l !== layer && !MAY_IMPORT[layer].includes(l));
  const typesOnly = TYPES_ONLY[layer] ?? [];
  // Relative specifiers only ('../service/x.js', '../../store/contract.js'): src has no path aliases.
  const toLayer = (names) => `^(\\.\\./)+(${names.join('|')})/`;
  const patterns = [
    {
      regex: toLayer(forbidden),
      message:
        MAY_IMPORT[layer].length === 0
          ? `src/${layer} imports nothing of src (docs/architecture.md).`
          : `src/${layer} may import only ${MAY_IMPORT[layer].map((l) => `src/${l}`).join(', ')} (docs/architecture.md).`,
    },
  ];
  if (typesOnly.length > 0)
    patterns.push({
      regex: toLayer(typesOnly),
      allowTypeImports: true,
      message: `src/${layer} may import only types from ${typesOnly.map((l) => `src/${l}`).join(', ')} (docs/architecture.md).`,
    });
  return {
    files: [`src/${layer}/**/*.ts`],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns }] },
  };
}

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
    files: ['**/*.ts'],
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
  ...Object.keys(MAY_IMPORT).map(layerRule),
);
