import { ErrorBody, statusOf } from '@authbench/contract';
import type { z } from 'zod';

/**
 * What is wrong with an HTTP answer, contract-wise, or undefined when it is well-formed: JSON,
 * a success in the expected shape, or an error envelope whose code carries exactly its status.
 */
export function contractProblem(answer: { status: number; contentType: string | undefined; body: string }, success: z.ZodType): string | undefined {
  const { status, contentType, body } = answer;
  const said = `${status} ${contentType ?? '(no content-type)'} ${body.slice(0, 160)}`;
  if (status === 204) return body === '' ? undefined : `a 204 with a body: ${said}`;
  if (!contentType?.startsWith('application/json')) return `not JSON: ${said}`;
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return `malformed JSON: ${said}`;
  }
  if (status < 400) return success.safeParse(json).success ? undefined : `an unexpected success body: ${said}`;
  const error = ErrorBody.safeParse(json);
  if (!error.success) return `not an error envelope: ${said}`;
  if (statusOf[error.data.error.code] !== status) return `code ${error.data.error.code} with the wrong status: ${said}`;
  return undefined;
}

/** The name of a transport failure (the connection refused or cut), from fetch's or supertest's error. */
export function transportFailure(err: unknown): string | undefined {
  const codes = ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'ETIMEDOUT'];
  for (let e: unknown = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && codes.includes(code)) return code;
    if (!(e instanceof Error)) break;
    // supertest words it "ECONNREFUSED: Connection refused", without a code.
    const named = codes.find((c) => e instanceof Error && e.message.startsWith(`${c}:`));
    if (named) return named;
    if (/socket hang up|other side closed|terminated/.test(e.message)) return e.message;
  }
  return undefined;
}
