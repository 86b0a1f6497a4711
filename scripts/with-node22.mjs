// Runs a command under Node 22, which @google/genai 3.x needs, from a checkout whose own Node may
// be 20. Node 22 comes from the npm registry (the `node-<platform>-<arch>` package carries the
// binary in its tarball), fetched once with `npm pack` into node_modules/.cache/node22.
//   node scripts/with-node22.mjs <script.js> [args…]   e.g. node_modules/vitest/vitest.mjs run --project e2e-genai3
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

const NODE_22 = '22.23.3';
const root = resolve(import.meta.dirname, '..');
const cache = join(root, 'node_modules', '.cache', 'node22');
const binary = join(cache, 'package', 'bin', 'node');

function node22() {
  if (Number(process.versions.node.split('.')[0]) >= 22) return process.execPath;
  if (existsSync(binary)) return binary;
  const pkg = `node-${process.platform}-${process.arch}@${NODE_22}`;
  console.log(`fetching Node ${NODE_22} from the npm registry (${pkg})…`);
  rmSync(cache, { recursive: true, force: true });
  mkdirSync(cache, { recursive: true });
  execFileSync('npm', ['pack', pkg, '--pack-destination', cache, '--silent'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const tarball = readdirSync(cache).find((file) => file.endsWith('.tgz'));
  if (!tarball) throw new Error(`npm pack ${pkg} left no tarball in ${cache}`);
  execFileSync('tar', ['-xzf', join(cache, tarball), '-C', cache]);
  rmSync(join(cache, tarball));
  if (!existsSync(binary)) throw new Error(`${pkg} has no bin/node`);
  return binary;
}

const node = node22();
const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
console.log(`running under Node ${version}: ${process.argv.slice(2).join(' ')}`);
const run = spawnSync(node, process.argv.slice(2), { stdio: 'inherit', cwd: root });
process.exit(run.status ?? 1);
