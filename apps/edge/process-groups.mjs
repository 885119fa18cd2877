// The servers that `pnpm dev` (scripts/dev.mjs) and the e2e suite (e2e/start-servers.mjs) start,
// each in a process group of its own: stopping the group stops everything it started (pnpm, a
// shell, tsx's watcher and the API under it), not only its first process. A survivor would keep
// its port, and the next start would fail on it.
import { spawn } from 'node:child_process';

/**
 * @param {string} command
 * @param {readonly string[]} args
 * @param {import('node:child_process').SpawnOptions} options
 */
export function spawnInGroup(command, args, options) {
  return spawn(command, args, { ...options, detached: true });
}

/** @param {readonly import('node:child_process').ChildProcess[]} children */
export function stopGroups(children) {
  for (const child of children) {
    if (child.pid === undefined) continue;
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // the group has already gone
    }
  }
}

const alive = (/** @type {number} */ pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * Calls `onGone` once the process that started this one, or `watched`, goes away without a
 * word (killed): a signal it could not pass on would otherwise leave the groups running.
 * @param {() => void} onGone
 * @param {number} [watched]
 */
export function whenStarterGoes(onGone, watched) {
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent || (watched && !alive(watched))) onGone();
  }, 1000).unref();
}
