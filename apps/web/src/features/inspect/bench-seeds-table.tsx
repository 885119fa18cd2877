import { authModes, BenchSeeds } from '@authbench/contract';
import committed from './bench-seeds.json';

/**
 * The benchmark's answers, as `pnpm bench` last wrote them (bench/src/seeds.ts): parsed with the
 * contract's schema, so a generator that changed the shape fails here, loudly, not on screen.
 */
export const committedSeeds: BenchSeeds = BenchSeeds.parse(committed);

export interface BenchSeedsTableProps {
  seeds?: BenchSeeds;
}

/** The articles' claims about sessions and JWTs, each mode's cell the figures of a committed run. */
export function BenchSeedsTable({ seeds = committedSeeds }: BenchSeedsTableProps) {
  return (
    <div className="stack">
      <h3 id="seeds-heading">The articles’ claims, against the benchmark</h3>
      <p className="muted">Every figure below is read from a committed run of the benchmark, not typed in; a mode the run did not measure says so.</p>
      <ul className="plain-list muted" aria-label="Runs">
        {seeds.sources.map((source) => (
          <li key={source.file}>
            <code>{source.command}</code> · {source.date} · Node {source.node}
            {source.notes.length > 0 && <> · {source.notes.join(' ')}</>}
          </li>
        ))}
      </ul>
      <div className="table-scroll">
        <table className="comparison seeds" aria-labelledby="seeds-heading">
          <thead>
            <tr>
              <th scope="col">Claim</th>
              {authModes.map((mode) => (
                <th key={mode} scope="col">
                  {mode}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {seeds.claims.map((claim) => (
              <tr key={claim.id}>
                <th scope="row">
                  {claim.topic} <span className="muted">“{claim.claim}”</span>
                </th>
                {authModes.map((mode) => {
                  const cell = claim.cells[mode];
                  return (
                    <td key={mode} className={cell.measured ? undefined : 'muted'} title={cell.rows.length > 0 ? `bench rows: ${cell.rows.join(', ')}` : undefined}>
                      {cell.text}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
