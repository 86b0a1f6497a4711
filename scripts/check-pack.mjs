// Packs the library, installs the tarball into an empty folder, and loads every entry point
// there, as a user's project would. Run after `npm run build`.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
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
    const entries = {
      'gemini-live-fsm': ['createLiveSession', 'defineTool', 'LiveSessionError'],
      'gemini-live-fsm/machine': ['sessionMachine'],
      'gemini-live-fsm/audio': ['mediaStreamSource', 'pacedPcm', 'createStreamResampler', 'createWebRtcVad', 'createSileroVad', 'createSpeechSegmenter', 'createPreRollBuffer', 'activityLogic', 'createAudioPlayer', 'createStreamPlayer'],
      'gemini-live-fsm/protocol': ['createGenAITransport', 'createTokenTransport', 'ConnectionClosedError', 'TokenError', 'classifyClose', 'redactSecrets'],
      'gemini-live-fsm/tools': ['validateArgs', 'checkResult', 'toFunctionDeclarations', 'openApiToJsonSchema', 'isStandardSchema'],
      'gemini-live-fsm/models': ['resolveProfile', 'refusalOf', 'MODEL_PROFILES'],
      'gemini-live-fsm/server': ['mintLiveToken', 'createTokenHandler'],
      'gemini-live-fsm/testing': ['createScriptedTransport', 'startLiveEmulator'],
      'gemini-live-fsm/devtools': ['createStateLogger', 'startInspector', 'connectReduxDevTools', 'describeChart', 'toMermaid', 'chartDiagram', 'drawDiagram'],
      'gemini-live-fsm/telemetry': ['instrumentSession', 'METRIC', 'SPAN'],
      'gemini-live-fsm/store': ['createMemoryStore', 'createRedisStore', 'createStoreWriter', 'keepLease', 'StoreError', 'STORE_FORMAT_VERSION'],
      'gemini-live-fsm/telephony': ['connectTwilioCall', 'createCallPlayer', 'createInboundConverter', 'createOutboundConverter', 'encodeMulaw', 'TelephonyError'],
    };
    const missing = [];
    for (const [name, names] of Object.entries(entries)) {
      const mod = await import(name);
      for (const n of names) if (mod[n] === undefined) missing.push(name + ': ' + n);
    }
    if (missing.length) { console.error('missing exports:', missing.join(', ')); process.exit(1); }
    console.log('pack check: the tarball installs and its ' + Object.keys(entries).length + ' entry points load');
    // The detectors' packages are optional peers, not installed here: asking for one says how to get it.
    const { createWebRtcVad } = await import('gemini-live-fsm/audio');
    const refused = await createWebRtcVad().then(() => undefined, (error) => error);
    if (refused?.code !== 'VAD_UNAVAILABLE' || !refused.reason.includes('npm install @echogarden/fvad-wasm')) {
      console.error('createWebRtcVad without its package should fail with VAD_UNAVAILABLE, got', refused); process.exit(1);
    }
    console.log('pack check: without the optional detector packages, createWebRtcVad() says how to install one');
    // The store runs without a Redis package (the app passes its client), and μ-law comes with the package.
    const { createMemoryStore } = await import('gemini-live-fsm/store');
    const store = createMemoryStore();
    await store.save(await store.acquire('pack', 'probe', 1000), { tokens: 1 });
    if ((await store.load('pack'))?.tokens !== 1) { console.error('the memory store did not keep a patch'); process.exit(1); }
    const { encodeMulaw, decodeMulaw } = await import('gemini-live-fsm/telephony');
    if (decodeMulaw(encodeMulaw(new Int16Array([1000])))[0] !== 988) { console.error('the μ-law codec is wrong in the package'); process.exit(1); }
    console.log('pack check: the store runs with no Redis package, and the telephony codec loads');
  `;
  execFileSync(process.execPath, ['--input-type=module', '-e', probe], { cwd: app, stdio: 'inherit' });
  // A source map in the tarball must carry its sources: src/ is not shipped.
  const installed = join(app, 'node_modules', 'gemini-live-fsm');
  const maps = readdirSync(join(installed, 'dist'), { recursive: true }).filter((file) => String(file).endsWith('.map'));
  const hollow = maps.filter((file) => {
    const map = JSON.parse(readFileSync(join(installed, 'dist', String(file)), 'utf8'));
    return !Array.isArray(map.sourcesContent) || map.sourcesContent.length !== map.sources.length;
  });
  if (maps.length === 0 || hollow.length > 0) {
    console.error('source maps without their sources:', hollow.join(', ') || '(no maps)');
    process.exit(1);
  }
  console.log(`pack check: ${maps.length} source maps, each with its sources`);
  // Bundlers resolve the devtools for a page with the browser condition: the server is left out.
  const browserProbe = `
    const devtools = await import('gemini-live-fsm/devtools');
    if (typeof devtools.connectReduxDevTools !== 'function' || 'startInspector' in devtools) {
      console.error('the browser devtools entry is wrong'); process.exit(1);
    }
    console.log('pack check: the browser devtools entry loads without the inspector server');
  `;
  execFileSync(process.execPath, ['--conditions=browser', '--input-type=module', '-e', browserProbe], { cwd: app, stdio: 'inherit' });
  // The inspector serves its page, modules and elkjs from the installed package: no network.
  const inspectorProbe = `
    const { startInspector } = await import('gemini-live-fsm/devtools');
    const inspector = await startInspector();
    const missing = [];
    for (const path of ['/', '/style.css', '/page/main.js', '/page/chart.js', '/diagram/graph.js', '/diagram/svg.js', '/vendor/elk.bundled.js']) {
      const response = await fetch(new URL(path, inspector.url));
      if (response.status !== 200 || (await response.text()).length === 0) missing.push(path);
    }
    await inspector.close();
    if (missing.length) { console.error('the inspector does not serve', missing.join(', ')); process.exit(1); }
    console.log('pack check: the inspector serves its page, its modules and elkjs from the package');
  `;
  execFileSync(process.execPath, ['--input-type=module', '-e', inspectorProbe], { cwd: app, stdio: 'inherit' });
  execFileSync(join(app, 'node_modules', '.bin', 'gemini-live-fsm'), ['--help'], { cwd: app, stdio: 'ignore' });
  console.log('pack check: the gemini-live-fsm command runs');
} finally {
  rmSync(work, { recursive: true, force: true });
}
