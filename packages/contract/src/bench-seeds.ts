import { z } from 'zod';
import { AuthMode } from './auth';

/**
 * The claims the usual articles make when they set cookie sessions against JWTs, each answered by
 * the benchmark's committed figures: bench/src/seeds.ts writes this shape, /inspect reads it.
 */
export const SeedClaimId = z.enum(['storage', 'statefulness', 'scalability', 'security', 'revocation', 'data-size']);
export type SeedClaimId = z.infer<typeof SeedClaimId>;

/** One mode's answer to one claim. */
export const SeedCell = z.object({
  /** Every number in it comes from the results files; without a row for the mode, it says so. */
  text: z.string(),
  /** False where the run had no row for this mode. */
  measured: z.boolean(),
  /** The bench rows the figures come from. */
  rows: z.array(z.string()),
});
export type SeedCell = z.infer<typeof SeedCell>;

export const SeedClaim = z.object({
  id: SeedClaimId,
  topic: z.string(),
  /** The claim, as the articles make it. */
  claim: z.string(),
  cells: z.record(AuthMode, SeedCell),
});
export type SeedClaim = z.infer<typeof SeedClaim>;

/** A results file the figures come from, and the run that wrote it. */
export const SeedSource = z.object({
  file: z.string(),
  command: z.string(),
  date: z.string(),
  node: z.string(),
  /** What the reader should know about the machine during the run (busy, lower bounds). */
  notes: z.array(z.string()),
});
export type SeedSource = z.infer<typeof SeedSource>;

export const BenchSeeds = z.object({
  sources: z.array(SeedSource),
  claims: z.array(SeedClaim),
});
export type BenchSeeds = z.infer<typeof BenchSeeds>;
