// @vitest-environment jsdom
import { authModes, type BenchSeeds } from '@authbench/contract';
import { cleanup, render, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { BenchSeedsTable, committedSeeds } from './bench-seeds-table';

afterEach(cleanup);

const table = (view: ReturnType<typeof render>) => view.getByRole('table', { name: 'The articles’ claims, against the benchmark' });

describe('the articles’ claims against the benchmark', () => {
  it('shows every claim of the committed run, one column per mode, each cell as the run wrote it', () => {
    const view = render(<BenchSeedsTable />);
    const headers = within(table(view))
      .getAllByRole('columnheader')
      .map((th) => th.textContent);
    expect(headers).toEqual(['Claim', ...authModes]);
    for (const claim of committedSeeds.claims) {
      const cells = within(within(table(view)).getByRole('row', { name: new RegExp(`^${claim.topic}`) })).getAllByRole('cell');
      expect(cells.map((td) => td.textContent)).toEqual(authModes.map((mode) => claim.cells[mode].text));
    }
  });

  it('names the runs the figures come from: command, date, Node.js and the machine’s state', () => {
    const view = render(<BenchSeedsTable />);
    const runs = within(view.getByRole('list', { name: 'Runs' })).getAllByRole('listitem');
    expect(runs).toHaveLength(committedSeeds.sources.length);
    const latest = committedSeeds.sources[0]!;
    expect(runs[0]!.textContent).toContain(`${latest.command} · ${latest.date} · Node ${latest.node}`);
  });

  it('says a mode was not in the run instead of showing a figure, and which bench rows a figure comes from', () => {
    const measured = { text: '478 B per request.', measured: true, rows: ['jwt-embedded', 'jwt-redis'] };
    const missing = { text: 'not in this run', measured: false, rows: [] };
    const seeds: BenchSeeds = {
      sources: [{ file: 'bench/results/latest.json', command: 'pnpm bench', date: '2026-11-25T17:29:45.962Z', node: 'v24.21.0', notes: [] }],
      claims: [
        {
          id: 'data-size',
          topic: 'Data size',
          claim: 'A JWT is much larger than a session id.',
          cells: { session: { ...measured, text: '103 B per request.', rows: ['session-redis'] }, jwt: measured, 'jwt-cookie': measured, 'jwt-dpop': missing },
        },
      ],
    };
    const view = render(<BenchSeedsTable seeds={seeds} />);
    const [session, jwt, , dpop] = within(table(view)).getAllByRole('cell');
    expect(dpop!.textContent).toBe('not in this run');
    expect(dpop!.className).toBe('muted');
    expect(jwt!.getAttribute('title')).toBe('bench rows: jwt-embedded, jwt-redis');
    expect(session!.textContent).toBe('103 B per request.');
  });
});
