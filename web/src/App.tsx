/**
 * The shell: sign-in, the role-aware navigation, and the page for the current route. Pages a role
 * may not see are not in its navigation; the server refuses their data anyway. A patient's
 * follow-up link (`#/f/<token>`) opens its own page instead, without sign-in or navigation.
 */
import { useCallback, useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import {
  api,
  ApiError,
  NOTIFICATIONS_CHANGED,
  setCsrf,
  setUnauthorizedHandler,
  type Me,
  type Role,
} from './api.ts';
import { ssoFailureText } from '../../src/model/ssoFailures.ts';
import { href, parseHash, useApi, useRoute } from './hooks.ts';
import { ErrorBox, Loading, type Range } from './components/ui.tsx';
import { OrganisationPage } from './pages/Organisation.tsx';
import { GroupPage } from './pages/Group.tsx';
import { MyReportPage } from './pages/MyReport.tsx';
import { DataPage } from './pages/Data.tsx';
import { SettingsPage } from './pages/Settings.tsx';
import { AccessLogPage } from './pages/AccessLog.tsx';
import { HelpPage } from './pages/Help.tsx';
import { AdoptionPage } from './pages/Adoption.tsx';
import { GoLivePage } from './pages/GoLive.tsx';
import { PatientsPage } from './pages/Patients.tsx';
import { GoalsPage } from './pages/Goals.tsx';
import { FeedbackPage } from './pages/Feedback.tsx';
import { SurveysPage } from './pages/Surveys.tsx';
import { TriagePage } from './pages/Triage.tsx';
import { ItDashboardPage } from './pages/ItDashboard.tsx';
import { Bell, NoticesPage } from './pages/Notices.tsx';
import { TellItButton, TellItDialog } from './components/TellIt.tsx';
import { PatientFollowupPage } from './pages/PatientFollowup.tsx';

type PageKey =
  | 'org'
  | 'groups'
  | 'adoption'
  | 'golive'
  | 'patients'
  | 'me'
  | 'goals'
  | 'surveys'
  | 'help'
  | 'feedback'
  | 'triage'
  | 'it-dashboard'
  | 'notices'
  | 'data'
  | 'settings'
  | 'access-log';

interface NavItem {
  key: PageKey;
  label: string;
  roles: readonly Role[];
  /** Shown only to accounts linked to a clinician. */
  needsClinician?: boolean;
  /** Reached otherwise than through the list (the bell): not listed in the navigation. */
  unlisted?: boolean;
}

const EVERYONE: readonly Role[] = ['admin', 'it', 'leader', 'champion', 'clinician'];

// `it` (IT / clinical-informatics staff) sees aggregates like a leader of the whole organisation,
// never an individual's numbers, and triages feedback.
export const NAV: readonly NavItem[] = [
  { key: 'org', label: 'Organisation', roles: ['admin', 'leader', 'it'] },
  { key: 'groups', label: 'Groups', roles: ['admin', 'leader', 'champion', 'it'] },
  { key: 'adoption', label: 'Adoption', roles: ['admin', 'leader', 'it'] },
  { key: 'golive', label: 'Go-live', roles: ['admin', 'leader', 'it'] },
  { key: 'patients', label: 'Patients', roles: ['admin', 'leader', 'it'] },
  {
    key: 'me',
    label: 'My report',
    roles: ['admin', 'leader', 'champion', 'clinician'],
    needsClinician: true,
  },
  { key: 'goals', label: 'Goals', roles: EVERYONE },
  { key: 'surveys', label: 'Surveys', roles: ['admin', 'it', 'leader', 'champion'] },
  { key: 'help', label: 'Help requests', roles: ['admin', 'champion', 'it'] },
  { key: 'feedback', label: 'My feedback', roles: ['admin', 'leader', 'champion', 'clinician'] },
  { key: 'triage', label: 'Triage', roles: ['admin', 'it'] },
  { key: 'it-dashboard', label: 'IT dashboard', roles: ['admin', 'it'] },
  { key: 'notices', label: 'Notices', roles: EVERYONE, unlisted: true },
  { key: 'data', label: 'Data', roles: ['admin'] },
  { key: 'settings', label: 'Settings', roles: ['admin'] },
  { key: 'access-log', label: 'Access log', roles: ['admin'] },
];

export function allowedPages(me: Me): PageKey[] {
  return NAV.filter((n) => n.roles.includes(me.role) && (!n.needsClinician || me.clinician_id)).map(
    (n) => n.key,
  );
}

function homeOf(me: Me): PageKey {
  return allowedPages(me).find((k) => !NAV.find((n) => n.key === k)?.unlisted) ?? 'me';
}

/**
 * The token of a patient's follow-up link (`#/f/<token>`), or null for every other address. That
 * page is shown without signing in, before (and instead of) anything that asks for a session.
 */
export function patientLinkToken(hash: string): string | null {
  const r = parseHash(hash);
  return r && r.path[0] === 'f' && r.path.length === 2 && r.path[1] ? r.path[1] : null;
}

export function App(): ReactNode {
  const [token, setToken] = useState(() => patientLinkToken(window.location.hash));
  useEffect(() => {
    const on = (): void => setToken(patientLinkToken(window.location.hash));
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return token ? <PatientFollowupPage token={token} /> : <StaffApp />;
}

/** Uptake for its users: sign-in, then the shell. */
function StaffApp(): ReactNode {
  const [me, setMe] = useState<Me | null>(null);
  const [checked, setChecked] = useState(false);
  const [notice, setNotice] = useState('');
  // After signing in on the page, focus goes to the first page's heading (not on a reload).
  const [interactive, setInteractive] = useState(false);

  useEffect(() => {
    api('GET /api/me').then(
      (m) => {
        setCsrf(m.csrf);
        setMe(m);
        setChecked(true);
      },
      () => setChecked(true),
    );
  }, []);

  // A 401 while signed in means the session ended; before signing in it is the normal answer.
  const signedInRef = useRef(false);
  signedInRef.current = me !== null;
  useEffect(() => {
    setUnauthorizedHandler(() => {
      if (!signedInRef.current) return;
      setMe(null);
      setNotice('Your session has ended. Please sign in again.');
    });
    return () => setUnauthorizedHandler(null);
  }, []);

  const signedIn = useCallback((m: Me) => {
    setCsrf(m.csrf);
    setNotice('');
    setInteractive(true);
    setMe(m);
  }, []);

  const signOut = useCallback(async () => {
    try {
      await api('POST /api/logout');
    } catch {
      // Signed out either way.
    }
    setCsrf('');
    setMe(null);
    setNotice('You have signed out.');
    window.location.hash = '';
  }, []);

  if (!checked) return <Loading what="Uptake" />;
  if (!me) return <Login onSignedIn={signedIn} notice={notice} />;
  return <Shell me={me} onSignOut={signOut} focusFirst={interactive} />;
}

/** Whether the app is shown inside a frame of another page (an EHR embedding it). */
function inFrame(): boolean {
  try {
    return window.self !== window.top;
  } catch {
    // A cross-origin parent may not even be compared: framed.
    return true;
  }
}

function Login({ onSignedIn, notice }: { onSignedIn: (m: Me) => void; notice: string }): ReactNode {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const sso = useApi('GET /api/sso');
  const hashQuery = new URLSearchParams(window.location.hash.split('?')[1] ?? '');
  // A failed single sign-on comes back as #/?sso_error=<code>: say why, in fixed words only (any
  // text in the address would let a crafted link put words on Uptake's sign-in page).
  const ssoCode = hashQuery.get('sso_error');
  const ssoError = ssoCode === null ? null : ssoFailureText(ssoCode);
  // A SMART launch whose cookie this browser did not keep comes back as #/?sso_window=<launch>.
  const retry = hashQuery.get('sso_window');
  const launchAgain = retry?.startsWith('/api/sso/smart/launch?') ? retry : null;
  const framed = inFrame();
  useEffect(() => {
    document.title = 'Sign in — Uptake';
  }, []);
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      const r = await api('POST /api/login', { body: { username, password } });
      onSignedIn(r.user);
    } catch (err) {
      setError(
        err instanceof ApiError && err.status === 401
          ? 'The user name or password is not right.'
          : err instanceof ApiError
            ? err.message
            : 'The server could not be reached.',
      );
    } finally {
      setBusy(false);
    }
  };
  return (
    <main id="main" className="login">
      <h1>Uptake</h1>
      <p className="question">Clinician EHR-burden metrics from your systems' audit logs.</p>
      {notice ? (
        <p className="notice" role="status">
          {notice}
        </p>
      ) : null}
      {ssoError ? (
        <p className="form-problem" role="alert">
          Single sign-on did not work. {ssoError}
        </p>
      ) : null}
      {launchAgain ? (
        <div className="form-problem" role="alert">
          <p>
            {framed
              ? 'Your browser does not let Uptake keep you signed in inside this window (it blocks the cookies of apps shown inside another site).'
              : 'Your browser did not keep Uptake’s sign-in cookie; allow cookies for this site, or open the launch again.'}
          </p>
          <p>
            <a className="button" href={launchAgain} target="_blank" rel="noopener">
              Open Uptake in a new window
            </a>
          </p>
        </div>
      ) : framed ? (
        <p className="notice" data-framed>
          Uptake is shown inside another application. If signing in does not work here,{' '}
          <a href="/" target="_blank" rel="noopener">
            open Uptake in a new window
          </a>
          .
        </p>
      ) : null}
      {sso.data?.oidc ? (
        <p>
          {/* Identity providers refuse to be framed: inside a frame, sign in in a new window. */}
          <a
            className="button"
            href={sso.data.oidc.login}
            {...(framed ? { target: '_blank', rel: 'noopener' } : {})}
          >
            Sign in with {sso.data.oidc.label}
            {framed ? ' (opens a new window)' : ''}
          </a>
        </p>
      ) : null}
      <form onSubmit={(e) => void submit(e)} aria-label="Sign in">
        <label>
          User name
          <input
            name="username"
            autoComplete="username"
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            required
          />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
        </label>
        {error ? (
          <p className="form-problem" role="alert">
            {error}
          </p>
        ) : null}
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}

function Shell({
  me,
  onSignOut,
  focusFirst,
}: {
  me: Me;
  onSignOut: () => Promise<void>;
  focusFirst: boolean;
}): ReactNode {
  const route = useRoute();
  const meta = useApi('GET /api/meta');
  const allowed = allowedPages(me);
  const page = (route.path[0] ?? homeOf(me)) as PageKey;
  const mainRef = useRef<HTMLElement>(null);
  const first = useRef(true);
  const pathKey = route.path.join('/');

  // Move focus to the new page's heading, as a screen-reader user expects after a link.
  // The heading may appear only once the page's first data has come, so the wish waits for it.
  const wantFocus = useRef(false);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      if (!focusFirst) return;
    }
    wantFocus.current = true;
  }, [pathKey, focusFirst]);
  useEffect(() => {
    if (!wantFocus.current) return;
    const h1 = mainRef.current?.querySelector('h1');
    if (h1) {
      h1.focus();
      wantFocus.current = false;
    }
  });

  // Help requests sent to the caller and not yet seen: a count on the navigation item, asked
  // again on every page and whenever the Help requests page marks some as seen.
  const canHelp = allowed.includes('help');
  const [unread, setUnread] = useState(0);
  useEffect(() => {
    if (!canHelp) return;
    let live = true;
    const load = (): void => {
      api('GET /api/notifications').then(
        (n) => live && setUnread(n.help_requests),
        () => undefined,
      );
    };
    load();
    window.addEventListener(NOTIFICATIONS_CHANGED, load);
    return () => {
      live = false;
      window.removeEventListener(NOTIFICATIONS_CHANGED, load);
    };
  }, [canHelp, pathKey]);

  const label = NAV.find((n) => n.key === page)?.label ?? 'Uptake';
  useEffect(() => {
    document.title = `${label} — Uptake`;
  }, [label]);

  // A page without a range in its URL shows its default: the last 12 complete weeks of the dense
  // data for the reports, every complete dense week for Adoption and Go-live (the server's).
  const pageDefault =
    meta.data && (page === 'adoption' || page === 'golive') && meta.data.analysis
      ? meta.data.analysis
      : meta.data;
  const range: Range | null = pageDefault
    ? {
        from: route.query.get('from') ?? pageDefault.from,
        to: route.query.get('to') ?? pageDefault.to,
      }
    : null;
  // Only a range the reader chose travels with the navigation; each page has its own default.
  const chosen =
    route.query.get('from') || route.query.get('to')
      ? { from: route.query.get('from') ?? '', to: route.query.get('to') ?? '' }
      : undefined;
  const setRange = (r: Range): void => {
    window.location.hash = href(route.path.length ? route.path : [page], r);
  };

  let content: ReactNode;
  if (!NAV.some((n) => n.key === page)) {
    content = (
      <div className="error" role="alert">
        <h1 tabIndex={-1}>Page not found</h1>
        <p>
          <a href={href([homeOf(me)])}>Go to your start page</a>.
        </p>
      </div>
    );
  } else if (!allowed.includes(page)) {
    content = (
      <div className="error" role="alert" data-error-status="403">
        <h1 tabIndex={-1}>Not available</h1>
        <p>
          {page === 'me'
            ? 'Your account is not linked to a clinician, so there is no personal report.'
            : `The ${label} page is not available to your role (${me.role}).`}{' '}
          <a href={href([homeOf(me)])}>Go to your start page</a>.
        </p>
      </div>
    );
  } else if (meta.error) {
    content = <ErrorBox error={meta.error} />;
  } else if (!meta.data || !range) {
    content = <Loading what="the data's time range" />;
  } else {
    const common = { me, meta: meta.data, range, setRange };
    switch (page) {
      case 'org':
        content = <OrganisationPage {...common} />;
        break;
      case 'groups':
        content = <GroupPage {...common} by={route.path[1]} value={route.path[2]} />;
        break;
      case 'adoption':
        content = <AdoptionPage {...common} />;
        break;
      case 'golive':
        content = <GoLivePage {...common} />;
        break;
      case 'patients':
        content = <PatientsPage {...common} />;
        break;
      case 'me':
        content = <MyReportPage {...common} />;
        break;
      case 'data':
        content = <DataPage {...common} importId={route.path[1]} />;
        break;
      case 'settings':
        content = <SettingsPage {...common} />;
        break;
      case 'help':
        content = <HelpPage {...common} />;
        break;
      case 'goals':
        content = <GoalsPage {...common} sub={route.path[1]} />;
        break;
      case 'feedback':
        content = <FeedbackPage {...common} sub={route.path[1]} />;
        break;
      case 'surveys':
        content = <SurveysPage {...common} sub={route.path[1]} />;
        break;
      case 'triage':
        content = <TriagePage {...common} sub={route.path[1]} />;
        break;
      case 'it-dashboard':
        content = <ItDashboardPage {...common} />;
        break;
      case 'notices':
        content = <NoticesPage {...common} />;
        break;
      case 'access-log':
        content = <AccessLogPage {...common} />;
        break;
    }
  }

  return (
    <>
      <a
        className="skip-link"
        href="#main"
        onClick={(e) => {
          e.preventDefault();
          mainRef.current?.focus();
        }}
      >
        Skip to main content
      </a>
      <header className="site-header">
        <a className="brand" href={href([homeOf(me)])}>
          Uptake
        </a>
        <nav aria-label="Main">
          <ul>
            {NAV.filter((n) => allowed.includes(n.key) && !n.unlisted).map((n) => (
              <li key={n.key}>
                <a href={href([n.key], chosen)} aria-current={n.key === page ? 'page' : undefined}>
                  {n.label}
                  {n.key === 'help' && unread > 0 ? (
                    <>
                      {' '}
                      <span className="badge" data-testid="help-unread">
                        {unread}
                        <span className="visually-hidden"> new</span>
                      </span>
                    </>
                  ) : null}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div className="account">
          <Bell pathKey={pathKey} current={page === 'notices'} />
          {me.role !== 'it' ? <TellItButton /> : null}
          <span>
            {me.username} <span className="role">({me.role})</span>
          </span>
          <button type="button" className="secondary" onClick={() => void onSignOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" ref={mainRef} tabIndex={-1}>
        {content}
      </main>
      <footer className="site-footer">
        <p>
          Uptake{meta.data ? ` ${meta.data.version}` : ''} · Individual numbers are private: each
          clinician sees their own; others see groups of at least the suppression threshold. Every
          view is recorded in the access log.
        </p>
      </footer>
      {me.role !== 'it' ? <TellItDialog me={me} /> : null}
    </>
  );
}
