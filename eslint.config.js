import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['node_modules', 'dist', 'coverage', 'test-output', 'web/dist', 'demo', 'bench/out'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  { languageOptions: { globals: { ...globals.node } } },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
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
);
