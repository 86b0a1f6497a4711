import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The recordings of real Live API traffic that ship beside the repository. */
export const RECORDINGS_DIR = resolve(import.meta.dirname, '../fixtures/live-recordings');

/** One recorded frame: `>` from the client, `<` from the server. */
export interface RecordedLiveFrame {
  from: 'client' | 'server';
  bytes: number;
  message: Record<string, unknown>;
}

/** A recording: its file name, whether it came from Vertex AI, and its frames in order. */
export interface Recording {
  name: string;
  vertex: boolean;
  frames: RecordedLiveFrame[];
}

/** Parses a `.websocket.log`: entries `>N {json}` or `<N {json}` (possibly pretty-printed). */
export function parseRecording(text: string): RecordedLiveFrame[] {
  const frames: RecordedLiveFrame[] = [];
  const starts = [...text.matchAll(/^([<>])(\d+) /gm)];
  starts.forEach((match, i) => {
    const begin = (match.index ?? 0) + match[0].length;
    const end = starts[i + 1]?.index ?? text.length;
    frames.push({
      from: match[1] === '>' ? 'client' : 'server',
      bytes: Number(match[2]),
      message: JSON.parse(text.slice(begin, end)) as Record<string, unknown>,
    });
  });
  return frames;
}

/** Every recording, parsed. */
export function loadRecordings(): Recording[] {
  return readdirSync(RECORDINGS_DIR)
    .filter((file) => file.endsWith('.websocket.log'))
    .sort()
    .map((name) => ({
      name,
      vertex: name.startsWith('live_Vertex'),
      frames: parseRecording(readFileSync(join(RECORDINGS_DIR, name), 'utf8')),
    }));
}

/**
 * The shape of a JSON value: the paths of its fields with their JSON types, array items under
 * `[]`. `{ a: [{ b: 1 }] }` → `['a: array', 'a[].b: number', 'a[]: object']`.
 */
export function shapeOf(value: unknown, path = ''): string[] {
  if (Array.isArray(value)) {
    return [`${path}: array`, ...value.flatMap((item) => shapeOf(item, `${path}[]`))];
  }
  if (value !== null && typeof value === 'object') {
    const here = path ? [`${path}: object`] : [];
    return [...here, ...Object.entries(value).flatMap(([key, child]) => shapeOf(child, path ? `${path}.${key}` : key))];
  }
  return [`${path}: ${value === null ? 'null' : typeof value}`];
}
