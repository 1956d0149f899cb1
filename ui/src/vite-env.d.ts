/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** `npm run dev` only: the scenario of the pretend shell (see ipc/dev-mock.ts). */
  readonly VITE_MOCK_IPC?: string;
}
