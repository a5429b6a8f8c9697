// Packs the SDK as it is published: a staging folder with the built dist/ (run `npm run build`
// first), README and CHANGELOG, and a package.json whose exports point at dist/ (the workspace's
// own package.json points at src/ so the monorepo runs TypeScript directly); then `npm pack`.
// Prints the tarball's path. usage: node app/sdk/pack.mjs [out-dir]
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = resolve(process.argv[2] ?? resolve(here, '../../target/sdk-pack'));
if (!existsSync(resolve(here, 'dist/index.js'))) throw new Error('build the SDK first: npm run build -w @backstop/sdk');
const pkg = JSON.parse(readFileSync(resolve(here, 'package.json'), 'utf8'));
const workspace = JSON.parse(readFileSync(resolve(here, '../../package.json'), 'utf8'));
// @solana/* stay the application's (one copy of kit's classes and caches): peer dependencies at
// the versions the workspace is tested with.
const peer = (name) => workspace.dependencies[name];
const published = {
  name: pkg.name,
  version: pkg.version,
  description: pkg.description,
  license: 'Apache-2.0',
  type: 'module',
  main: './dist/index.js',
  types: './dist/types/index.d.ts',
  exports: {
    '.': { types: './dist/types/index.d.ts', import: './dist/index.js' },
    './node': { types: './dist/types/node.d.ts', import: './dist/node.js' },
    './package.json': './package.json',
  },
  files: ['dist', 'README.md', 'CHANGELOG.md'],
  sideEffects: false,
  engines: { node: '>=20' },
  peerDependencies: {
    '@solana/kit': peer('@solana/kit'),
    '@solana-program/system': peer('@solana-program/system'),
    '@solana-program/token': peer('@solana-program/token'),
  },
};
const stage = resolve(out, 'package');
rmSync(stage, { recursive: true, force: true });
mkdirSync(stage, { recursive: true });
cpSync(resolve(here, 'dist'), resolve(stage, 'dist'), { recursive: true });
for (const f of ['README.md', 'CHANGELOG.md']) cpSync(resolve(here, f), resolve(stage, f));
writeFileSync(resolve(stage, 'package.json'), `${JSON.stringify(published, null, 2)}\n`);
const name = execFileSync('npm', ['pack', '--silent', '--pack-destination', out], { cwd: stage, encoding: 'utf8' }).trim().split('\n').at(-1);
console.log(resolve(out, name));
