/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Comma-separated API base URLs; read only by src/app/env.ts. */
  readonly VITE_API_URLS?: string;
  /** `1` builds the evidence lab into a production build (the e2e suite does); development always has it. */
  readonly VITE_LAB?: string;
  /** The lab's attacker site (apps/attacker); default http://127.0.0.1:5174, where `pnpm dev` serves it. */
  readonly VITE_ATTACKER_URL?: string;
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}
