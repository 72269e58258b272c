/** Small hooks: the hash route and one API request's state. */
import { useCallback, useEffect, useState } from 'react';
import { api, ApiError } from './api.ts';

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
  data: T | null;
  error: ApiError | null;
  loading: boolean;
  reload: () => void;
}

/** GET `path` (null: nothing to load yet); reloads when `path` changes. */
export function useApi<T>(path: string | null): Loaded<T> {
  const [state, setState] = useState<{ data: T | null; error: ApiError | null; loading: boolean }>({
    data: null,
    error: null,
    loading: path !== null,
  });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (path === null) return;
    let live = true;
    setState((s) => ({ ...s, loading: true, error: null }));
    api<T>(path).then(
      (data) => live && setState({ data, error: null, loading: false }),
      (e: unknown) =>
        live &&
        setState({
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
  return { ...state, reload };
}
