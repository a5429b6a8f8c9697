// Generates the TypeScript client (@solana/kit, via Codama) from the Anchor IDLs.
// usage: node scripts/codegen.mjs <idl-dir> <out-dir>
import { copyFileSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { rootNodeFromAnchor } from '@codama/nodes-from-anchor';
import { renderVisitor } from '@codama/renderers-js';
import { visit } from '@codama/visitors-core';

const [idlDir, outDir] = process.argv.slice(2);
if (!idlDir || !outDir) {
  console.error('usage: codegen.mjs <idl-dir> <out-dir>');
  process.exit(2);
}
// @codama/nodes 1.10 omits empty child lists; renderers-js 2.2 expects them to be present.
const withChildLists = (program) => ({
  ...program,
  accounts: program.accounts ?? [],
  instructions: program.instructions ?? [],
  definedTypes: program.definedTypes ?? [],
  pdas: program.pdas ?? [],
  errors: program.errors ?? [],
});

const idls = readdirSync(idlDir).filter((f) => f.endsWith('.json')).sort();
for (const file of idls) {
  const name = file.replace(/\.json$/, '');
  const parsed = rootNodeFromAnchor(JSON.parse(readFileSync(join(idlDir, file), 'utf8')));
  const root = {
    ...parsed,
    program: withChildLists(parsed.program),
    additionalPrograms: (parsed.additionalPrograms ?? []).map(withChildLists),
  };
  // One folder per program.
  await visit(root, renderVisitor(resolve(outDir, name), { deleteFolderBeforeRendering: true }));
  // The IDL travels with the client: event discriminators and layouts are read from it.
  copyFileSync(join(idlDir, file), join(outDir, name, 'idl.json'));
  console.error(`codegen: ${file} -> ${join(outDir, name)}`);
}
