// Packs the library, installs the tarball into an empty folder, and loads every entry point
// there, as a user's project would. Run after `npm run build`.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'gemini-live-fsm-pack-'));
const npm = (args, cwd) => execFileSync('npm', args, { cwd, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });

try {
  const [{ filename }] = JSON.parse(npm(['pack', '--json', '--pack-destination', work], root));
  const app = join(work, 'app');
  execFileSync('mkdir', [app]);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'pack-check', private: true, type: 'module' }));
  npm(['install', '--no-audit', '--no-fund', '--prefer-offline', join(work, filename)], app);
  const probe = `
    const main = await import('gemini-live-fsm');
    const testing = await import('gemini-live-fsm/testing');
    const devtools = await import('gemini-live-fsm/devtools');
    const missing = [
      ['gemini-live-fsm', main, ['createLiveSession', 'defineTool', 'LiveSessionError', 'mediaStreamSource']],
      ['gemini-live-fsm/testing', testing, ['createScriptedTransport', 'startLiveEmulator']],
      ['gemini-live-fsm/devtools', devtools, ['createStateLogger', 'startInspector', 'connectReduxDevTools', 'describeChart', 'toMermaid']],
    ].flatMap(([name, mod, names]) => names.filter((n) => typeof mod[n] !== 'function').map((n) => name + ': ' + n));
    if (missing.length) { console.error('missing exports:', missing.join(', ')); process.exit(1); }
    console.log('pack check: the tarball installs and its three entry points load');
  `;
  execFileSync(process.execPath, ['--input-type=module', '-e', probe], { cwd: app, stdio: 'inherit' });
  // Bundlers resolve the devtools for a page with the browser condition: the server is left out.
  const browserProbe = `
    const devtools = await import('gemini-live-fsm/devtools');
    if (typeof devtools.connectReduxDevTools !== 'function' || 'startInspector' in devtools) {
      console.error('the browser devtools entry is wrong'); process.exit(1);
    }
    console.log('pack check: the browser devtools entry loads without the inspector server');
  `;
  execFileSync(process.execPath, ['--conditions=browser', '--input-type=module', '-e', browserProbe], { cwd: app, stdio: 'inherit' });
  execFileSync(join(app, 'node_modules', '.bin', 'gemini-live-fsm'), ['--help'], { cwd: app, stdio: 'ignore' });
  console.log('pack check: the gemini-live-fsm command runs');
} finally {
  rmSync(work, { recursive: true, force: true });
}
