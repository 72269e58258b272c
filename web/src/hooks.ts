/** Small hooks: the hash route and one API request's state. */
import { useCallback, useEffect, useMemo, useState } from 'react';
import {
  apiPath,
  ApiError,
  goLiveMarks,
  send,
  type ApiArgs,
  type ApiResponse,
  type GoLiveMark,
  type JsonGetKey,
} from './api.ts';

export interface Route {
  /** Path segments after `#/`, decoded: `#/groups/department/Orthopaedics` → ['groups', 'department', 'Orthopaedics']. */
  path: string[];
  query: URLSearchParams;
}

/**
 * Routes live in the hash (`#/org?from=…`), so the server serves one `index.html` for `/` and
 * links work without server-side routing. A hash that does not start with `#/` (the skip link's
 * `#main`) is not a route and leaves the current page alone.
 */
export function parseHash(hash: string): Route | null {
  if (!hash.startsWith('#/'))
    return hash === '' || hash === '#' ? { path: [], query: new URLSearchParams() } : null;
  const [p = '', q = ''] = hash.slice(2).split('?', 2);
  return {
    path: p
      .split('/')
      .filter(Boolean)
      .map((s) => decodeURIComponent(s)),
    query: new URLSearchParams(q),
  };
}

export function href(path: string[], query?: { from?: string; to?: string }): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v) q.set(k, v);
  const qs = q.toString();
  return `#/${path.map(encodeURIComponent).join('/')}${qs ? `?${qs}` : ''}`;
}

export function useRoute(): Route {
  const [route, setRoute] = useState<Route>(
    () => parseHash(window.location.hash) ?? { path: [], query: new URLSearchParams() },
  );
  useEffect(() => {
    const on = (): void => {
      const r = parseHash(window.location.hash);
      if (r) setRoute(r);
    };
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}

export interface Loaded<T> {
  /** The answer to the current request only: never an earlier one's (no old numbers under new labels). */
  data: T | null;
  error: ApiError | null;
  /** The current request is under way (also while `reload` refreshes its data). */
  loading: boolean;
  reload: () => void;
}

interface Answer<T> {
  path: string | null;
  data: T | null;
  error: ApiError | null;
  loading: boolean;
}

/**
 * GET route `key` with `request` (null: nothing to load yet); loads again when the request's
 * address changes. The answer has the type of the route's response schema. It is kept with the
 * address it answers, so in the very render where the address changes (a new date range, another
 * group) the old data are gone and `loading` is true: a page shows its loading state, never the
 * previous range's numbers under the new range's labels. `reload` keeps the data of the same
 * address on screen while it refreshes them.
 */
export function useApi<K extends JsonGetKey>(
  key: K,
  ...args: ApiArgs<K> | [request: null]
): Loaded<ApiResponse<K>> {
  type T = ApiResponse<K>;
  const path = args[0] === null ? null : apiPath(key, ...(args as ApiArgs<K>));
  const [state, setState] = useState<Answer<T>>({
    path,
    data: null,
    error: null,
    loading: path !== null,
  });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (path === null) return;
    let live = true;
    setState((s) =>
      s.path === path
        ? { ...s, loading: true, error: null }
        : { path, data: null, error: null, loading: true },
    );
    send('GET', path).then(
      (data) => live && setState({ path, data: data as T, error: null, loading: false }),
      (e: unknown) =>
        live &&
        setState({
          path,
          data: null,
          error: e instanceof ApiError ? e : new ApiError(0, 'NETWORK', String(e)),
          loading: false,
        }),
    );
    return () => {
      live = false;
    };
  }, [path, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  if (state.path !== path) return { data: null, error: null, loading: path !== null, reload };
  return { ...state, reload };
}

/**
 * The tools and their go-lives this account may see (`GET /api/tools`), one mark per go-live, for
 * the trend charts and the "Since go-live" preset; none when refused. `ready` once answered (or
 * refused): pages draw their charts then, once, with the go-lives on them.
 */
export function useGoLives(): {
  tools: Loaded<ApiResponse<'GET /api/tools'>>;
  marks: GoLiveMark[];
  ready: boolean;
} {
  const tools = useApi('GET /api/tools');
  const marks = useMemo(() => goLiveMarks(tools.data), [tools.data]);
  return { tools, marks, ready: tools.data !== null || tools.error !== null };
}

/**
 * While a report's figures are marked `updating` (an import is being included), ask again every
 * few seconds; the figures on screen stay until the new ones arrive (`reload` keeps the path's data).
 */
export function useRefreshWhileUpdating(
  loaded: Loaded<{ freshness?: { updating: boolean } }>,
  everyMs = 3000,
): void {
  const updating = !!loaded.data?.freshness?.updating;
  const { loading, reload } = loaded;
  useEffect(() => {
    if (!updating || loading) return;
    const t = setTimeout(reload, everyMs);
    return () => clearTimeout(t);
  }, [updating, loading, reload, everyMs]);
}
