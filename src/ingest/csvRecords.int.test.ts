/**
 * The CSV reader against files written by an RFC 4180 writer (quoted commas, quotes and line
 * breaks, blank lines, LF and CRLF): every record comes back with its fields and its physical
 * line; and against the same files with quotes added and removed at random: every line is still
 * accounted for exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBStore } from '../store/duckdbStore.ts';
import { stageCsv } from './csvRecords.ts';

/** A small deterministic random generator (mulberry32). */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HEADER = ['a', 'b', 'c', 'd'];
/** A field as a writer quotes it: when it must, or (`always`) whenever `r()` says so. */
const quote = (v: string, r: () => number, always: boolean) =>
  /[",\n\r]/.test(v) || (always && r() < 0.4) ? `"${v.replaceAll('"', '""')}"` : v;

/** Random records (values with commas, quotes, spaces, line breaks), their lines and the text. */
function randomFile(seed: number, eol: string, quoteMore = false) {
  const r = rng(seed);
  const chars = ['a', 'Z', '1', ' ', ',', '"', '\n', 'é', '-'];
  const value = () =>
    Array.from({ length: [0, 1, 2, 5][Math.floor(r() * 4)]! }, () =>
      r() < 0.3 ? chars[Math.floor(r() * chars.length)]! : 'k',
    ).join('');
  const out = [HEADER.join(',')];
  const expected: { line: number; fields: string[] }[] = [];
  let line = 2;
  for (let i = 0; i < 300; i++) {
    if (r() < 0.05) {
      out.push('');
      line++;
    }
    const fields = [`r${i}`, value(), value(), value()];
    out.push(fields.map((v) => quote(v, r, quoteMore)).join(','));
    expected.push({ line, fields });
    line += 1 + fields.join('').split('\n').length - 1;
  }
  return { text: out.join(eol) + eol, expected, total: line - 1, r };
}

describe('CSV records', () => {
  let dir: string;
  let st: DuckDBStore;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'uptake-csvrec-'));
    st = await DuckDBStore.open(':memory:');
  });
  afterAll(async () => {
    await st.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const stage = async (text: string) => {
    const f = join(dir, 'f.csv');
    writeFileSync(f, text);
    const csv = await stageCsv(await st.staging(), f, HEADER, (w) => w());
    const rows = await st.all<{
      line: number;
      pre_reason: string | null;
      raw_text: string | null;
      c0: string;
      c1: string;
      c2: string;
      c3: string;
    }>(`SELECT * FROM (${csv.select}) ORDER BY line`);
    return { csv, rows };
  };

  for (const seed of [1, 2, 3, 4, 5, 6]) {
    for (const [name, eol, more] of [
      ['LF', '\n', false],
      ['CRLF', '\r\n', false],
      ['LF, more values quoted', '\n', true],
    ] as const) {
      it(`reads what an RFC 4180 writer wrote (seed ${seed}, ${name})`, async () => {
        const { text, expected, total } = randomFile(seed, eol, more);
        const { csv, rows } = await stage(text);
        expect(csv.lines.total).toBe(total);
        expect(rows.map((x) => x.pre_reason).filter(Boolean)).toEqual([]);
        // a CRLF inside a quoted value is a line break like any other: read as LF
        expect(rows.map((x) => ({ line: x.line, fields: [x.c0, x.c1, x.c2, x.c3] }))).toEqual(
          expected,
        );
      });
    }

    it(`accounts for every line of a file with stray and missing quotes (seed ${seed})`, async () => {
      const { text, r } = randomFile(seed, '\n', seed % 2 === 0);
      const lines = text.split('\n');
      for (let k = 1; k < lines.length - 1; k++) {
        if (r() >= 0.08) continue;
        const l = lines[k]!;
        const at = Math.floor(r() * (l.length + 1));
        lines[k] =
          r() < 0.5 || !l.includes('"') ? l.slice(0, at) + '"' + l.slice(at) : l.replace('"', '');
      }
      const damaged = lines.join('\n');
      const total = lines.length - 1;
      const { csv, rows } = await stage(damaged);
      const L = csv.lines;
      expect(L.total).toBe(total);
      expect(L.header + L.blank + L.continued + rows.length).toBe(total);
      // each line is the header, a blank line, or in exactly one record
      const cover = new Array<number>(total + 1).fill(0);
      cover[1] = 1;
      for (const x of rows) {
        const span = x.raw_text === null ? 1 : x.raw_text.split('\n').length;
        for (let k = 0; k < span; k++) cover[x.line + k]! += 1;
      }
      const blank = cover.filter((c, n) => n > 0 && c === 0 && lines[n - 1] === '').length;
      expect(cover.slice(1).filter((c) => c > 1)).toEqual([]);
      expect(cover.slice(1).filter((c) => c === 0).length).toBe(blank);
      expect(blank).toBe(L.blank);
    });
  }

  it('a line that closes one quoted value is not read as opening the next', async () => {
    const { rows, csv } = await stage(
      ['a,b,c,d', 'r1,,k-,"', '"', 'r2,",k","kkk', 'k",', 'r3,x,y,z'].join('\n') + '\n',
    );
    expect(csv.lines).toEqual({ total: 6, header: 1, blank: 0, continued: 2 });
    expect(rows.map((x) => [x.line, x.pre_reason, x.c0, x.c1, x.c2, x.c3])).toEqual([
      [2, null, 'r1', '', 'k-', '\n'],
      [4, null, 'r2', ',k', 'kkk\nk', ''],
      [6, null, 'r3', 'x', 'y', 'z'],
    ]);
  });
});
