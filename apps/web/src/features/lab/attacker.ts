import { z } from 'zod';

// The lab's side of the attacker's site (apps/attacker/server.mjs, started by `pnpm dev` and the
// e2e suite): requests replayed from its server, outside the browser, and its CSRF page, which
// attacks from its own origin with this browser.

const ReplayAnswer = z.object({
  /** When it was sent, in ms since the series began. */
  at: z.number(),
  /** When it was sent, by the wall clock (the attacker's server runs on this machine: loopback only). */
  sentAt: z.number(),
  ms: z.number(),
  status: z.number(),
  headers: z.record(z.string(), z.union([z.string(), z.array(z.string())])),
  body: z.unknown(),
  error: z.string().optional(),
});
export type ReplayAnswer = z.infer<typeof ReplayAnswer>;

export interface ReplayRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
}

export interface Repeat {
  count: number;
  everyMs: number;
  /** Stop at the first refusal (non-2xx), or at the first admission. */
  until?: 'refused' | 'admitted';
  /** Headers of each send's own (a fresh DPoP proof: a proof is good once). */
  headers?: Record<string, string>[];
}

export class AttackerUnavailable extends Error {
  override readonly name = 'AttackerUnavailable';
}

export interface AttackerServer {
  /** Where the attacker's site is, as another site than this page. */
  readonly url: string;
  /** Sends a request from the attacker's server (once, or repeatedly) and returns what came back. */
  replay(request: ReplayRequest, repeat?: Repeat): Promise<ReplayAnswer[]>;
}

export function createAttackerServer(url: string): AttackerServer {
  return {
    url,
    async replay(request, repeat) {
      let response: Response;
      try {
        response = await fetch(`${url}/replay`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ request, ...(repeat && { repeat }) }),
        });
      } catch (error) {
        throw new AttackerUnavailable(
          `The attacker's server at ${url} did not answer (${String(error)}). pnpm dev starts it; does its ATTACKER_ORIGINS include ${window.location.origin}?`,
        );
      }
      const body: unknown = await response.json().catch(() => null);
      if (!response.ok) {
        const reason = z.object({ error: z.string() }).safeParse(body);
        throw new AttackerUnavailable(`The attacker's server refused the replay: ${reason.success ? reason.data.error : `HTTP ${response.status}`}`);
      }
      return z.object({ results: z.array(ReplayAnswer) }).parse(body).results;
    },
  };
}

/** The Set-Cookie lines of a replayed answer. */
export function setCookiesOf(answer: ReplayAnswer): string[] {
  const value = answer.headers['set-cookie'];
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

export const headerOf = (answer: ReplayAnswer, name: string): string | undefined => {
  const value = answer.headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(', ') : value;
};

const Attempt = z.object({
  kind: z.enum(['form', 'fetch']),
  label: z.string(),
  method: z.string(),
  url: z.string(),
  contentType: z.string().nullable(),
  readable: z.boolean(),
  status: z.number().optional(),
  seen: z.string(),
  ms: z.number(),
});
export type CsrfAttempt = z.infer<typeof Attempt>;

const CsrfReport = z.object({
  type: z.literal('authbench-lab:csrf-result'),
  nonce: z.string(),
  origin: z.string(),
  attempts: z.array(Attempt),
});
export type CsrfReport = z.infer<typeof CsrfReport>;

const Ready = z.object({ type: z.literal('authbench-lab:ready'), origin: z.string() });

export interface AttackerPage {
  /** How it was opened: a window of its own (a popup, as a link would), or a frame when popups are blocked. */
  readonly how: 'window' | 'frame';
  /** Has the attacker's page on `origin` attack `api` with this browser; resolves with what it saw. */
  attack(origin: string, api: string, name: string): Promise<CsrfReport>;
  close(): void;
}

function waitForMessage<T>(accept: (event: MessageEvent) => T | undefined, timeoutMs: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (event: MessageEvent) => {
      const value = accept(event);
      if (value === undefined) return;
      cleanup();
      resolve(value);
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new AttackerUnavailable(`${what}: no word from the attacker's page within ${timeoutMs / 1000} s.`));
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      window.removeEventListener('message', onMessage);
    };
    window.addEventListener('message', onMessage);
  });
}

/**
 * Opens the attacker's page. Call it from the click handler itself: a browser lets a page open a
 * window only in answer to a person's gesture. Without one (a popup blocker), a hidden frame
 * stands in; its requests are just as cross-site.
 */
export function openAttackerPage(attackerUrl: string): AttackerPage {
  const firstUrl = `${attackerUrl}/csrf`;
  const popup = window.open(firstUrl, 'authbench-lab-attacker', 'popup,width=560,height=420');
  let frame: HTMLIFrameElement | null = null;
  if (!popup) {
    frame = document.createElement('iframe');
    frame.title = "The lab's attacker page";
    frame.style.cssText = 'position:absolute;left:-10000px;width:10px;height:10px;border:0';
    frame.src = firstUrl;
    document.body.append(frame);
  }
  const target = (): Window | null => popup ?? frame?.contentWindow ?? null;

  // Ready notices may come before anyone waits for them: remember them per origin.
  const ready = new Set<string>();
  const readyWaiters = new Map<string, () => void>();
  const onReady = (event: MessageEvent) => {
    const notice = Ready.safeParse(event.data);
    if (!notice.success || event.source !== target() || notice.data.origin !== event.origin) return;
    ready.add(event.origin);
    readyWaiters.get(event.origin)?.();
  };
  window.addEventListener('message', onReady);
  let current = new URL(attackerUrl).origin;

  const whenReady = (origin: string) =>
    ready.has(origin)
      ? Promise.resolve()
      : Promise.race([
          new Promise<void>((resolve) => readyWaiters.set(origin, resolve)),
          new Promise<never>((_, reject) =>
            setTimeout(() => reject(new AttackerUnavailable(`The attacker's page at ${origin} did not load within 10 s. Is the attacker's server running?`)), 10_000),
          ),
        ]);

  return {
    how: popup ? 'window' : 'frame',
    async attack(origin, api, name) {
      if (origin !== current) {
        ready.delete(origin);
        current = origin;
        if (popup) popup.location.href = `${origin}/csrf`;
        else if (frame) frame.src = `${origin}/csrf`;
      }
      await whenReady(origin);
      const nonce = crypto.randomUUID();
      const report = waitForMessage(
        (event) => {
          if (event.origin !== origin || event.source !== target()) return undefined;
          const parsed = CsrfReport.safeParse(event.data);
          return parsed.success && parsed.data.nonce === nonce ? parsed.data : undefined;
        },
        30_000,
        `The attack from ${origin}`,
      );
      target()?.postMessage({ type: 'authbench-lab:csrf', api, name, nonce }, origin);
      return report;
    },
    close() {
      window.removeEventListener('message', onReady);
      popup?.close();
      frame?.remove();
    },
  };
}
