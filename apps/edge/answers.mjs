// Whether a server is up: it answers below 500 within 2 s. Over HTTP, or over HTTPS with the
// edge's self-signed certificate (made at run time, so it cannot be pinned). For the start-up
// waits of `pnpm dev` (scripts/dev.mjs) and the e2e suite (e2e/start-servers.mjs).
import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';

/**
 * @param {string} url
 * @returns {Promise<boolean>}
 */
export function answers(url) {
  const get = url.startsWith('https:') ? httpsGet : httpGet;
  return new Promise((resolve) => {
    const request = get(url, { rejectUnauthorized: false, timeout: 2000 }, (response) => {
      response.resume();
      resolve((response.statusCode ?? 500) < 500);
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(false));
  });
}
