/**
 * The naive JWT peer: jsonwebtoken with a string secret, as the usual articles show it
 * (`jwt.sign(payload, 'secret')`, `jwt.verify(token, 'secret')` in an `authenticateToken`
 * middleware that reads `Authorization: Bearer`). HS256, jsonwebtoken's default.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import jwt, { type JwtPayload } from 'jsonwebtoken';
import { servePeer, users, usersByEmail } from './host';

const app = express();
app.use(express.json());

app.post('/api/login', (req, res) => {
  const user = usersByEmail.get((req.body as { email?: string }).email ?? '');
  if (!user) {
    res.sendStatus(401);
    return;
  }
  const token = jwt.sign({ sub: user.id }, 'secret', { expiresIn: '1h' });
  res.json({ token });
});

function authenticateToken(req: Request, res: Response, next: NextFunction) {
  const authHeader = req.headers.authorization;
  const token = authHeader?.split(' ')[1];
  if (!token) {
    res.sendStatus(401);
    return;
  }
  try {
    res.locals.user = jwt.verify(token, 'secret') as JwtPayload;
    next();
  } catch {
    res.sendStatus(401);
  }
}

app.get('/api/me', authenticateToken, (_req, res) => {
  const payload = res.locals.user as JwtPayload;
  res.json({ user: users.get(payload.sub ?? '') });
});

servePeer(app);
