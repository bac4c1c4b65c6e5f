import { registerSecret, scrub } from '../src/secrets.js';

describe('scrub', () => {
  test('a password is masked wherever it appears, also URL-encoded', () => {
    registerSecret('Zq8/kR@t1?x');
    expect(scrub('auth with Zq8/kR@t1?x failed')).toBe('auth with *** failed');
    expect(scrub(`redis://u:${encodeURIComponent('Zq8/kR@t1?x')}@h:1`)).toBe('redis://u:***@h:1');
  });

  test('a very short password is masked in URLs only, so messages stay readable', () => {
    registerSecret('e');
    expect(scrub('authentication failed: wrong username or password')).toBe(
      'authentication failed: wrong username or password',
    );
    expect(scrub('redis://default:e@127.0.0.1:6379')).toBe('redis://default:***@127.0.0.1:6379');
  });
});
