// Generates the TypeScript client (@solana/kit, via Codama) from the Anchor IDLs.
// usage: node scripts/codegen.mjs <idl-dir> <out-dir>
import { copyFileSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { rootNodeFromAnchor } from '@codama/nodes-from-anchor';
import { renderVisitor } from '@codama/renderers-js';
import {
  bytesValueNode,
  definedTypeLinkNode,
  enumValueNode,
  instructionArgumentNode,
  numberValueNode,
  publicKeyValueNode,
  structFieldTypeNode,
} from '@codama/nodes';
import { bottomUpTransformerVisitor, visit } from '@codama/visitors-core';

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

// Defaults for fields callers need not set. The zero-copy vault's `repr(C)` padding is named in
// the IDL (Codama decodes field by field, so the named bytes keep the offsets right); callers
// never pass it: always zero, omitted from every argument type.
const argumentDefaults = bottomUpTransformerVisitor([
  {
    select: '[structFieldTypeNode]padding',
    transform: (node) => {
      if (node.type.kind !== 'fixedSizeTypeNode') throw new Error('padding must be [u8; N]');
      return structFieldTypeNode({
        ...node,
        defaultValue: bytesValueNode('base16', '00'.repeat(node.type.size)),
        defaultValueStrategy: 'omitted',
      });
    },
  },
  // A vault's price-account pins default to the zero address (not pinned), their shards to 0;
  // a series' style to the cash ratchet.
  ...[
    ['collateralPriceAccount', publicKeyValueNode('11111111111111111111111111111111')],
    ['depegPriceAccount', publicKeyValueNode('11111111111111111111111111111111')],
    ['collateralPriceShard', numberValueNode(0)],
    ['depegPriceShard', numberValueNode(0)],
    // A series settles in cash unless physical delivery is asked for.
    ['style', enumValueNode(definedTypeLinkNode('seriesStyle'), 'cashRatchet')],
  ].flatMap(([name, defaultValue]) => [
    {
      select: `[structFieldTypeNode]${name}`,
      transform: (node) => structFieldTypeNode({ ...node, defaultValue, defaultValueStrategy: 'optional' }),
    },
    // Anchor's single struct argument is flattened into instruction arguments.
    {
      select: `[instructionArgumentNode]${name}`,
      transform: (node) => instructionArgumentNode({ ...node, defaultValue, defaultValueStrategy: 'optional' }),
    },
  ]),
]);

const idls = readdirSync(idlDir).filter((f) => f.endsWith('.json')).sort();
for (const file of idls) {
  const name = file.replace(/\.json$/, '');
  const parsed = rootNodeFromAnchor(JSON.parse(readFileSync(join(idlDir, file), 'utf8')));
  const root = visit(
    {
      ...parsed,
      program: withChildLists(parsed.program),
      additionalPrograms: (parsed.additionalPrograms ?? []).map(withChildLists),
    },
    argumentDefaults,
  );
  // One folder per program.
  await visit(root, renderVisitor(resolve(outDir, name), { deleteFolderBeforeRendering: true }));
  // The IDL travels with the client: event discriminators and layouts are read from it.
  copyFileSync(join(idlDir, file), join(outDir, name, 'idl.json'));
  console.error(`codegen: ${file} -> ${join(outDir, name)}`);
}
