/**
 * The naive session peer: express-session with connect-redis, as their READMEs show it
 * (`secret: 'keyboard cat'`, `resave: false`, `saveUninitialized: false`, a RedisStore on a
 * node-redis client), and the README's login (regenerate, store the user, save).
 */
import { RedisStore } from 'connect-redis';
import express from 'express';
import session from 'express-session';
import { createClient } from 'redis';
import type { PeerUser } from '../protocol';
import { createPeerApp, failStart, servePeer, spec, usersByEmail } from './host';

declare module 'express-session' {
  interface SessionData {
    user?: PeerUser;
  }
}

const redisClient = createClient({ url: spec.redisUrl ?? 'redis://127.0.0.1:6379' });
redisClient.on('error', (err: unknown) => {
  console.error(err);
});
await redisClient.connect().catch(failStart);

const redisStore = new RedisStore({ client: redisClient, prefix: `${spec.namespace}:peer-sess:` });

const app = createPeerApp();
app.use(
  session({
    store: redisStore,
    resave: false,
    saveUninitialized: false,
    secret: 'keyboard cat',
  }),
);

app.post('/api/login', express.json(), (req, res, next) => {
  const user = usersByEmail.get((req.body as { email?: string }).email ?? '');
  if (!user) {
    res.sendStatus(401);
    return;
  }
  req.session.regenerate((err) => {
    if (err) {
      next(err);
      return;
    }
    req.session.user = user;
    req.session.save((err) => {
      if (err) {
        next(err);
        return;
      }
      res.json({ user });
    });
  });
});

app.get('/api/me', (req, res) => {
  if (!req.session.user) {
    res.sendStatus(401);
    return;
  }
  res.json({ user: req.session.user });
});

servePeer(app, async () => {
  await redisClient.quit();
});
