import { describe, expect, it } from 'vitest';
import { parseApiUrls } from './env';

describe('parseApiUrls', () => {
  it('defaults to the two development APIs', () => {
    expect(parseApiUrls(undefined)).toEqual(['http://localhost:4000', 'http://localhost:4001']);
    expect(parseApiUrls('  ')).toEqual(['http://localhost:4000', 'http://localhost:4001']);
  });

  it('trims, drops trailing slashes and duplicates', () => {
    expect(parseApiUrls(' http://a.test/ , http://a.test,http://b.test ')).toEqual(['http://a.test', 'http://b.test']);
  });
});
