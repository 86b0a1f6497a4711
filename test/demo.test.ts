import { execFile, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { InspectorView } from '../src/devtools/index.js';
import { startLiveEmulator } from '../src/testing/index.js';

const root = resolve(import.meta.dirname, '..');

/** Runs the demo as `npm run demo` does, and returns its exit code and output. */
function demo(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'examples/demo/demo.ts', ...args],
      { cwd: root, env: { ...process.env, NO_COLOR: '1', ...env }, timeout: 60_000 },
      (error, stdout, stderr) => done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('npm run demo', () => {
  it('runs a whole conversation on the emulator with zero 1008 closes', async () => {
    const { code, stdout } = await demo([]);
    expect(code).toBe(0);
    expect(stdout).toContain('idle.connecting → streaming');
    expect(stdout).toMatch(/gate\s+CLOSED: waiting on fc-1, fc-2/);
    expect(stdout).toMatch(/toolResult get_headlines → error response \(TOOL_THREW/);
    expect(stdout).toMatch(/toolResult get_weather → \{"city":"Paris","tempC":18,"sky":"sunny"\}/);
    expect(stdout).toMatch(/gate\s+OPENED: \d+ mic frames dropped while closed, none sent/);
    expect(stdout).toContain('model      🔊');
    expect(stdout).toContain('connection closes with 1008: 0');
    expect(stdout).toContain('tools: 2 calls, 1 results, 1 error responses, 1 toolResponse messages');
  }, 60_000);

  it('--vad: the session brackets every utterance itself, one across the tool call, against an emulator with detection off', async () => {
    const { code, stdout } = await demo(['--vad']);
    expect(code).toBe(0);
    // Three utterances: three brackets on the wire, each opened with its pre-roll.
    expect(stdout.match(/wire\s+→ activityStart/g)).toHaveLength(3);
    expect(stdout.match(/wire\s+→ activityEnd/g)).toHaveLength(3);
    expect(stdout.match(/speech\s+🎙 started/g)).toHaveLength(3);
    expect(stdout).toMatch(/gate\s+CLOSED: waiting on fc-1, fc-2/);
    expect(stdout).toContain('connection closes with 1008: 0');
    expect(stdout).toContain('closes by code {"1005":1}');
    expect(stdout).toMatch(/activity: 3 activityStart, 3 activityEnd sent; \d+ frames of pre-roll; \d+ frames not sent outside speech/);
    expect(stdout).toContain('emulator: heard 3 brackets, 0 ms of audio outside them; one bracket spans the tool call');
  }, 60_000);

  it('refuses --vad with --no-gate, whose naive client has no session', async () => {
    const { code, stderr } = await demo(['--vad', '--no-gate']);
    expect(code).toBe(2);
    expect(stderr).toContain('--vad has the session bracket speech');
  }, 60_000);

  it('shows the 1008 failure of a client with no gate', async () => {
    const { code, stdout } = await demo(['--no-gate']);
    expect(code).toBe(0);
    expect(stdout).toContain('sent while the tool call is pending');
    expect(stdout).toContain('1008 "Operation is not implemented, or supported, or enabled."');
    expect(stdout).toContain('connection closes with 1008: 1');
  }, 60_000);

  it('--model gemini-3.8-live: the tools run async, the mic is never gated, each call is answered on its own', async () => {
    const { code, stdout } = await demo(['--model', 'gemini-3.8-live']);
    expect(code).toBe(0);
    expect(stdout).toContain('on gemini-3.8-live');
    expect(stdout).toContain('gemini-3.8-live: tools without behavior run NON_BLOCKING');
    expect(stdout).toMatch(/toolCall\s+get_weather\(\{"city":"Paris"\}\) \[fc-1\] NON_BLOCKING/);
    expect(stdout).not.toContain('gate       CLOSED');
    expect(stdout).not.toContain('awaitingToolResponse');
    expect(stdout).toMatch(/toolResult get_weather → \{"city":"Paris","tempC":18,"sky":"sunny"\}/);
    expect(stdout).toMatch(/mic: (\d+) frames, \1 forwarded, 0 dropped while gated/);
    expect(stdout).toContain('tools: 2 calls, 1 results, 1 error responses, 2 toolResponse messages, 0.00 s gated');
    expect(stdout).toContain('0 calls cancelled by input, 0 late answers');
    expect(stdout).toContain('connection closes with 1008: 0');
    expect(stdout.match(/model {6}turn complete/g)).toHaveLength(2);
  }, 60_000);

  it('--model gemini-2.5-flash-native-audio-preview-09-2025: the gate closes for the blocking calls, as by default', async () => {
    const { code, stdout } = await demo(['--model', 'gemini-2.5-flash-native-audio-preview-09-2025']);
    expect(code).toBe(0);
    expect(stdout).toContain('tools without behavior run BLOCKING: the gate holds the mic while they run (input would close the socket with 1008)');
    expect(stdout).toMatch(/gate\s+CLOSED: waiting on fc-1, fc-2/);
    expect(stdout).toMatch(/gate\s+OPENED: \d+ mic frames dropped while closed, none sent/);
    expect(stdout).toContain('tools: 2 calls, 1 results, 1 error responses, 1 toolResponse messages');
    expect(stdout).toContain('connection closes with 1008: 0');
    expect(stdout).not.toContain('UNKNOWN_MODEL');
  }, 60_000);

  it('--model on a model that refuses the demo\'s tools fails before any socket, saying why', async () => {
    const { code, stdout, stderr } = await demo(['--model', 'gemini-3.5-live-translate-preview']);
    expect(code).toBe(2);
    expect(stderr).toContain('refused before any socket opened: gemini-3.5-live-translate-preview refuses tools');
    expect(stdout).not.toContain('connected, setup complete');
  }, 60_000);

  it('--live reads the mic from the WAV file and runs a turn (pointed at the emulator here)', async () => {
    const emulator = await startLiveEmulator({ scenario: 'echo' });
    try {
      const { code, stdout } = await demo(['--live'], { GEMINI_API_KEY: 'key', GEMINI_LIVE_BASE_URL: emulator.baseUrl });
      expect(code).toBe(0);
      expect(stdout).toContain('mic from');
      expect(stdout).toContain('model      turn complete');
      // The WAV holds ~5.6 s of speech at 22.05 kHz; one turn of the echo scenario needs 1 s of it.
      expect(emulator.connections[0]?.counters.audioMs).toBeGreaterThanOrEqual(1000);
    } finally {
      await emulator.close();
    }
  }, 60_000);

  it('refuses --live without an API key, saying what to do', async () => {
    const { code, stderr } = await demo(['--live'], { GEMINI_API_KEY: '' });
    expect(code).toBe(2);
    expect(stderr).toContain('set GEMINI_API_KEY');
  }, 60_000);

  it('refuses --inspect with --no-gate, whose naive client has no session to watch', async () => {
    const { code, stderr } = await demo(['--inspect', '--no-gate']);
    expect(code).toBe(2);
    expect(stderr).toContain('--inspect watches a gemini-live-fsm session');
  }, 60_000);

  it('--inspect serves the inspector page, waits for it, and streams the conversation to it', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'examples/demo/demo.ts', '--inspect', '--inspect-keep', '0'], {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => (stdout += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      // The URL and the line after it may arrive in separate chunks: wait for both.
      await expect.poll(() => /inspector: (http:\/\/127\.0\.0\.1:\d+\/)\n.*the conversation starts/.exec(stdout), { timeout: 30_000 }).not.toBeNull();
      const url = /inspector: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(stdout)?.[1] ?? '';
      // Nothing happens until a page opens the inspector.
      expect(stdout).toContain('the conversation starts when it connects');
      expect(stdout).not.toContain('state      ');

      const views: InspectorView[] = [];
      const page = new WebSocket(`${url.replace('http', 'ws')}ws`);
      page.on('message', (data: Buffer) => views.push((JSON.parse(data.toString('utf8')) as { view: InspectorView }).view));
      page.on('error', () => undefined); // the demo closes it when it ends
      // A page says so once it has drawn the chart; the demo waits for that to start.
      page.on('open', () => page.send(JSON.stringify({ type: 'drawn' })));
      expect(await exited).toBe(0);
      expect(stdout).toContain('inspector page connected');
      expect(stdout).toContain('connection closes with 1008: 0');
      expect(views.map((v) => v.state)).toEqual(expect.arrayContaining(['idle.connecting', 'streaming', 'awaitingToolResponse', 'closed']));
      const gated = views.find((v) => v.state === 'awaitingToolResponse');
      expect(gated?.gate).toBe('closed');
      expect(gated?.pending.map((call) => call.name).sort()).toEqual(['get_headlines', 'get_weather']);
      expect(views.at(-1)?.counters?.toolResponsesSent).toBe(1);
    } finally {
      child.kill();
    }
  }, 60_000);
});
