/**
 * Notices (docs/program.md §Feedback, "closing the loop"): the bell in the navigation with the
 * unread count, asked again on every page and whenever notices are read; the list of notices,
 * newest first, each leading to its feedback item or goal, read one by one or all at once. A
 * notice shows an item's text only when its reader may read the item (the server renders it).
 */
import { useEffect, useState, type ReactNode } from 'react';
import { api, ApiError, NOTIFICATIONS_CHANGED, notificationsChanged, type Notice } from '../api.ts';
import { ErrorBox, Loading, PageHeader, type PageProps } from '../components/ui.tsx';
import { zoned } from '../dates.ts';
import { href, useApi } from '../hooks.ts';
import { NOTICE_LABEL, noticeHref, stateWords } from '../program.ts';
import { excerpt } from './Feedback.tsx';

/** The bell: a link to the notices with the unread count; `pathKey` asks again on each page. */
export function Bell({ pathKey, current }: { pathKey: string; current: boolean }): ReactNode {
  const [unread, setUnread] = useState(0);
  useEffect(() => {
    let live = true;
    const load = (): void => {
      api('GET /api/notices/unread').then(
        (n) => live && setUnread(n.unread),
        () => undefined,
      );
    };
    load();
    window.addEventListener(NOTIFICATIONS_CHANGED, load);
    return () => {
      live = false;
      window.removeEventListener(NOTIFICATIONS_CHANGED, load);
    };
  }, [pathKey]);
  return (
    <a
      className="bell"
      href={href(['notices'])}
      aria-current={current ? 'page' : undefined}
      data-testid="bell"
    >
      <svg aria-hidden="true" focusable="false" width="18" height="18" viewBox="0 0 24 24">
        <path
          fill="currentColor"
          d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3a1.5 1.5 0 0 0-3 0v1.16A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2Z"
        />
      </svg>
      <span>Notices</span>
      {unread > 0 ? (
        <>
          {' '}
          <span className="badge" data-testid="notices-unread">
            {unread}
            <span className="visually-hidden"> unread</span>
          </span>
        </>
      ) : null}
    </a>
  );
}

export function NoticesPage({ meta }: PageProps): ReactNode {
  const list = useApi('GET /api/notices', { query: { limit: '100' } });
  const [error, setError] = useState<ApiError | null>(null);
  const read = async (body: { ids: string[] } | { all: true }): Promise<void> => {
    setError(null);
    try {
      await api('POST /api/notices/read', { body });
      notificationsChanged();
      list.reload();
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(0, 'NETWORK', String(e)));
    }
  };
  const unread = list.data?.unread ?? 0;
  return (
    <>
      <PageHeader title="Notices" question="What changed in what I asked for or voted on?">
        <button
          type="button"
          className="secondary"
          disabled={!unread}
          onClick={() => void read({ all: true })}
        >
          Mark all as read
        </button>
      </PageHeader>
      {list.error ? <ErrorBox error={list.error} /> : null}
      {error ? <ErrorBox error={error} /> : null}
      {!list.data && !list.error ? <Loading what="your notices" /> : null}
      {list.data ? (
        <p className="lede" data-testid="notices-summary">
          {unread} unread of {list.data.notices.length}. Times in {meta.timezone}.
        </p>
      ) : null}
      {list.data && !list.data.notices.length ? <p>No notices yet.</p> : null}
      {list.data?.notices.length ? (
        <ul className="notice-list">
          {list.data.notices.map((n) => (
            <NoticeRow
              key={n.id}
              n={n}
              tz={meta.timezone}
              onRead={() => void read({ ids: [n.id] })}
            />
          ))}
        </ul>
      ) : null}
    </>
  );
}

function NoticeRow({ n, tz, onRead }: { n: Notice; tz: string; onRead: () => void }): ReactNode {
  return (
    <li data-notice={n.kind} data-read={n.read} className={n.read ? 'read' : 'unread'}>
      <p className="notice-head">
        {!n.read ? (
          <>
            <span className="new-marker">New</span>{' '}
          </>
        ) : null}
        <strong>{NOTICE_LABEL[n.kind]}</strong>
        {n.state ? ` · ${stateWords(n.state, false)}` : ''} ·{' '}
        <span className="muted">{zoned(n.created_at, tz)}</span>
      </p>
      <p>
        <a href={noticeHref(n)} onClick={n.read ? undefined : onRead}>
          {n.summary}
        </a>
      </p>
      {n.text ? <p className="muted">“{excerpt(n.text)}”</p> : null}
      {!n.read ? (
        <button type="button" className="link-button" onClick={onRead}>
          Mark as read
        </button>
      ) : null}
    </li>
  );
}
