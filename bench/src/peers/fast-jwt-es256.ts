/**
 * The best JWT peer: fast-jwt with ES256 and its verified-token cache, as its README shows it
 * (`createSigner({ key, algorithm })`, `createVerifier({ key, cache: true })`), in the same kind
 * of Bearer middleware. The same algorithm as Authbench's tokens, verified once per token.
 */
import { generateKeyPairSync } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import { createSigner, createVerifier } from 'fast-jwt';
import { createPeerApp, servePeer, users, usersByEmail } from './host';

const { privateKey, publicKey } = generateKeyPairSync('ec', {
  namedCurve: 'P-256',
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});

const signSync = createSigner({ key: privateKey, algorithm: 'ES256', expiresIn: 60 * 60 * 1000 });
const verifySync = createVerifier({ key: publicKey, cache: true });

const app = createPeerApp();
app.use(express.json());

app.post('/api/login', (req, res) => {
  const user = usersByEmail.get((req.body as { email?: string }).email ?? '');
  if (!user) {
    res.sendStatus(401);
    return;
  }
  res.json({ token: signSync({ sub: user.id }) });
});

function authenticateToken(req: Request, res: Response, next: NextFunction) {
  const token = req.headers.authorization?.split(' ')[1];
  if (!token) {
    res.sendStatus(401);
    return;
  }
  try {
    res.locals.user = verifySync(token) as { sub: string };
    next();
  } catch {
    res.sendStatus(401);
  }
}

app.get('/api/me', authenticateToken, (_req, res) => {
  const payload = res.locals.user as { sub: string };
  res.json({ user: users.get(payload.sub) });
});

servePeer(app);
