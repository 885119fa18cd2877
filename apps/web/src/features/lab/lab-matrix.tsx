import { buildMatrix, describeCell, type LabExperimentInfo, type LabRecord, type MatrixColumn } from '../../lib/lab-results';

const hostOf = (url: string) => new URL(url).host;

/** Experiments × APIs: the last result of each, or why there is none. */
export function LabMatrix({
  experiments,
  columns,
  records,
}: {
  experiments: readonly LabExperimentInfo[];
  columns: readonly MatrixColumn[];
  records: ReadonlyMap<string, LabRecord>;
}) {
  const rows = buildMatrix(experiments, columns, records);
  return (
    <div className="table-scroll">
      <table className="comparison lab-matrix">
        <caption>Lab results per API</caption>
        <thead>
          <tr>
            <th scope="col">Experiment</th>
            {columns.map((column) => (
              <th key={column.url} scope="col" data-api={column.url}>
                {column.config.authMode} <span className="muted">{hostOf(column.url)}</span>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map(({ experiment, cells }) => (
            <tr key={experiment.id} data-experiment={experiment.id}>
              <th scope="row">{experiment.title}</th>
              {cells.map((cell, index) => {
                const { verdict, text } = describeCell(cell);
                const column = columns[index]!;
                return (
                  <td key={column.url} data-api={column.url} data-verdict={verdict} title={cell.state === 'result' ? cell.record.summary : undefined}>
                    <span className={`verdict verdict-${verdict}`}>{text}</span>
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
