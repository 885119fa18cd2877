import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import proxyAddr from 'proxy-addr';

/**
 * TRUST_PROXY as Express takes it (`app.set('trust proxy', …)`): off, every hop, a hop count, or
 * the proxies' addresses and subnets, which Express hands to proxy-addr.
 */
export type TrustProxy = boolean | number | string[];

// proxy-addr's named ranges.
const namedRanges = new Set(['loopback', 'linklocal', 'uniquelocal']);

export const trustProxyGrammar =
  "expected off, a hop count (how many proxies stand in front of the API) or the proxies' addresses and subnets, comma-separated (10.0.0.2, 10.0.0.0/8, 192.168.0.0/255.255.0.0, loopback, linklocal, uniquelocal)";

/**
 * Our own grammar first, stricter than proxy-addr's parser (ipaddr.js also reads `10.1`, octal
 * `010.0.0.1` and `0x0a.0.0.1`, which would trust another address than the one a person meant):
 * a named range, or an IPv4 or IPv6 address in its usual form, with a decimal prefix length or
 * (IPv4) a dotted netmask.
 */
function isPlainEntry(text: string): boolean {
  if (namedRanges.has(text)) return true;
  const slash = text.lastIndexOf('/');
  const address = slash === -1 ? text : text.slice(0, slash);
  const range = slash === -1 ? undefined : text.slice(slash + 1);
  const family = isIP(address);
  if (family === 0) return false;
  return range === undefined || /^\d{1,3}$/.test(range) || (family === 4 && isIP(range) === 4);
}

export type TrustProxyReading = { value: TrustProxy } | { error: string };

/**
 * Reads TRUST_PROXY, and compiles an address list with proxy-addr, exactly as Express will at
 * start: a list that proxy-addr refuses (`0.0.0.0/0`, a netmask such as `255.0.255.0`) is
 * refused here, in one line, instead of throwing its TypeError from createApp.
 */
export function readTrustProxy(text: string): TrustProxyReading {
  const value = text.trim().toLowerCase();
  if (['on', 'true', 'yes'].includes(value)) return { value: true };
  if (['off', 'false', 'no', '0'].includes(value)) return { value: false };
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    return Number.isSafeInteger(hops) ? { value: hops } : { error: trustProxyGrammar };
  }
  const entries = value
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  if (entries.length === 0 || !entries.every(isPlainEntry)) return { error: trustProxyGrammar };
  try {
    proxyAddr.compile(entries);
  } catch (err) {
    // proxy-addr's own words ("invalid range on address: 0.0.0.0/0"): a prefix of 0 or beyond the
    // family's bits, or a netmask that is not a run of ones.
    return { error: `${(err as Error).message}: a prefix length must be 1 to 32 (IPv4) or 128 (IPv6), a netmask a run of leading ones; ${trustProxyGrammar}` };
  }
  return { value: entries };
}

const ipv4Bits = 32;
const ipv6Bits = 128;
const mappedPrefix = 0xffffn << 32n; // ::ffff:0:0/96, where IPv6 writes IPv4 addresses

const toBigInt = (bytes: number[]) => bytes.reduce((n, byte) => (n << 8n) | BigInt(byte), 0n);
const toBytes = (n: bigint, length: number) => Array.from({ length }, (_, i) => Number((n >> BigInt(8 * (length - 1 - i))) & 0xffn));

interface Block {
  family: 4 | 6;
  first: bigint;
  /** One past the last address. */
  end: bigint;
}

/** An entry's block of addresses, read as proxy-addr reads it (a bare IPv4-mapped address is IPv4). */
function blockOf(entry: string): Block {
  const slash = entry.lastIndexOf('/');
  let ip = ipaddr.parse(slash === -1 ? entry : entry.slice(0, slash));
  if (slash === -1 && ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()) ip = (ip as ipaddr.IPv6).toIPv4Address();
  const bits = ip.kind() === 'ipv4' ? ipv4Bits : ipv6Bits;
  const rangeText = slash === -1 ? undefined : entry.slice(slash + 1);
  const range = rangeText === undefined ? bits : /^\d+$/.test(rangeText) ? Number(rangeText) : (ipaddr.parse(rangeText).prefixLengthFromSubnetMask() ?? bits);
  const size = 1n << BigInt(bits - range);
  const first = (toBigInt(ip.toByteArray()) / size) * size;
  return { family: bits === ipv4Bits ? 4 : 6, first, end: first + size };
}

/**
 * Whether proxy-addr trusts every address of the space [first, end): the blocks' edges cut it
 * into stretches that each block holds whole or not at all, so asking proxy-addr's own compiled
 * function about one address per stretch decides it exactly, in its own meaning of a range
 * (which IPv6 ranges reach IPv4 clients, and which do not).
 */
function trustsAll(trust: (address: string) => boolean, blocks: Block[], family: 4 | 6, first: bigint, end: bigint, skip?: Block): boolean {
  const edges = new Set([first, end, ...(skip ? [skip.first, skip.end] : [])]);
  for (const block of blocks.filter((b) => b.family === family)) edges.add(block.first).add(block.end);
  const sorted = [...edges].filter((edge) => edge >= first && edge <= end).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const text = (n: bigint) => ipaddr.fromByteArray(toBytes(n, family === 4 ? 4 : 16)).toString();
  return sorted.slice(0, -1).every((start) => (skip && start >= skip.first && start < skip.end) || trust(text(start)));
}

/**
 * The family whose every address a TRUST_PROXY list trusts, if any: with such a list any client
 * may write its own address into X-Forwarded-For (`0.0.0.0/1,128.0.0.0/1` is `on` for IPv4).
 * Computed from the ranges, not matched as text. A hop count trusts hops, not addresses.
 */
export function familyTrustedWhole(value: TrustProxy): 'IPv4' | 'IPv6' | 'every' | undefined {
  if (value === true) return 'every';
  if (typeof value !== 'object') return undefined;
  const entries = value.flatMap((entry) => (entry === 'loopback' ? ['127.0.0.1/8', '::1/128'] : entry === 'linklocal' ? ['169.254.0.0/16', 'fe80::/10'] : entry === 'uniquelocal' ? ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'] : [entry]));
  const compiled = proxyAddr.compile(entries);
  const trust = (address: string) => compiled(address, 0);
  const blocks = entries.map(blockOf);
  // An IPv6 range inside ::ffff:0:0/96 also speaks of IPv4 addresses (proxy-addr decides which).
  const mapped = blocks.filter((b) => b.family === 6 && b.first >= mappedPrefix && b.end <= mappedPrefix + (1n << 32n));
  const v4 = [...blocks, ...mapped.map((b) => ({ family: 4 as const, first: b.first - mappedPrefix, end: b.end - mappedPrefix }))];
  if (trustsAll(trust, v4, 4, 0n, 1n << 32n)) return 'IPv4';
  // IPv6 clients: every address outside ::ffff:0:0/96 (those are IPv4 clients, counted above).
  if (trustsAll(trust, blocks, 6, 0n, 1n << 128n, { family: 6, first: mappedPrefix, end: mappedPrefix + (1n << 32n) })) return 'IPv6';
  return undefined;
}
