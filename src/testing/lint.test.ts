/**
 * Lint as part of `npm test` (the command CI runs): the whole tree passes ESLint's type-aware
 * rules and import boundaries (eslint.config.js), code that breaks a boundary on purpose fails it,
 * and no modules import each other in a cycle.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { afterAll, describe, expect, it } from 'vitest';
import { importCycles } from './lintCycles.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Code linted as if it were the file `as` (it is not on disk), and the rules it must break. */
interface Fixture {
  name: string;
  as: string;
  code: string;
  errors: string[];
}

const BROKEN: Fixture[] = [
  {
    name: 'the server imports the CLI',
    as: 'src/server/routes/lintFixture.ts',
    code: `import { keyFile } from '../../cli/paths.ts';\nexport const f = keyFile;\n`,
    errors: ['boundaries/server-to-cli'],
  },
  {
    name: 'the server re-exports from the CLI',
    as: 'src/server/lintFixture.ts',
    code: `export { keyFile } from '../cli/paths.ts';\n`,
    errors: ['boundaries/server-to-cli'],
  },
  {
    name: 'a module outside src/store imports pg',
    as: 'src/ingest/lintFixture.ts',
    code: `import pg from 'pg';\nexport const Client = pg.Client;\n`,
    errors: ['boundaries/drivers'],
  },
  {
    name: 'a module outside src/store imports a DuckDB type',
    as: 'src/synth/forms/lintFixture.ts',
    code: `import type { DuckDBConnection } from '@duckdb/node-api';\nexport type C = DuckDBConnection;\n`,
    errors: ['boundaries/drivers'],
  },
  {
    name: 'a test outside src/store loads pg-copy-streams lazily',
    as: 'src/server/lintFixture.int.test.ts',
    code: `export const copy = () => import('pg-copy-streams');\n`,
    errors: ['boundaries/drivers'],
  },
  {
    name: 'production code imports src/testing',
    as: 'src/metrics/lintFixture.ts',
    code: `import { importCycles } from '../testing/lintCycles.ts';\nexport const f = importCycles;\n`,
    errors: ['boundaries/testing'],
  },
  {
    name: 'the web app imports src/testing',
    as: 'web/src/lintFixture.ts',
    code: `import type { Fixture } from '../../src/testing/lintFixture.ts';\nexport type F = Fixture;\n`,
    errors: ['boundaries/testing'],
  },
  {
    name: 'production code imports a devDependency (test support outside src/testing)',
    as: 'src/store/lintFixture.ts',
    code: `import { inject } from 'vitest';\nexport const f = inject;\n`,
    errors: ['boundaries/dev-dependencies'],
  },
  {
    name: 'the CLI imports a server internal',
    as: 'src/cli/lintFixture.ts',
    code: `import { Accounts } from '../server/auth.ts';\nexport const f = Accounts;\n`,
    errors: ['boundaries/cli-to-server'],
  },
  {
    name: 'the CLI loads a server internal lazily',
    as: 'src/cli/lintFixture.ts',
    code: `export const serve = () => import('../server/serve.ts');\n`,
    errors: ['boundaries/cli-to-server'],
  },
  {
    name: 'the web app imports server code',
    as: 'web/src/lintFixture.ts',
    code: `import { routes } from '../../src/server/contract.ts';\nexport const r = routes;\n`,
    errors: ['@typescript-eslint/no-restricted-imports'],
  },
];

const KEPT: Fixture[] = [
  {
    name: 'the CLI starts the server through its entry',
    as: 'src/cli/lintFixture.ts',
    code: `export const serve = () => import('../server/index.ts');\n`,
    errors: [],
  },
  {
    name: 'src/store imports the drivers',
    as: 'src/store/lintFixture.ts',
    code: `import pg from 'pg';\nimport { DuckDBInstance } from '@duckdb/node-api';\nexport const f = [pg, DuckDBInstance];\n`,
    errors: [],
  },
  {
    name: 'src/testing imports a driver and vitest',
    as: 'src/testing/lintFixture.ts',
    code: `import pg from 'pg';\nimport { inject } from 'vitest';\nexport const f = [pg, inject];\n`,
    errors: [],
  },
  {
    name: 'a test imports src/testing and vitest',
    as: 'src/metrics/lintFixture.test.ts',
    code: `import { expect } from 'vitest';\nimport { importCycles } from '../testing/lintCycles.ts';\nexport const f = [expect, importCycles];\n`,
    errors: [],
  },
  {
    name: 'a benchmark imports src/testing',
    as: 'bench/lintFixture.ts',
    code: `import { importCycles } from '../src/testing/lintCycles.ts';\nexport const f = importCycles;\n`,
    errors: [],
  },
  {
    name: 'production code names the type of a devDependency',
    as: 'src/web/lintFixture.ts',
    code: `import type { Browser } from 'playwright-core';\nexport type B = Browser;\n`,
    errors: [],
  },
  {
    name: 'the web app imports the server contract’s types',
    as: 'web/src/lintFixture.ts',
    code: `import type { Api } from '../../src/server/contract.ts';\nexport type A = Api;\n`,
    errors: [],
  },
];

describe('import boundaries', () => {
  // The boundary rules read no types: lint the fixtures without the type-aware parser, which
  // would look for them in a tsconfig (they are not on disk).
  const eslint = new ESLint({ cwd: root, overrideConfig: tseslint.configs.disableTypeChecked });
  const errorsOf = async (f: Fixture) => {
    const [result] = await eslint.lintText(f.code, {
      filePath: join(root, f.as),
      warnIgnored: true,
    });
    return result!.messages.map((m) => m.ruleId);
  };

  it.each(BROKEN)('fail lint when $name', async (f) => {
    expect(await errorsOf(f)).toEqual(f.errors);
  });

  it.each(KEPT)('pass lint when $name', async (f) => {
    expect(await errorsOf(f)).toEqual(f.errors);
  });

  it('name the rule to follow', async () => {
    const [result] = await eslint.lintText(BROKEN[8]!.code, {
      filePath: join(root, BROKEN[8]!.as),
    });
    expect(result!.messages[0]!.message).toBe(
      "'../server/auth.ts' import is restricted from being used by a pattern. the CLI reaches the server only through its entry, src/server/index.ts.",
    );
  });
});

describe('import cycles', () => {
  const dir = mkdtempSync(join(tmpdir(), 'uptake-cycles-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (path: string, code: string) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), code);
  };

  it('are found through imports and re-exports, not through types or import()', () => {
    write('a.ts', `import { b } from './b.ts';\nexport const a = b;\n`);
    write('b.ts', `import { a } from './a.ts';\nexport const b = () => a;\n`);
    write('c.ts', `import type { T } from './t.ts';\nexport type C = T;\n`);
    write('t.ts', `import { type C } from './c.ts';\nexport type T = C | 1;\n`);
    write('e.ts', `export const e = () => import('./f.ts');\n`);
    write('f.ts', `import { e } from './e.ts';\nexport const f = e;\n`);
    write('g.ts', `export { h } from './sub/h.ts';\n`);
    write('sub/h.ts', `import { g } from '../g.ts';\nexport const h = () => g;\n`);
    write('i.ts', `import { type J, j } from './j.ts';\nexport const i: J = j;\n`);
    write(
      'j.ts',
      `import { i } from './i.ts';\nexport type J = number;\nexport const j = 1 + i;\n`,
    );
    write('k.ts', `import { k } from './k.ts';\nexport { k };\n`);
    write('l.ts', `import { b } from './b.ts';\nexport const l = b;\n`);
    expect(importCycles(dir, ['.']).sort()).toEqual([
      ['a.ts', 'b.ts'],
      ['g.ts', 'sub/h.ts'],
      ['i.ts', 'j.ts'],
      ['k.ts'],
    ]);
  });

  it('none in the project', () => {
    const cycles = importCycles(root, ['src', 'bench', 'web/src']);
    expect(cycles).toEqual([]);
  });
});

describe('the whole tree', () => {
  it(
    'passes ESLint (type-aware rules and import boundaries) with no error',
    async () => {
      const results = await new ESLint({ cwd: root }).lintFiles(['.']);
      const errors = results.flatMap((r) =>
        r.messages
          .filter((m) => m.severity === 2)
          .map(
            (m) => `${relative(root, r.filePath)}:${m.line}:${m.column} ${m.ruleId}: ${m.message}`,
          ),
      );
      expect(errors).toEqual([]);
    },
    // About 1 min of CPU (2 min on a loaded 2-core machine): the type-aware rules type-check
    // the whole tree.
    10 * 60_000,
  );
});
