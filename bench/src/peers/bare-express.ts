/**
 * The limit: a bare Express 5 route answering a constant, the body GET /api/me answers.
 * No middleware, no logging, no store: what Express and Node's HTTP server cost on their own.
 */
import express from 'express';
import { servePeer, spec } from './host';

const app = express();
const body = { user: spec.user };

app.get('/api/me', (_req, res) => {
  res.json(body);
});

servePeer(app);
