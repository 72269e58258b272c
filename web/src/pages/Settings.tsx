/**
 * Settings (administrators): "Who may see what, and how are numbers computed?" Suppression
 * threshold, identified reports, the organisation's time zone, the buy-in program's rules
 * (holidays, feedback clock targets, goal voting rules: `ProgramSettings.tsx`), and the user
 * accounts.
 */
import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import {
  api,
  ApiError,
  members,
  type GroupKind,
  type Role,
  type Settings,
  type User,
} from '../api.ts';
import { CsvButton } from '../components/Chart.tsx';
import { ErrorBox, Loading, PageHeader, Select, type PageProps } from '../components/ui.tsx';
import { useApi } from '../hooks.ts';
import { GROUP_BY_LABEL } from '../metrics.ts';
import { ProgramSettings } from './ProgramSettings.tsx';

/** The defaults of every report's metric options (the organisation's time zone apart). */
type MetricDefaults = Settings['metric_options'];
type Channel = MetricDefaults['exclude_channels'][number];
type Wow = MetricDefaults['wow'];

// Keyed by the server's closed sets: a channel, window or role added there must be named here.
const CHANNELS = members<Channel>({ desktop: true, mobile: true, web: true, api: true });
const WOW_CHOICES: Record<Wow, string> = {
  schedule: 'outside the scheduled sessions',
  schedule30: 'outside the sessions widened by 30 minutes',
  outside7to7: 'every day 19:00–07:00',
  pajama: 'weekdays 17:30–07:00 and weekends',
  after18to06: 'weekdays 18:00–06:00 and weekends',
};

const ROLE_TEXT: Record<Role, string> = {
  admin: 'everything, settings and the access log',
  it: 'IT / informatics staff: triage feedback, the IT dashboard, aggregates only',
  leader: 'the organisation and their groups',
  champion: "their unit's groups",
  clinician: 'their own report only',
};
const ROLES = members(ROLE_TEXT);

const zones = (): string[] => {
  const f = (Intl as unknown as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf;
  return f ? f('timeZone') : [];
};

export function SettingsPage({ me, meta }: PageProps): ReactNode {
  const settings = useApi('GET /api/settings');
  return (
    <>
      <PageHeader
        title="Settings"
        question="Who may see what, and in which time zone are days and weeks counted?"
      />
      {settings.error ? <ErrorBox error={settings.error} /> : null}
      {settings.loading && !settings.data ? <Loading what="settings" /> : null}
      {settings.data ? <SettingsForm initial={settings.data} onSaved={settings.reload} /> : null}
      {settings.data ? <ProgramSettings initial={settings.data} onSaved={settings.reload} /> : null}
      <Users
        meName={me.username}
        departments={meta.departments}
        specialties={meta.specialties}
        roles={meta.roles}
      />
    </>
  );
}

function SettingsForm({ initial, onSaved }: { initial: Settings; onSaved: () => void }): ReactNode {
  const [threshold, setThreshold] = useState(String(initial.suppression_threshold));
  const [identified, setIdentified] = useState(initial.identified_reports);
  const [timezone, setTimezone] = useState(initial.timezone);
  const [mo, setMo] = useState<MetricDefaults>(initial.metric_options);
  const setOpt = <K extends keyof MetricDefaults>(k: K, v: MetricDefaults[K]): void =>
    setMo((o) => ({ ...o, [k]: v }));
  const [saved, setSaved] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setSaved('');
    setError(null);
    try {
      await api('PUT /api/settings', {
        body: {
          suppression_threshold: Number(threshold),
          identified_reports: identified,
          timezone,
          metric_options: mo,
        },
      });
      setSaved('Settings saved.');
      onSaved();
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'NETWORK', String(err)));
    }
  };
  return (
    <section className="section" aria-labelledby="privacy">
      <h2 id="privacy">Privacy and time</h2>
      <form className="settings" onSubmit={(e) => void submit(e)} aria-labelledby="privacy">
        <label>
          Suppression threshold
          <input
            type="number"
            min={1}
            step={1}
            value={threshold}
            onChange={(e) => setThreshold(e.target.value)}
            aria-describedby="threshold-help"
            required
          />
        </label>
        <p id="threshold-help" className="help">
          Groups with fewer clinicians (with scheduled time) than this are shown to everyone but
          administrators as suppressed, without numbers. 5 is the usual minimum.
        </p>
        <label className="check">
          <input
            type="checkbox"
            checked={identified}
            onChange={(e) => setIdentified(e.target.checked)}
            aria-describedby="identified-help"
          />
          Identified reports
        </label>
        <p id="identified-help" className="help">
          When on, group pages list each clinician by name with their numbers. Off by default: each
          clinician's numbers are theirs alone, and others see only groups.
        </p>
        <label>
          Organisation time zone
          <input
            list="zones"
            value={timezone}
            onChange={(e) => setTimezone(e.target.value)}
            aria-describedby="tz-help"
            required
          />
        </label>
        <datalist id="zones">
          {zones().map((z) => (
            <option key={z} value={z} />
          ))}
        </datalist>
        <p id="tz-help" className="help">
          An IANA name such as America/New_York: local days, weeks and clock windows (after hours)
          are counted in it.
        </p>
        <fieldset className="options">
          <legend>How EHR time is measured (defaults of every report)</legend>
          <label>
            Longest gap that still counts as work (seconds)
            <input
              type="number"
              min={1}
              step={1}
              value={mo.timeout_seconds}
              onChange={(e) => setOpt('timeout_seconds', Number(e.target.value))}
              required
            />
          </label>
          <Select
            label="A longer gap counts"
            value={mo.over_timeout}
            onChange={(v) => setOpt('over_timeout', v as MetricDefaults['over_timeout'])}
          >
            <option value="drop">nothing</option>
            <option value="cap">the longest gap</option>
          </Select>
          <Select
            label="A gap belongs to"
            value={mo.direction}
            onChange={(v) => setOpt('direction', v as MetricDefaults['direction'])}
          >
            <option value="forward">the earlier event</option>
            <option value="backward">the later event</option>
          </Select>
          <Select
            label="Time crossing a clock boundary is"
            value={mo.attribution}
            onChange={(v) => setOpt('attribution', v as MetricDefaults['attribution'])}
          >
            <option value="split">split exactly</option>
            <option value="start">counted where its event stands</option>
          </Select>
          <label>
            Appointments this close form one session (minutes)
            <input
              type="number"
              min={0}
              step={1}
              value={mo.session_merge_gap_minutes}
              onChange={(e) => setOpt('session_merge_gap_minutes', Number(e.target.value))}
              required
            />
          </label>
          <Select
            label="Work outside work (WOW8) is EHR time"
            value={mo.wow}
            onChange={(v) => setOpt('wow', v as Wow)}
          >
            {Object.entries(WOW_CHOICES).map(([k, t]) => (
              <option key={k} value={k}>
                {t}
              </option>
            ))}
          </Select>
          <fieldset>
            <legend>Leave out use on</legend>
            {CHANNELS.map((c) => (
              <label className="check" key={c}>
                <input
                  type="checkbox"
                  checked={mo.exclude_channels.includes(c)}
                  onChange={(e) =>
                    setOpt(
                      'exclude_channels',
                      e.target.checked
                        ? [...mo.exclude_channels, c]
                        : mo.exclude_channels.filter((x) => x !== c),
                    )
                  }
                />
                {c}
              </label>
            ))}
          </fieldset>
        </fieldset>
        <button type="submit">Save settings</button>
        <div role="status" aria-live="polite">
          {saved ? <p className="ok">{saved}</p> : null}
        </div>
        {error ? <ErrorBox error={error} /> : null}
      </form>
    </section>
  );
}

function Users({
  meName,
  departments,
  specialties,
  roles,
}: {
  meName: string;
  departments: string[];
  specialties: string[];
  roles: string[];
}): ReactNode {
  const users = useApi('GET /api/users');
  const list = users.data ?? [];
  const [error, setError] = useState<ApiError | null>(null);
  const [status, setStatus] = useState('');
  const [editing, setEditing] = useState<User | null>(null);
  const resetPassword = async (u: string): Promise<void> => {
    if (!window.confirm(`Give ${u} a new password? Their sessions end.`)) return;
    setError(null);
    // 16 random bytes from the browser's CSPRNG, as URL-safe base64 (22 characters).
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    const password = btoa(String.fromCharCode(...bytes))
      .replaceAll('+', '-')
      .replaceAll('/', '_')
      .replace(/=+$/, '');
    try {
      await api('PUT /api/users/:username', { params: { username: u }, body: { password } });
      setStatus(
        `New password for ${u}: ${password} — give it to them privately; it is not shown again.`,
      );
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'NETWORK', String(err)));
    }
  };
  const remove = async (u: string): Promise<void> => {
    if (!window.confirm(`Delete the account ${u}?`)) return;
    setError(null);
    try {
      await api('DELETE /api/users/:username', { params: { username: u } });
      setStatus(`Deleted ${u}.`);
      users.reload();
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'NETWORK', String(err)));
    }
  };
  return (
    <section className="section" aria-labelledby="users">
      <h2 id="users">Users and roles</h2>
      <ul className="role-help">
        {ROLES.map((r) => (
          <li key={r}>
            <strong>{r}</strong>: {ROLE_TEXT[r]}
          </li>
        ))}
      </ul>
      {users.error ? <ErrorBox error={users.error} /> : null}
      {users.loading && !users.data ? <Loading what="users" /> : null}
      {users.data ? (
        <div className="table-wrap" tabIndex={0} role="region" aria-label="Users table">
          <table>
            <caption>Accounts</caption>
            <thead>
              <tr>
                <th scope="col">User</th>
                <th scope="col">Role</th>
                <th scope="col">Clinician</th>
                <th scope="col">Groups</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((u) => (
                <tr key={u.username}>
                  <th scope="row">{u.username}</th>
                  <td>{u.role}</td>
                  <td>{u.clinician_id ?? '—'}</td>
                  <td>
                    {u.groups
                      .map((g) => `${GROUP_BY_LABEL[g.by] ?? g.by}: ${g.value}`)
                      .join('; ') || '—'}
                  </td>
                  <td className="actions">
                    {u.username !== meName ? (
                      <>
                        <button
                          type="button"
                          className="secondary small"
                          onClick={() => setEditing(u)}
                          aria-label={`Edit ${u.username}`}
                        >
                          Edit
                        </button>{' '}
                        <button
                          type="button"
                          className="secondary small"
                          onClick={() => void resetPassword(u.username)}
                          aria-label={`New password for ${u.username}`}
                        >
                          New password
                        </button>{' '}
                        <button
                          type="button"
                          className="secondary small"
                          onClick={() => void remove(u.username)}
                          aria-label={`Delete ${u.username}`}
                        >
                          Delete
                        </button>
                      </>
                    ) : (
                      <span className="muted">you</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {list.length ? (
        <CsvButton
          title="Accounts"
          data={{
            columns: ['User', 'Role', 'Clinician', 'Groups'],
            rows: list.map((u) => [
              u.username,
              u.role,
              u.clinician_id,
              u.groups.map((g) => `${GROUP_BY_LABEL[g.by] ?? g.by}: ${g.value}`).join('; '),
            ]),
          }}
        />
      ) : null}
      <div role="status" aria-live="polite">
        {status ? <p className="ok">{status}</p> : null}
      </div>
      {error ? <ErrorBox error={error} /> : null}
      <AddUser
        key={editing?.username ?? 'new'}
        editing={editing}
        onCancel={() => setEditing(null)}
        onAdded={(u) => {
          setStatus(editing ? `Changed ${u}.` : `Added ${u}.`);
          setEditing(null);
          users.reload();
        }}
        departments={departments}
        specialties={specialties}
        roles={roles}
      />
    </section>
  );
}

function AddUser({
  onAdded,
  onCancel,
  editing,
  departments,
  specialties,
  roles,
}: {
  onAdded: (u: string) => void;
  onCancel: () => void;
  /** An account to change instead of a new one. */
  editing: User | null;
  departments: string[];
  specialties: string[];
  roles: string[];
}): ReactNode {
  const [username, setUsername] = useState(editing?.username ?? '');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<Role>(editing?.role ?? 'clinician');
  const [clinicianId, setClinicianId] = useState(editing?.clinician_id ?? '');
  const [groupBy, setGroupBy] = useState<GroupKind>(editing?.groups[0]?.by ?? 'department');
  const [group, setGroup] = useState(editing?.groups[0]?.value ?? '');
  const prevBy = useRef(groupBy);
  const [error, setError] = useState<ApiError | null>(null);
  const values =
    groupBy === 'department' ? departments : groupBy === 'specialty' ? specialties : roles;
  useEffect(() => {
    // A new kind of group starts empty (the edited account's own group stays at first).
    if (prevBy.current !== groupBy) {
      prevBy.current = groupBy;
      setGroup('');
    }
  }, [groupBy]);
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setError(null);
    try {
      const groups = group ? [{ by: groupBy, value: group }] : [];
      if (editing)
        await api('PUT /api/users/:username', {
          params: { username: editing.username },
          body: {
            role,
            clinician_id: clinicianId || null,
            ...(groups.length ? { groups } : {}),
            ...(password ? { password } : {}),
          },
        });
      else
        await api('POST /api/users', {
          body: { username, password, role, clinician_id: clinicianId || null, groups },
        });
      onAdded(username);
      setUsername('');
      setPassword('');
      setClinicianId('');
      setGroup('');
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'NETWORK', String(err)));
    }
  };
  return (
    <form className="add-user" onSubmit={(e) => void submit(e)} aria-labelledby="add-user">
      <h3 id="add-user">{editing ? `Change ${editing.username}` : 'Add a user'}</h3>
      <label>
        User name
        <input
          value={username}
          onChange={(e) => setUsername(e.target.value)}
          autoComplete="off"
          readOnly={!!editing}
          required
        />
      </label>
      <label>
        Password
        <input
          type="password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          autoComplete="new-password"
          minLength={10}
          aria-describedby="pw-help"
          required={!editing}
        />
      </label>
      <p id="pw-help" className="help">
        At least 10 characters.{editing ? ' Leave empty to keep the password.' : ''}
      </p>
      <Select label="Role" value={role} onChange={(v) => setRole(v as Role)}>
        {ROLES.map((r) => (
          <option key={r} value={r}>
            {r}
          </option>
        ))}
      </Select>
      <label>
        Clinician id (for their own report)
        <input value={clinicianId} onChange={(e) => setClinicianId(e.target.value)} />
      </label>
      <fieldset>
        <legend>Group they lead or champion</legend>
        <Select label="Kind" value={groupBy} onChange={(v) => setGroupBy(v as GroupKind)}>
          <option value="department">Department</option>
          <option value="specialty">Specialty</option>
          <option value="role">Role</option>
        </Select>
        <Select label="Group" value={group} onChange={(v) => setGroup(v)}>
          <option value="">none</option>
          {values.map((v) => (
            <option key={v} value={v}>
              {v}
            </option>
          ))}
        </Select>
      </fieldset>
      <button type="submit">{editing ? 'Save changes' : 'Add user'}</button>
      {editing ? (
        <button type="button" className="secondary" onClick={onCancel}>
          Cancel
        </button>
      ) : null}
      {editing ? <p className="help">A new role or password ends the account's sessions.</p> : null}
      {error ? <ErrorBox error={error} /> : null}
    </form>
  );
}
