/** A cross-tab channel; an interface so tests can wire "tabs" together without a browser. */
export interface Channel {
  post(message: unknown): void;
  subscribe(listener: (message: unknown) => void): () => void;
  close(): void;
}

export type OpenChannel = (name: string) => Channel | undefined;

/** BroadcastChannel reaches the other tabs of this origin only, never another site. */
export const openBroadcastChannel: OpenChannel = (name) => {
  if (typeof BroadcastChannel === 'undefined') return undefined; // tabs then simply drift apart
  const channel = new BroadcastChannel(name);
  return {
    post: (message) => channel.postMessage(message),
    subscribe: (listener) => {
      const onMessage = (event: MessageEvent<unknown>) => listener(event.data);
      channel.addEventListener('message', onMessage);
      return () => channel.removeEventListener('message', onMessage);
    },
    close: () => channel.close(),
  };
};
