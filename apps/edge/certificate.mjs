// A self-signed certificate for the made-up host names, made at run time with the openssl CLI
// (Debian, macOS and Git for Windows ship one) into a gitignored directory: never committed,
// remade when the names it must cover change or it is about to expire.
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * @typedef {object} Certificate
 * @property {string} cert  PEM
 * @property {string} key   PEM
 * @property {string} certPath
 * @property {string} fingerprint256  what a person compares with the browser's warning page
 * @property {boolean} fresh          made just now
 */

const days = 30;

/** @param {string} certPath @param {readonly string[]} hosts */
function stillGood(certPath, hosts) {
  try {
    const x509 = new X509Certificate(readFileSync(certPath));
    const names = (x509.subjectAltName ?? '').split(', ').map((entry) => entry.replace(/^DNS:/, ''));
    const expiresSoon = new Date(x509.validTo).getTime() - Date.now() < 24 * 3600 * 1000;
    return !expiresSoon && hosts.every((host) => names.includes(host));
  } catch {
    return false;
  }
}

/**
 * The certificate and key in `dir` (created if missing), covering `hosts`.
 * @param {string} dir
 * @param {readonly string[]} hosts
 * @returns {Certificate}
 */
export function ensureCertificate(dir, hosts) {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const certPath = join(dir, 'edge-cert.pem');
  const keyPath = join(dir, 'edge-key.pem');
  let fresh = false;
  if (!existsSync(keyPath) || !stillGood(certPath, hosts)) {
    const config = join(dir, 'openssl.cnf');
    // A config file rather than -addext: older openssl builds (LibreSSL on macOS) lack -addext.
    writeFileSync(
      config,
      [
        '[req]',
        'distinguished_name = dn',
        'x509_extensions = ext',
        'prompt = no',
        '[dn]',
        'CN = Authbench edge (development only)',
        '[ext]',
        `subjectAltName = ${hosts.map((host) => `DNS:${host}`).join(',')}`,
        'basicConstraints = critical,CA:FALSE',
        'keyUsage = critical,digitalSignature',
        'extendedKeyUsage = serverAuth',
        '',
      ].join('\n'),
    );
    try {
      execFileSync(
        'openssl',
        ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyPath, '-out', certPath, '-days', String(days), '-config', config],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
    } catch (error) {
      const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
      throw new Error(`edge: could not make a certificate with openssl (${reason ?? 'unknown'}); install openssl (Debian: apt-get install openssl)`, { cause: error });
    }
    fresh = true;
  }
  const cert = readFileSync(certPath, 'utf8');
  const fingerprint256 = new X509Certificate(cert).fingerprint256;
  return { cert, key: readFileSync(keyPath, 'utf8'), certPath, fingerprint256, fresh };
}
