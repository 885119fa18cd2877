import { labSinkPageUrl } from '@authbench/contract/page-policy';
import { SinkResult } from './sink-page';
import type { SinkId } from './sinks';

// The lab's side of its sink page (sink-page.ts): a window of this origin, opened from a click
// (the page refuses to be framed: frame-ancestors 'none'), sent to the page once per sink, with
// the page policy and without.

export interface SinkWindow {
  /** Feeds one sink on the sink page, served with the page policy or without, and returns what happened. */
  run(sink: SinkId, withPolicy: boolean): Promise<SinkResult>;
  close(): void;
}

const answerWithinMs = 15_000;

/**
 * Opens the window. Call it from the click handler itself, before any other window: a browser
 * opens one window per click at most (the attacker's page then falls back to a frame).
 */
export function openSinkWindow(): SinkWindow | null {
  const popup = window.open('about:blank', 'authbench-lab-sinks', 'popup,width=560,height=420');
  if (!popup) return null;
  return {
    run(sink, withPolicy) {
      const run = crypto.randomUUID();
      return new Promise<SinkResult>((resolve, reject) => {
        const onMessage = (event: MessageEvent) => {
          if (event.source !== popup || event.origin !== location.origin) return;
          const result = SinkResult.safeParse(event.data);
          if (!result.success || result.data.run !== run) return;
          cleanup();
          resolve(result.data);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`The sink page (${sink}, ${withPolicy ? 'with' : 'without'} the policy) did not answer within ${answerWithinMs / 1000} s.`));
        }, answerWithinMs);
        const cleanup = () => {
          clearTimeout(timer);
          window.removeEventListener('message', onMessage);
        };
        window.addEventListener('message', onMessage);
        popup.location.href = new URL(labSinkPageUrl({ sink, run }, withPolicy), location.origin).href;
      });
    },
    close: () => popup.close(),
  };
}
