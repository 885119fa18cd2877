import { describe, expect, it } from 'vitest';
import { parseApiUrls } from './env';

describe('parseApiUrls', () => {
  it('defaults to the three development APIs, one per mode', () => {
    const three = ['http://localhost:4000', 'http://localhost:4001', 'http://localhost:4002'];
    expect(parseApiUrls(undefined)).toEqual(three);
    expect(parseApiUrls('  ')).toEqual(three);
  });

  it('trims, drops trailing slashes and duplicates', () => {
    expect(parseApiUrls(' http://a.test/ , http://a.test,http://b.test ')).toEqual(['http://a.test', 'http://b.test']);
  });
});
