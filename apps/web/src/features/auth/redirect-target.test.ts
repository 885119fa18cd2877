import { describe, expect, it } from 'vitest';
import { redirectTargetOf } from './redirect-target';

describe('redirectTargetOf', () => {
  it('returns to the page the visitor was headed to', () => {
    expect(redirectTargetOf({ from: { pathname: '/sessions', search: '?a=1', hash: '#x' } })).toBe('/sessions?a=1#x');
  });

  it('never leaves the app or loops back to the login pages', () => {
    expect(redirectTargetOf({ from: { pathname: '//evil.example/x' } })).toBe('/');
    expect(redirectTargetOf({ from: { pathname: 'https://evil.example' } })).toBe('/');
    expect(redirectTargetOf({ from: { pathname: '/login' } })).toBe('/');
    expect(redirectTargetOf(null)).toBe('/');
    expect(redirectTargetOf('junk')).toBe('/');
  });
});
