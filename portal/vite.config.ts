// The portal's build: React + Fluent UI v9 bundled by Vite into dist/portal, served by the management
// listener at /portal/ (src/management/portal-route.ts). Blades are lazy chunks (blades/index.ts).
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: here,
  base: '/portal/',
  plugins: [react()],
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('../dist/portal', import.meta.url)),
    emptyOutDir: true,
    sourcemap: false,
    // The budget that matters is checked by scripts/build-portal.mjs (first load < 1 MB gzipped).
    chunkSizeWarningLimit: 4096,
    reportCompressedSize: false,
  },
});
