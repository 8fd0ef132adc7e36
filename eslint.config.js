// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The layers of docs/architecture.md ("Layers"): each folder of src/ imports
// only from the layers below it.
//   model, api → render, diff, status, secrets → kube → controller → observe → src/*.ts (main, cli, config)
// A folder's rule lists what is above it; an import of one fails `npm run lint`.
const above = {
  model: ['render', 'diff', 'status', 'secrets', 'kube', 'controller', 'observe'],
  api: ['render', 'diff', 'status', 'secrets', 'kube', 'controller', 'observe'],
  render: ['kube', 'controller', 'observe'],
  diff: ['kube', 'controller', 'observe'],
  status: ['kube', 'controller', 'observe'],
  secrets: ['kube', 'controller', 'observe'],
  kube: ['controller', 'observe'],
  controller: ['observe'],
  observe: [],
};
const layerRules = Object.entries(above).map(([dir, forbidden]) => ({
  files: [`src/${dir}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            // …and no file of src/ itself (main.ts, cli.ts, config.ts: the top).
            regex: `^\\.\\./(?:${[...forbidden.map((d) => `${d}/`), '[^/]+\\.ts$'].join('|')})`,
            message: `src/${dir}/ may not import a layer above it (docs/architecture.md, Layers): move what both need down, e.g. into src/model/.`,
          },
        ],
      },
    ],
  },
}));

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'test-results/', 'charts/', 'deploy/'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite', 'before', 'after'] },
          ],
        },
      ],
      // client-node's models are classes, but the API takes plain objects.
      '@typescript-eslint/no-unsafe-class-instance-assignment': 'off',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      // `const { dropped: _dropped, ...rest } = o` is how a field is left out.
      '@typescript-eslint/no-unused-vars': ['error', { varsIgnorePattern: '^_', argsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  ...layerRules,
  { files: ['**/*.js'], extends: [tseslint.configs.disableTypeChecked] },
);
