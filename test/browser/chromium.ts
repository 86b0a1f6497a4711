/**
 * Headless Chromium for the browser tests, with no system package needed: `@sparticuz/chromium`
 * ships the binary inside its npm package (brotli-compressed); it is unpacked once into
 * `node_modules/.cache`. `CHROMIUM_PATH` chooses another browser, e.g. Debian's `/usr/bin/chromium`.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser } from 'playwright-core';

const root = resolve(import.meta.dirname, '..', '..');

/** Flags for a quiet, offline, headless run with a fake microphone that needs no permission prompt. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
];

/**
 * The browser to run: `CHROMIUM_PATH`, or `@sparticuz/chromium`'s binary, unpacked on first use.
 * The package unpacks into `os.tmpdir()`, shared by everyone on the machine and by every version
 * of the package, so it is run in a child process whose TMPDIR is a folder of this project's own,
 * named after the version, and moved into place only once complete.
 */
export async function chromiumExecutable(): Promise<string> {
  const fromEnv = process.env['CHROMIUM_PATH'];
  if (fromEnv) return fromEnv;
  // The package exports no package.json; npm installs it at the top of node_modules.
  const packageFile = join(root, 'node_modules', '@sparticuz', 'chromium', 'package.json');
  const { version } = JSON.parse(await readFile(packageFile, 'utf8')) as { version: string };
  const folder = join(root, 'node_modules', '.cache', 'gemini-live-fsm', `sparticuz-chromium-${version}`);
  const binary = join(folder, 'chromium');
  if (existsSync(binary)) return binary;

  const staging = `${folder}.partial-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  const unpack = "import('@sparticuz/chromium').then((m) => m.default.executablePath()).then((p) => console.log(p))";
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', unpack], {
    cwd: root,
    env: { ...process.env, TMPDIR: staging },
  });
  if (resolve(stdout.trim()) !== join(staging, 'chromium')) throw new Error(`@sparticuz/chromium unpacked to ${stdout.trim()}`);
  await rename(staging, folder).catch(async (error: unknown) => {
    // Another run finished first: use its copy.
    await rm(staging, { recursive: true, force: true });
    if (!existsSync(binary)) throw error;
  });
  return binary;
}

/** Launches headless Chromium with {@link CHROMIUM_ARGS}, and any more flags. */
export function launchChromium(executablePath: string, extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath, headless: true, args: [...CHROMIUM_ARGS, ...extraArgs], timeout: 30_000 });
}

/** Where screenshots go (gitignored). */
export const ARTIFACTS = join(root, 'test-artifacts', 'browser');
