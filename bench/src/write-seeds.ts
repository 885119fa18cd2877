/** `pnpm --filter @authbench/bench seeds`: rewrites the seeds' table from the committed results (seeds.ts). */
import { writeSeeds } from './seeds';

await writeSeeds((line) => process.stderr.write(`${line}\n`));
