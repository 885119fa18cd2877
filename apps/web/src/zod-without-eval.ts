// Imported first by every entry (main.tsx, lab-sinks.ts), before any schema exists: zod 4 probes
// whether it may compile its parsers with `new Function`, and the page policy refuses that
// (no 'unsafe-eval'; Trusted Types) and reports it as a violation, though zod swallows the throw.
// Jitless, it never asks: the page keeps to its own policy, and a real violation stands out.
import { z } from 'zod';

z.config({ jitless: true });
