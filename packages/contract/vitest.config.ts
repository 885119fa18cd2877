import { defineConfig } from 'vitest/config';

console.log(`[contract tests] Node.js ${process.version}`);

export default defineConfig({ test: { include: ['test/**/*.test.ts'] } });
