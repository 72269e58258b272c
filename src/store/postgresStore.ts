/** PostgreSQL engine: follows in issue #3. */
import { UptakeError } from '../errors/UptakeError.ts';
import type { Store } from './Store.ts';

export const PostgresStore = {
  async open(_url: string): Promise<Store> {
    throw new UptakeError('UNAVAILABLE', 'PostgreSQL storage is not available in this version; use --db FILE (DuckDB)');
  },
};
