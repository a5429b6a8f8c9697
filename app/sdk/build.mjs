// Builds the SDK for consumers that do not run TypeScript: dist/index.js (ESM, for Node and
// browsers, @solana/* left as peer imports), dist/node.js (Node-only keypair-file helpers) and
// dist/types/ (declarations).
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const common = {
  bundle: true,
  format: 'esm',
  target: 'es2022',
  sourcemap: true,
  external: ['@solana/*', '@solana-program/*'],
  // The generated error table looks at process.env; browsers have no `process`.
  define: { 'process.env.NODE_ENV': '"production"' },
  logLevel: 'warning',
};
await build({ ...common, entryPoints: [resolve(here, 'src/index.ts')], outfile: resolve(here, 'dist/index.js'), platform: 'neutral' });
await build({ ...common, entryPoints: [resolve(here, 'src/node.ts')], outfile: resolve(here, 'dist/node.js'), platform: 'node' });
execFileSync(process.execPath, [resolve(here, '../../node_modules/typescript/bin/tsc'), '-p', resolve(here, 'tsconfig.build.json')], { stdio: 'inherit' });
console.log('sdk: dist/index.js, dist/node.js, dist/types/');
