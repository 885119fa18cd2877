/**
 * What every peer server shares, and none of the measured code: its spec from the bench (the one
 * user it knows, its Redis), and the bench's IPC host (CPU readings, round trips, profiles, exit).
 * The peer files themselves are written as their projects' READMEs and the usual articles show.
 */
import type { RequestListener } from 'node:http';
import express, { type Express } from 'express';
import { failStart, serveChild } from '../child-host';
import type { PeerSpec, PeerUser } from '../protocol';
import { withProductionStack } from './production-stack';

export const spec = JSON.parse(process.env.BENCH_PEER_SPEC ?? '') as PeerSpec;

/** The peer's "database": its one user, by id and by email (a Map lookup, so the body matches the API's). */
export const users = new Map<string, PeerUser>([[spec.user.id, spec.user]]);
export const usersByEmail = new Map<string, PeerUser>([[spec.user.email, spec.user]]);

/** `express()`, or, for a like-for-like peer, express() behind Authbench's production stack. */
export const createPeerApp = (): Express => (spec.stack ? withProductionStack(express()) : express());

export function servePeer(app: RequestListener, close: () => Promise<void> = () => Promise.resolve()): void {
  serveChild({ apps: { api: app }, storePorts: spec.storePorts, close }).catch(failStart);
}

export { failStart };
