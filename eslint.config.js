import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// The API's floors, top to bottom: each may import from its own floor and those below it, never
// from one above (STYLE: floors run one way). The ground floor is config, errors and the small
// utilities beside them at the root of src/; main, dev and app stand above everything.
const apiFloors = ['routes', 'auth', 'http', 'storage'];
const apiGround = ['config', 'errors', 'duration', 'redact', 'logger', 'lru-map'];
const apiTop = ['app', 'main', 'dev', 'startup-error'];
/** `no-restricted-imports` for the files of one floor: every folder above it, and the top modules. */
function floorRule(above, fromRoot) {
  const up = fromRoot ? './' : '../';
  const escaped = up.replaceAll('.', '\\.');
  return {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          ...(above.length > 0 ? [{ regex: `^${escaped}(${above.join('|')})(/|$)`, message: `An import up the API's floors (${['main', 'app', ...apiFloors, 'config'].join(' → ')}): move what is shared down, or the glue up.` }] : []),
          { regex: `^${escaped}(${apiTop.join('|')})$`, message: 'Only main and dev compose the app.' },
        ],
      },
    ],
  };
}
const apiFloorConfigs = [
  ...apiFloors.map((floor, i) => ({ files: [`apps/api/src/${floor}/**/*.ts`], rules: floorRule(apiFloors.slice(0, i), false) })),
  { files: apiGround.map((name) => `apps/api/src/${name}.ts`), rules: floorRule(apiFloors, true) },
];

export default defineConfig(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/.data/**', 'playwright-report/**', 'test-results/**', '**/*.config.*', 'scripts/**', '**/build.mjs', 'e2e/**', 'bench/**'] },
  js.configs.recommended,
  tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-confusing-void-expression': 'off',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
    },
  },
  {
    // process.env has one reader in the API: config.ts.
    files: ['apps/api/src/**/*.ts'],
    ignores: ['apps/api/src/config.ts'],
    rules: {
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Read configuration in config.ts.' }],
    },
  },
  ...apiFloorConfigs,
  {
    files: ['**/test/**/*.ts', '**/*.test.ts', '**/*.test.tsx'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
    },
  },
);
