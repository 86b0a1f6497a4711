/**
 * The built-in scenarios, by name (`startLiveEmulator({ scenario: 'tool-call' })`, or
 * `--scenario tool-call` on the CLI). All of them loop: each user utterance gets the same play.
 */
import type { Scenario, ScenarioAction } from './scenario.js';

/** Names of the built-in scenarios. */
export type BuiltinScenarioName = 'echo' | 'tool-call' | 'parallel-tools' | 'back-to-back' | 'cancel';

const weather = { name: 'get_weather', args: { city: 'Paris' } };
const time = { name: 'get_time', args: { city: 'Paris' } };

/** The model's answer once the tools are done. */
const answer: ScenarioAction[] = [
  { audio: { ms: 400 } },
  { outputTranscription: 'It is sunny in Paris.' },
  { generationComplete: true },
  { turnComplete: {} },
];

/** The start of a turn that ends in a tool call. */
const question: ScenarioAction[] = [
  { inputTranscription: "What's the weather in Paris?" },
  { audio: { ms: 200 } },
  { outputTranscription: 'Let me check.' },
];

/** The built-in scenarios. */
export const scenarios: Record<BuiltinScenarioName, Scenario> = {
  /** A reply to every user turn: each activityEnd, each second of audio, each text or clientContent. */
  echo: {
    name: 'echo',
    loop: true,
    steps: [
      {
        after: [{ activityEnd: true }, { audioMs: 1000 }, { text: true }, { clientContent: true }],
        do: [
          { inputTranscription: 'Hello, can you hear me?' },
          { audio: { ms: 400 } },
          { outputTranscription: 'Yes, I can hear you.' },
          { generationComplete: true },
          { turnComplete: {} },
        ],
      },
    ],
  },
  /** After 300 ms of audio the model says a little, calls get_weather and answers once it has the result. */
  'tool-call': {
    name: 'tool-call',
    loop: true,
    steps: [
      { after: { audioMs: 300 }, do: [...question, { toolCall: [weather] }] },
      { after: { toolResponse: true }, do: answer },
    ],
  },
  /** Two calls in one toolCall; the answer comes when both are answered. */
  'parallel-tools': {
    name: 'parallel-tools',
    loop: true,
    steps: [
      { after: { audioMs: 300 }, do: [...question, { toolCall: [weather, time] }] },
      { after: { toolResponse: true }, do: answer },
    ],
  },
  /** A second toolCall message right behind the first, before the client can answer it. */
  'back-to-back': {
    name: 'back-to-back',
    loop: true,
    steps: [
      { after: { audioMs: 300 }, do: [...question, { toolCall: [weather] }, { toolCall: [time] }] },
      { after: { toolResponse: true }, do: answer },
    ],
  },
  /**
   * A toolCall withdrawn 50 ms later, as on barge-in: `interrupted`, then the cancellation. The
   * model then answers the next 300 ms of audio without the tool.
   */
  cancel: {
    name: 'cancel',
    loop: true,
    steps: [
      {
        after: { audioMs: 300 },
        do: [...question, { toolCall: [weather] }, { wait: 50 }, { interrupted: true }, { cancel: 'last' }],
      },
      {
        after: { audioMs: 300 },
        do: [
          { inputTranscription: 'Never mind.' },
          { audio: { ms: 200 } },
          { outputTranscription: 'Okay.' },
          { generationComplete: true },
          { turnComplete: {} },
        ],
      },
    ],
  },
};

/** Whether `name` is a built-in scenario. */
export function isBuiltinScenario(name: string): name is BuiltinScenarioName {
  return Object.hasOwn(scenarios, name);
}
