/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Comma-separated API base URLs; read only by src/app/env.ts. */
  readonly VITE_API_URLS?: string;
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}
