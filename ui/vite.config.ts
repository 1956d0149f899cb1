import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

// The Tauri shell loads `dist/` in builds and this dev server (port fixed in tauri.conf.json's
// `devUrl`) with `tauri dev`.
export default defineConfig({
  plugins: [svelte()],
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
    // Everything as files: the CSP (`script-src 'self'; style-src 'self'`) refuses inline code.
    assetsInlineLimit: 0,
  },
  // Svelte's browser build in tests, as in the app.
  ...(process.env.VITEST ? { resolve: { conditions: ['browser'] } } : {}),
  test: {
    // A DOM for the stores that touch `document` and `matchMedia`.
    environment: 'happy-dom',
  },
});
