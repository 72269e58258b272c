import { readFileSync } from 'node:fs';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

/** Files of tests, which may reach into test support and read untyped response bodies. */
const TESTS = ['**/*.test.ts'];

/**
 * The import boundaries of CONTRIBUTING.md ("Which way imports point"), each checked by its own
 * rule so that every boundary is declared once with the files it binds (rule options of several
 * config objects do not merge: one `no-restricted-imports` could not hold them all).
 *
 * Every rule is typescript-eslint's `no-restricted-imports` (static imports, `export … from`,
 * `import x = require()`), plus `import('…')` with a literal path, which the base rule ignores and
 * which the CLI uses to load the server and the drivers lazily. Type-only imports count too
 * (except for devDependencies): an adapter that borrows another's types still depends on it.
 */
const baseRule = tseslint.plugin.rules['no-restricted-imports'];
const boundaryRule = {
  ...baseRule,
  create(context) {
    const listeners = baseRule.create(context);
    return {
      ...listeners,
      ImportExpression(node) {
        if (node.source.type !== 'Literal' || typeof node.source.value !== 'string') return;
        // Seen as a side-effect import (`import '…'`): restricted exactly when a static import would be.
        listeners.ImportDeclaration({
          ...node,
          type: 'ImportDeclaration',
          importKind: 'value',
          specifiers: [],
          attributes: [],
        });
      },
    };
  },
};

/** A relative import of a folder named `dir` (the paths are written relative, with `.ts`). */
const intoFolder = (dir) => `^\\.{1,2}/(.*/)?${dir}/`;
const escapeRegExp = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const devDependencies = Object.keys(
  JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')).devDependencies,
);

const boundaries = {
  drivers: {
    files: ['**/*.{ts,tsx}'],
    ignores: ['src/store/**', 'src/testing/**'],
    regex: '^(pg|pg-[^/]+|@duckdb/[^/]+)(/.*)?$',
    message: 'only src/store (and src/testing) imports a database driver; go through the Store.',
  },
  testing: {
    files: ['**/*.{ts,tsx}'],
    ignores: [...TESTS, 'src/testing/**', 'bench/**', 'vitest.config.ts'],
    regex: intoFolder('testing'),
    message:
      'src/testing is test support: only tests, src/testing, bench/ and vitest.config.ts import it.',
  },
  'dev-dependencies': {
    files: ['src/**'],
    ignores: [...TESTS, 'src/testing/**'],
    regex: `^(${devDependencies.map(escapeRegExp).join('|')})(/.*)?$`,
    allowTypeImports: true,
    message:
      'production code imports only `dependencies` (devDependencies are not installed in production); test support belongs in src/testing.',
  },
  'server-to-cli': {
    files: ['src/server/**'],
    regex: intoFolder('cli'),
    message: 'the server never imports the CLI; move what both need into a module of its own.',
  },
  'cli-to-server': {
    files: ['src/cli/**'],
    regex: `${intoFolder('server')}(?!index\\.ts$)`,
    message: 'the CLI reaches the server only through its entry, src/server/index.ts.',
  },
};

export default tseslint.config(
  { ignores: ['node_modules', 'dist', 'coverage', 'test-output', 'web/dist', 'demo', 'bench/out'] },
  js.configs.recommended,
  // Type-aware: every TypeScript file is checked with the types of its tsconfig (the root one,
  // or web/tsconfig.json for web/src). Includes no-floating-promises and no-misused-promises.
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
  },
  // Plain JavaScript (bin/, this file) is in no tsconfig.
  { files: ['**/*.{js,mjs,cjs}'], ...tseslint.configs.disableTypeChecked },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      // `async` without `await` is how a function keeps a Promise-returning contract (Store.close,
      // Fastify handlers): dropping it would turn a rejection into a synchronous throw.
      '@typescript-eslint/require-await': 'off',
      // Store rows are `Record<string, unknown>` of plain values (engine objects are already text),
      // so every `String(cell)` was flagged and none could print "[object Object]".
      '@typescript-eslint/no-base-to-string': 'off',
    },
  },
  {
    // Tests and their support read JSON bodies (`res.json()` is `any`) and pin them with `expect`;
    // typing each body would copy the API's types into the tests, which the assertions check.
    files: [...TESTS, 'src/testing/**'],
    rules: {
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // It wants `res.json<T>()` for `res.json() as T` (the same unchecked claim) in 60-odd places.
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
    },
  },
  {
    // The web app takes the API's types from the server's contract, never its code: a value
    // import would pull zod and server modules into the browser bundle.
    files: ['web/src/**/*.{ts,tsx}'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/src/server/**', 'zod'],
              allowTypeImports: true,
              message: 'the web app imports only types from the server (`import type`)',
            },
          ],
        },
      ],
    },
  },
  {
    plugins: {
      boundaries: {
        rules: Object.fromEntries(Object.keys(boundaries).map((k) => [k, boundaryRule])),
      },
    },
  },
  ...Object.entries(boundaries).map(([name, { files, ignores = [], ...pattern }]) => ({
    files,
    ignores,
    rules: { [`boundaries/${name}`]: ['error', { patterns: [pattern] }] },
  })),
);
