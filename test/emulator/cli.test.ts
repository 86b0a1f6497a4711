import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { MODEL, MODELS, audio, declare, isToolCall, openRaw } from './helpers.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface Cli {
  child: ChildProcess;
  /** Resolves with the first stdout line matching, past or future. */
  line(pattern: RegExp): Promise<RegExpExecArray>;
  exited: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

/** Runs `src/cli/main.ts` through tsx's loader in a plain node process (so signals reach it directly). */
function runCli(args: string[]): Cli {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: ROOT });
  let stdout = '';
  let stderr = '';
  const waiters = new Set<() => void>();
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    for (const waiter of [...waiters]) waiter();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  onTestFinished(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  return {
    child,
    exited,
    line(pattern) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const match = pattern.exec(stdout);
          if (!match) return;
          waiters.delete(check);
          resolve(match);
        };
        waiters.add(check);
        check();
        void exited.then(({ stderr: errors }) => {
          if (waiters.delete(check)) reject(new Error(`cli exited before printing ${pattern}: ${errors}`));
        });
      });
    },
  };
}

describe('gemini-live-fsm emulate', () => {
  it('prints its url, logs frames and closes, and stops on SIGTERM', async () => {
    const cli = runCli(['emulate', '--port', '0', '--scenario', 'tool-call']);
    const [, baseUrl] = await cli.line(/listening on (http:\/\/127\.0\.0\.1:\d+) \(scenario tool-call\)/);
    const client = await openRaw(baseUrl ?? '');
    client.send({ setup: { model: MODEL } });
    expect(await client.waitFor((message) => 'setupComplete' in message)).toEqual({ setupComplete: {} });
    await cli.line(/\[1\] > setup models\/\S+ \[rules: gemini-2.5-flash-native-audio\] \(\d+ B\)/);
    client.ws.close(1000);
    await cli.line(/\[1\] closed 1000 by client/);

    cli.child.kill('SIGTERM');
    const { code, stdout } = await cli.exited;
    expect(code).toBe(0);
    expect(stdout).toMatch(/SIGTERM: stopping\nstopped\n$/);
  });

  it('plays blocking-cancel by the rules of 3.8, and prints the silent cancellation and a refused setup', async () => {
    const cli = runCli(['emulate', '--scenario', 'blocking-cancel', '--silent-cancel', '--grace-ms', '0']);
    const [, baseUrl = ''] = await cli.line(/listening on (http:\/\/127\.0\.0\.1:\d+) \(scenario blocking-cancel\)/);
    const client = await openRaw(baseUrl);
    client.send({ setup: { model: MODELS.live38, tools: declare({ name: 'issue_refund', behavior: 'BLOCKING' }) } });
    await client.waitFor((message) => 'setupComplete' in message);
    await cli.line(/\[1\] > setup models\/gemini-3\.8-live \[rules: gemini-3\.8-live\]/);
    client.send(audio(300));
    await client.waitFor(isToolCall);
    client.send(audio(20));
    await cli.line(/\[1\] = cancelled fc-1 \(input during a BLOCKING call, silently\)/);
    await client.waitFor((message) => JSON.stringify(message).includes('waitingForInput'));
    expect(client.received.some(({ message }) => 'toolCallCancellation' in message)).toBe(false);

    const refused = await openRaw(baseUrl);
    refused.send({ setup: { model: MODELS.live38, proactivity: { proactiveAudio: false } } });
    expect((await refused.closed).code).toBe(1007);
    await cli.line(/\[2\] closed 1007 by server Request contains an invalid argument: proactivity\.proactiveAudio is not supported by this model\./);
    cli.child.kill('SIGTERM');
    expect((await cli.exited).code).toBe(0);
  });

  it('cuts connections at the age limit and refuses resumes, as told', async () => {
    const cli = runCli(['emulate', '--age-limit-ms', '300', '--fail-resume']);
    const [, baseUrl = ''] = await cli.line(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
    const client = await openRaw(baseUrl);
    client.send({ setup: { model: MODELS.live38, sessionResumption: {} } });
    const update = await client.waitFor((message) => 'sessionResumptionUpdate' in message);
    expect(await client.closed).toEqual({ code: 1011, reason: 'Deadline expired before operation could complete.' });
    await cli.line(/\[1\] closed 1011 by server Deadline expired before operation could complete\./);
    const resumed = await openRaw(baseUrl);
    const handle = (update['sessionResumptionUpdate'] as { newHandle: string }).newHandle;
    resumed.send({ setup: { model: MODELS.live38, sessionResumption: { handle } } });
    expect((await resumed.closed).code).toBe(1007);
    await cli.line(/\[2\] closed 1007 by server/);
    cli.child.kill('SIGTERM');
    expect((await cli.exited).code).toBe(0);
  });

  it('prints usage and exits 2 on unknown arguments', async () => {
    const { code, stderr } = await runCli(['emulate', '--bogus']).exited;
    expect(code).toBe(2);
    expect(stderr).toMatch(/Unknown option '--bogus'[\s\S]*Usage: gemini-live-fsm emulate/);
    expect((await runCli(['serve']).exited).code).toBe(2);
    expect((await runCli(['emulate', '--scenario', 'nope']).exited).code).toBe(2);
  });

  it('prints usage on --help and exits 0', async () => {
    const { code, stdout } = await runCli(['emulate', '--help']).exited;
    expect(code).toBe(0);
    expect(stdout).toMatch(/--scenario <name>.*echo, tool-call, parallel-tools, back-to-back, cancel, async-tool, blocking-cancel, extended-thinking/);
    expect(stdout).toMatch(/--silent-cancel/);
    expect(stdout).toMatch(/--age-limit-ms <n>[\s\S]*--fail-resume[\s\S]*--refuse-resume-while-open/);
  });
});
