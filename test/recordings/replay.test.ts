import { describe, expect, it } from 'vitest';
import { toServerEvents } from '../../src/adapters/serverMessages.js';
import { createLiveSession, defineTool, type SessionEmitted } from '../../src/index.js';
import { createScriptedTransport } from '../../src/testing/index.js';
import { loadRecordings } from './recordings.js';

const recordings = loadRecordings();

describe('recorded real sessions', () => {
  it('are all there to replay', () => {
    expect(recordings.length).toBeGreaterThanOrEqual(19);
    expect(recordings.every((r) => r.frames.length > 0)).toBe(true);
  });

  it.each(recordings.map((r) => [r.name, r] as const))('%s: every server frame becomes at least one event, none malformed', (_name, recording) => {
    for (const frame of recording.frames.filter((f) => f.from === 'server')) {
      const events = toServerEvents(frame.message, 1);
      expect(events.length).toBeGreaterThan(0);
      expect(events.filter((e) => e.type === 'server.malformed')).toEqual([]);
    }
  });

  it.each(recordings.map((r) => [r.name, r] as const))('%s: replays through a session with no error', async (_name, recording) => {
    const transport = createScriptedTransport();
    const weather = defineTool({ name: 'get_current_weather', execute: () => ({ tempC: 12 }) });
    const session = createLiveSession({ transport, tools: [weather] });
    const emitted: SessionEmitted[] = [];
    session.actor.on('*', (event) => emitted.push(event as SessionEmitted));
    await session.connect();
    const server = transport.connections[0];
    for (const frame of recording.frames.filter((f) => f.from === 'server')) server?.send(frame.message);

    expect(emitted.filter((e) => e.type === 'error')).toEqual([]);
    const calls = recording.frames.flatMap((f) => {
      const toolCall = f.message['toolCall'] as { functionCalls: { id?: string; name: string }[] } | undefined;
      return toolCall?.functionCalls ?? [];
    });
    if (calls.length > 0) {
      const response = await server?.waitForFrame((f) => f.type === 'toolResponse');
      // Vertex AI's calls carry no id, so neither does the answer.
      expect(response).toEqual({
        type: 'toolResponse',
        responses: calls.map((call) => ({ ...(call.id ? { id: call.id } : {}), name: call.name, response: { output: { tempC: 12 } } })),
      });
    }
    expect(session.state).toBe('streaming');
    await session.close();
  });

  it('include an executableCode part before a toolCall, and a Vertex toolCall', () => {
    const server = recordings.flatMap((r) => r.frames.filter((f) => f.from === 'server').map((f) => ({ r, f })));
    const toolCallRecording = recordings.find((r) => r.name === 'live_ML_Dev_should_send_tool_response.websocket.log');
    const kinds = toolCallRecording?.frames.filter((f) => f.from === 'server').map((f) => Object.keys(f.message)[0]);
    expect(kinds).toEqual(['setupComplete', 'serverContent', 'toolCall']);
    expect(JSON.stringify(toolCallRecording?.frames[3]?.message)).toContain('executableCode');
    // docs/protocol.md says Vertex sends calls without an id; its recorded toolCall has one. What
    // the recordings show without an id is a client toolResponse, which Vertex accepts. Id-less
    // calls are still handled (test/session/tools.test.ts).
    const vertexCalls = server.filter(({ r, f }) => r.vertex && f.message['toolCall']);
    expect(vertexCalls.length).toBeGreaterThan(0);
  });
});
