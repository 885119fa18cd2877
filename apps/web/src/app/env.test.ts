import { describe, expect, it } from 'vitest';
import { parseApiUrls } from './env';

describe('parseApiUrls', () => {
  it('defaults to the four development APIs, one per mode', () => {
    const four = ['http://localhost:4000', 'http://localhost:4001', 'http://localhost:4002', 'http://localhost:4003'];
    expect(parseApiUrls(undefined)).toEqual(four);
    expect(parseApiUrls('  ')).toEqual(four);
  });

  it('trims, drops trailing slashes and duplicates', () => {
    expect(parseApiUrls(' http://a.test/ , http://a.test,http://b.test ')).toEqual(['http://a.test', 'http://b.test']);
  });
});
