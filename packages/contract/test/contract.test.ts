import { describe, expect, it } from 'vitest';
import { authModes, createOpenApiDocument, Email, endpointsOf, ErrorCode, LoginRequest, Password, RegisterRequest, statusOf } from '../src';

describe('the contract', () => {
  it('gives every error code a status', () => {
    for (const code of ErrorCode.options) expect(statusOf[code]).toBeGreaterThanOrEqual(400);
  });

  it('normalises emails: trimmed, lower-cased, at most 254 characters', () => {
    expect(Email.parse('  Ada@Example.TEST ')).toBe('ada@example.test');
    expect(Email.safeParse(`${'a'.repeat(245)}@example.test`).success).toBe(false);
    expect(Email.safeParse('no at sign').success).toBe(false);
  });

  it('keeps passwords exactly as typed, 8 to 128 characters of encodable text', () => {
    expect(Password.parse('  spaced  ')).toBe('  spaced  ');
    expect(Password.safeParse('seven77').success).toBe(false);
    expect(Password.safeParse('x'.repeat(128)).success).toBe(true);
    expect(Password.safeParse('x'.repeat(129)).success).toBe(false);
    expect(Password.safeParse('lone \uD800 surrogate').success).toBe(false);
    expect(Password.safeParse('emoji 🦄 is fine').success).toBe(true);
  });

  it('trims names and refuses blank ones', () => {
    expect(RegisterRequest.parse({ email: 'a@b.test', password: 'password1', name: '  Ada ' }).name).toBe('Ada');
    expect(RegisterRequest.safeParse({ email: 'a@b.test', password: 'password1', name: '   ' }).success).toBe(false);
    expect(LoginRequest.safeParse({ email: 'a@b.test' }).success).toBe(false);
  });

  it.each(authModes)('generates an OpenAPI 3.1 document of the %s mode from the endpoint list', (mode) => {
    const doc = createOpenApiDocument(mode, { publicOrigin: 'http://localhost:4000' }) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toBe('3.1.0');
    const operations = Object.values(doc.paths).reduce((n, item) => n + Object.keys(item).length, 0);
    expect(operations).toBe(endpointsOf(mode).length);
  });
});
