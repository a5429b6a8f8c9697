import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The SDK is consumed from source (TypeScript), like the CLI does; the generated error table
// reads process.env.NODE_ENV, which the build defines.
export default defineConfig({
  plugins: [react()],
  define: { 'process.env.NODE_ENV': JSON.stringify('production') },
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 2_000 },
});
