/**
 * Action maps: CSV files `action,category[,name]` that give an event its category when the source
 * has none; when a map names an action twice, the later line wins. A user's map (`--action-map FILE`) is loaded into the staging area for one import.
 */
import { invalid } from '../errors/UptakeError.ts';
import { CATEGORIES } from '../model/canonical.ts';
import type { Sql } from '../store/Store.ts';
import { readCsvHeader } from './csvHeader.ts';

/** Load the map (or an empty one) into the temp table `imp_amap` and return its name. */
export async function loadActionMap(st: Sql, file: string | undefined): Promise<string> {
  await st.run(`DROP TABLE IF EXISTS imp_amap`);
  await st.run(
    `CREATE TEMP TABLE imp_amap (action VARCHAR PRIMARY KEY, category VARCHAR, name VARCHAR)`,
  );
  if (!file) return 'imp_amap';
  const header = await readCsvHeader(file);
  for (const c of ['action', 'category']) {
    if (!header.includes(c))
      throw invalid(
        `${file}, line 1: an action map needs the columns action,category[,name]; ${c} is missing`,
      );
  }
  const cols = header.map((_, i) => `'c${i}': 'VARCHAR'`).join(', ');
  const a = header.indexOf('action');
  const c = header.indexOf('category');
  const n = header.indexOf('name');
  await st.run(
    `CREATE OR REPLACE TEMP TABLE imp_amap_file AS
     FROM read_csv($1, header = true, auto_detect = false, delim = ',', quote = '"', escape = '"', columns = {${cols}})`,
    [file],
  );
  // rowid follows file order, so rowid + 2 is the line (after the header)
  await st.run(
    `CREATE OR REPLACE TEMP TABLE imp_amap_raw AS SELECT rowid + 2 AS line, trim(c${a}) AS action, lower(trim(c${c})) AS category,
       ${n >= 0 ? `trim(c${n})` : 'NULL'} AS name FROM imp_amap_file`,
  );
  await st.run(`DROP TABLE imp_amap_file`);
  const bad = await st.all<{ line: number; category: string | null }>(
    `SELECT line, category FROM imp_amap_raw WHERE category IS NULL OR category NOT IN (${CATEGORIES.map((x) => `'${x}'`).join(', ')}) ORDER BY line LIMIT 1`,
  );
  if (bad[0]) {
    throw invalid(
      `${file}, line ${bad[0].line}: category "${bad[0].category ?? ''}" is not one of ${CATEGORIES.join(', ')}`,
    );
  }
  await st.run(
    `INSERT INTO imp_amap SELECT action, arg_max(category, line), arg_max(name, line) FROM imp_amap_raw WHERE action IS NOT NULL GROUP BY action`,
  );
  await st.run(`DROP TABLE imp_amap_raw`);
  return 'imp_amap';
}
