import { defineConfig } from 'vitest/config';

// The Tauri shell loads `dist/` in builds and this dev server (port fixed in tauri.conf.json's
// `devUrl`) with `tauri dev`.
export default defineConfig({
  clearScreen: false,
  server: {
    port: 1420,
    strictPort: true,
    host: '127.0.0.1',
    // This folder, plus the shared source image of the logo in ../icons.
    fs: { allow: ['.', '../icons'] },
  },
  build: {
    // WebKitGTK 2.40+ (Debian 12), Safari 16 (macOS 13+) and WebView2 (Chromium) all run ES2022.
    target: ['es2022', 'safari16'],
    outDir: 'dist',
    emptyOutDir: true,
  },
  test: {
    // A DOM for @tauri-apps/api's IPC mocks, which live on `window`.
    environment: 'happy-dom',
  },
});
