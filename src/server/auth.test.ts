import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../admin/accounts.ts';
import { LoginLimiter, sameSecret } from './auth.ts';

describe('passwords', () => {
  it('hashes with scrypt, a salt per hash, and verifies', async () => {
    const a = await hashPassword('correct horse battery staple');
    const b = await hashPassword('correct horse battery staple');
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct horse battery staple', a)).toBe(true);
    expect(await verifyPassword('correct horse battery stapl', a)).toBe(false);
    expect(await verifyPassword('x', 'plain-text')).toBe(false);
    expect(await verifyPassword('x', 'scrypt$1$1$1$AA$AA')).toBe(false);
  });
});

describe('login limiter', () => {
  it('blocks after max failures per user and address within the window', () => {
    let t = 0;
    const l = new LoginLimiter(3, 1000, () => t);
    for (let i = 0; i < 3; i++) {
      expect(l.blockedFor('Ann', '1.1.1.1')).toBe(0);
      l.fail('Ann', '1.1.1.1');
      t += 100;
    }
    expect(l.blockedFor('ann', '1.1.1.1')).toBe(1);
    expect(l.blockedFor('ann', '1.1.1.2')).toBe(0);
    expect(l.blockedFor('bob', '1.1.1.1')).toBe(0);
    t = 1001;
    expect(l.blockedFor('ann', '1.1.1.1')).toBe(0);
    l.fail('ann', '1.1.1.1');
    l.succeed('ann', '1.1.1.1');
    expect(l.blockedFor('ann', '1.1.1.1')).toBe(0);
  });

  it('compares secrets of different lengths safely', () => {
    expect(sameSecret('abc', 'abc')).toBe(true);
    expect(sameSecret('abc', 'abd')).toBe(false);
    expect(sameSecret('abc', 'abcd')).toBe(false);
  });
});
