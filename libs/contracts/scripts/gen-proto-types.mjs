// Generates the TypeScript types of proto/simstream/v1 with proto-loader-gen-types (the
// generator that matches how services load the protos at run time), then adds the `.js`
// extensions that NodeNext ESM resolution requires. `node gen-proto-types.mjs [outDir]`;
// a unit test runs it into a temporary folder and diffs against src/generated.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const pkgRoot = path.resolve(here, '..');
const require = createRequire(import.meta.url);
const protoRoot = path.dirname(require.resolve('@simstream/proto/package.json'));
const outDir = path.resolve(process.argv[2] ?? path.join(pkgRoot, 'src', 'generated'));
const protos = ['simstream/v1/frame.proto', 'simstream/v1/ingestion.proto'];

const generator = path.join(
  path.dirname(require.resolve('@grpc/proto-loader/package.json')),
  'build/bin/proto-loader-gen-types.js',
);
rmSync(outDir, { recursive: true, force: true });
execFileSync(
  process.execPath,
  [
    generator,
    '--longs=Number',
    '--enums=String',
    '--defaults',
    '--oneofs',
    '--grpcLib=@grpc/grpc-js',
    `--includeDirs=${protoRoot}`,
    `--outDir=${outDir}`,
    ...protos,
  ],
  { stdio: 'inherit' },
);

function walk(dir) {
  for (const name of readdirSync(dir)) {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) walk(file);
    else if (file.endsWith('.ts')) {
      const text = readFileSync(file, 'utf8')
        .replace(/(from '\.{1,2}\/[^']+?)(?<!\.js)'/g, "$1.js'")
        // The header names the proto by a path relative to where the generator ran.
        .replace(/^\/\/ Original file: .*?(simstream\/v1\/[\w.]+\.proto)$/m, '// Original file: proto/$1');
      writeFileSync(file, text);
    }
  }
}
walk(outDir);
