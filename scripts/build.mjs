// `npm run build`: compiles src/ and bench/ with tsc into dist/ (dist/src/server.js is the platform), then copies
// the data files the code reads at run time (locales, pathway definitions, bank holidays, JSON schemas) beside the
// compiled modules that read them. `--out-dir DIR` builds somewhere else (the compiled-build test).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { 'out-dir': { type: 'string', default: 'dist' } } });
const outDir = path.resolve(root, values['out-dir']);

fs.rmSync(outDir, { recursive: true, force: true });
const tsc = spawnSync(
  process.execPath,
  [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json', '--outDir', outDir],
  { cwd: root, stdio: 'inherit' },
);
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

let copied = 0;
const copyData = (from, to) => {
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    const target = path.join(to, entry.name);
    if (entry.isDirectory()) copyData(source, target);
    else if (!entry.name.endsWith('.ts')) {
      fs.mkdirSync(to, { recursive: true });
      fs.copyFileSync(source, target);
      copied += 1;
    }
  }
};
copyData(path.join(root, 'src'), path.join(outDir, 'src'));
process.stdout.write(`built ${path.relative(root, outDir) || '.'}/ (${copied} data files copied)\n`);
