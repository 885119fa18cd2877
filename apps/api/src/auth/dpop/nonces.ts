import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Server nonces (RFC 9449 §8) that keep no state: a nonce is an HMAC over a time step, so every
 * process with the same key hands out and accepts the same ones. The current and the previous
 * step are accepted: a nonce is good for one to two steps after it was handed out.
 */
export function createNonces({ key, stepSeconds, now }: { key: Buffer; stepSeconds: number; now: () => number }) {
  const stepMs = stepSeconds * 1000;
  const memo = new Map<number, string>();
  const nonceAt = (step: number) => {
    let nonce = memo.get(step);
    if (nonce === undefined) {
      nonce = createHmac('sha256', key).update(`dpop-nonce:${step}`).digest('base64url');
      if (memo.size > 4) memo.clear();
      memo.set(step, nonce);
    }
    return nonce;
  };
  const stepNow = () => Math.floor(now() / stepMs);
  const same = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
  return {
    current: () => nonceAt(stepNow()),
    accepts: (nonce: string): boolean => {
      const step = stepNow();
      return same(nonce, nonceAt(step)) || same(nonce, nonceAt(step - 1));
    },
  };
}
