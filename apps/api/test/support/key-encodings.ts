import type { JsonWebKey, KeyObject } from 'node:crypto';

// One P-256 private key, written in each encoding JWT_PRIVATE_KEYS accepts. Node.js writes
// PKCS8 (with the public key) and SEC1 itself; the variants it never writes (no public key,
// explicit curve parameters) are assembled here from the key's numbers, in DER, as other tools
// (OpenSSL's `-param_enc explicit`, `-no_public`, HSM exports) write them.

const der = (tag: number, content: Buffer): Buffer => {
  const length = content.length;
  const head = length < 0x80 ? Buffer.from([length]) : length < 0x100 ? Buffer.from([0x81, length]) : Buffer.from([0x82, length >> 8, length & 0xff]);
  return Buffer.concat([Buffer.from([tag]), head, content]);
};
const sequence = (...items: Buffer[]) => der(0x30, Buffer.concat(items));
/** A non-negative INTEGER from its big-endian bytes (a leading zero where the high bit is set). */
const integer = (bytes: Buffer | number) => {
  let value = typeof bytes === 'number' ? Buffer.from([bytes]) : bytes;
  while (value.length > 1 && value[0] === 0 && (value[1]! & 0x80) === 0) value = value.subarray(1);
  return der(0x02, (value[0]! & 0x80) !== 0 ? Buffer.concat([Buffer.from([0]), value]) : value);
};
const octets = (bytes: Buffer) => der(0x04, bytes);
const bits = (bytes: Buffer) => der(0x03, Buffer.concat([Buffer.from([0]), bytes]));
const hex = (text: string) => Buffer.from(text.replace(/\s/g, ''), 'hex');
const oid = (encoded: string) => hex(encoded);

const idEcPublicKey = oid('06072a8648ce3d0201');
const prime256v1 = oid('06082a8648ce3d030107');
const primeField = oid('06072a8648ce3d0101');

/** SEC 2's secp256r1, spelled out: what "explicit parameters" means. */
const explicitP256 = sequence(
  integer(1),
  sequence(primeField, integer(hex('ffffffff00000001000000000000000000000000ffffffffffffffffffffffff'))),
  sequence(
    octets(hex('ffffffff00000001000000000000000000000000fffffffffffffffffffffffc')),
    octets(hex('5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b')),
    bits(hex('c49d360886e704936a6678e1139d26b7819f7e90')),
  ),
  octets(
    hex('04 6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296 4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5'),
  ),
  integer(hex('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551')),
  integer(1),
);

interface Numbers {
  d: Buffer;
  /** The uncompressed public point, 0x04 ‖ x ‖ y. */
  point: Buffer;
}

const numbersOf = (key: KeyObject): Numbers => {
  const jwk = key.export({ format: 'jwk' });
  const part = (name: 'd' | 'x' | 'y') => Buffer.from(jwk[name]!, 'base64url');
  return { d: part('d'), point: Buffer.concat([Buffer.from([4]), part('x'), part('y')]) };
};

/** RFC 5915's ECPrivateKey: the curve and the public key are both optional. */
const ecPrivateKey = ({ d, point }: Numbers, options: { parameters?: Buffer; publicKey: boolean }) =>
  sequence(
    integer(1),
    octets(d),
    ...(options.parameters ? [der(0xa0, options.parameters)] : []),
    ...(options.publicKey ? [der(0xa1, bits(point))] : []),
  );

/** RFC 5208's PrivateKeyInfo around an ECPrivateKey, the curve named in the algorithm. */
const pkcs8 = (numbers: Numbers, options: { parameters: Buffer; publicKey: boolean }) =>
  sequence(integer(0), sequence(idEcPublicKey, options.parameters), octets(ecPrivateKey(numbers, { publicKey: options.publicKey })));

const pem = (label: string, body: Buffer) =>
  `-----BEGIN ${label}-----\n${body
    .toString('base64')
    .match(/.{1,64}/g)!
    .join('\n')}\n-----END ${label}-----\n`;

export type KeyEncoding =
  | 'PKCS8 PEM'
  | 'PKCS8 PEM without the public key'
  | 'PKCS8 PEM with explicit curve parameters'
  | 'SEC1 PEM'
  | 'SEC1 PEM with explicit curve parameters, without the public key'
  | 'JWK'
  | 'JWK with a kid of its own';

/** The key in `encoding`, as JWT_PRIVATE_KEYS takes it (PEM line breaks as `\n`, as in a .env file). */
export function encodeKey(key: KeyObject, encoding: KeyEncoding): string {
  const numbers = numbersOf(key);
  const jwk: JsonWebKey = key.export({ format: 'jwk' });
  const text = {
    'PKCS8 PEM': () => key.export({ format: 'pem', type: 'pkcs8' }).toString(),
    'PKCS8 PEM without the public key': () => pem('PRIVATE KEY', pkcs8(numbers, { parameters: prime256v1, publicKey: false })),
    'PKCS8 PEM with explicit curve parameters': () => pem('PRIVATE KEY', pkcs8(numbers, { parameters: explicitP256, publicKey: true })),
    'SEC1 PEM': () => key.export({ format: 'pem', type: 'sec1' }).toString(),
    'SEC1 PEM with explicit curve parameters, without the public key': () =>
      pem('EC PRIVATE KEY', ecPrivateKey(numbers, { parameters: explicitP256, publicKey: false })),
    JWK: () => JSON.stringify([jwk]),
    'JWK with a kid of its own': () => JSON.stringify([{ ...jwk, kid: 'prod-2026' }]),
  }[encoding]();
  return text.replaceAll('\n', '\\n');
}

export const keyEncodings: readonly KeyEncoding[] = [
  'PKCS8 PEM',
  'PKCS8 PEM without the public key',
  'PKCS8 PEM with explicit curve parameters',
  'SEC1 PEM',
  'SEC1 PEM with explicit curve parameters, without the public key',
  'JWK',
  'JWK with a kid of its own',
];
