import { readFile } from 'node:fs/promises';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** Where a frame's code lives: a package, a file of the API or the bench, Node itself, or V8. */
export function areaOf({ functionName, url }: ProfileNode['callFrame']): string {
  if (!url) return functionName.startsWith('(') ? functionName : `native ${functionName || '(anonymous)'}`;
  const modules = url.lastIndexOf('/node_modules/');
  if (modules !== -1) {
    const [scope, name] = url.slice(modules + '/node_modules/'.length).split('/');
    return scope?.startsWith('@') ? `${scope}/${name ?? ''}` : (scope ?? url);
  }
  const api = url.indexOf('/apps/api/src/');
  if (api !== -1) return `api ${url.slice(api + '/apps/api/src/'.length)}`;
  const contract = url.indexOf('/packages/contract/src/');
  if (contract !== -1) return `contract ${url.slice(contract + '/packages/contract/src/'.length)}`;
  const bench = url.indexOf('/bench/src/');
  if (bench !== -1) return `bench ${url.slice(bench + '/bench/src/'.length)}`;
  if (url.startsWith('node:')) {
    const parts = url.slice('node:'.length).split('/');
    return `node ${parts[0] === 'internal' ? (parts[1] ?? 'internal') : parts[0]}`.replace(/\.js$/, '');
  }
  return url;
}

export interface ProfileSummary {
  totalMs: number;
  /** Self time by area (package or file), most first. */
  selfByArea: { area: string; ms: number; share: number }[];
  /** Time with an area anywhere on the stack (includes what it called, and in Express, every later middleware it called through `next()`). */
  totalByArea: { area: string; ms: number; share: number }[];
  /** Self time with Node's internals, native calls and WebAssembly charged to the nearest package or file that called them. */
  chargedByArea: { area: string; ms: number; share: number }[];
  /** Self time by function, most first. */
  selfByFunction: { fn: string; ms: number; share: number }[];
}

export async function summariseProfile(file: string, top = 25): Promise<ProfileSummary> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  const self = new Map<string, number>();
  const selfFn = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const charged = new Map<string, number>();
  const isInternal = (area: string) => area.startsWith('node ') || area.startsWith('native ') || area.startsWith('wasm://');
  let total = 0;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i + 1] ?? profile.timeDeltas[i] ?? 0;
    const node = byId.get(id);
    if (!node || node.callFrame.functionName === '(idle)') return;
    total += us;
    const area = areaOf(node.callFrame);
    self.set(area, (self.get(area) ?? 0) + us);
    const fn = `${node.callFrame.functionName || '(anonymous)'} ${area}:${node.callFrame.lineNumber + 1}`;
    selfFn.set(fn, (selfFn.get(fn) ?? 0) + us);
    const seen = new Set<string>();
    let payer: string | undefined;
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at);
      if (!frame) continue;
      const frameArea = areaOf(frame.callFrame);
      seen.add(frameArea);
      if (payer === undefined && !isInternal(frameArea) && frameArea !== '(root)') payer = frameArea;
    }
    for (const a of seen) inclusive.set(a, (inclusive.get(a) ?? 0) + us);
    const paidBy = isInternal(area) ? (payer ?? area) : area;
    charged.set(paidBy, (charged.get(paidBy) ?? 0) + us);
  });
  const rank = <K extends string>(map: Map<string, number>, key: K) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ [key]: name, ms: Math.round(us / 100) / 10, share: Math.round((us / total) * 1000) / 1000 }) as { [P in K]: string } & { ms: number; share: number });
  inclusive.delete('(root)');
  return {
    totalMs: Math.round(total / 1000),
    selfByArea: rank(self, 'area'),
    totalByArea: rank(inclusive, 'area'),
    chargedByArea: rank(charged, 'area'),
    selfByFunction: rank(selfFn, 'fn'),
  };
}

export function renderSummary(title: string, summary: ProfileSummary, requests: number): string {
  const perReq = (ms: number) => (requests > 0 ? ((ms * 1000) / requests).toFixed(1) : '–');
  const table = (rows: { name: string; ms: number; share: number }[]) =>
    rows.map((r) => `  ${(r.share * 100).toFixed(1).padStart(5)} %  ${perReq(r.ms).padStart(7)} µs/req  ${r.name}`).join('\n');
  return [
    `${title}: ${summary.totalMs} ms of samples (idle excluded), ${requests} requests`,
    'self time by package or file:',
    table(summary.selfByArea.map((r) => ({ name: r.area, ms: r.ms, share: r.share }))),
    'time with it on the stack (inclusive; an Express middleware includes the later ones it calls through next()):',
    table(summary.totalByArea.map((r) => ({ name: r.area, ms: r.ms, share: r.share }))),
    "self time, Node's internals, native calls and WebAssembly charged to the nearest package or file that called them:",
    table(summary.chargedByArea.map((r) => ({ name: r.area, ms: r.ms, share: r.share }))),
    'self time by function:',
    table(summary.selfByFunction.map((r) => ({ name: r.fn, ms: r.ms, share: r.share }))),
  ].join('\n');
}
