/** The demo's accounts table: every line's columns start where the header's do. */
import { describe, expect, it } from 'vitest';
import { describeAccounts, type DemoAccount } from './demoAccounts.ts';

const account = (role: DemoAccount['role'], username: string): DemoAccount => ({
  username,
  password: 'pw-' + username,
  role,
  clinician_id: null,
  groups: [],
  about: `about ${username}`,
});

describe('describeAccounts', () => {
  it('aligns an extra account (the invited clinician) with the others', () => {
    const text = describeAccounts(
      [account('admin', 'admin'), account('clinician', 'tobias.underwood')],
      [{ label: 'invited', username: 'felix.ellery', password: 'pw-felix.ellery', about: 'x' }],
    );
    const lines = text.split('\n');
    expect(lines).toHaveLength(3);
    // The user name column is as wide as the longest name (16), then two spaces.
    expect(lines[0]).toBe('  admin      admin             pw-admin   about admin');
    expect(lines[2]).toBe('  invited    felix.ellery      pw-felix.ellery   x');
    const at = lines.map((l) => l.indexOf('pw-'));
    expect(new Set(at).size).toBe(1);
  });
});
