/**
 * The built-in scenarios, by name (`startLiveEmulator({ scenario: 'tool-call' })`, or
 * `--scenario tool-call` on the CLI). All of them loop: each user utterance gets the same play.
 * `async-tool`, `blocking-cancel` and `extended-thinking` show gemini-3.8-live's rules: run them
 * with a 3.8 model in setup (on 2.5 the same plays meet 2.5's rules: a gated mic, a 1008).
 */
import type { Scenario, ScenarioAction } from './scenario.js';

/** Names of the built-in scenarios. */
export type BuiltinScenarioName =
  | 'echo'
  | 'tool-call'
  | 'parallel-tools'
  | 'back-to-back'
  | 'cancel'
  | 'async-tool'
  | 'blocking-cancel'
  | 'extended-thinking';

const weather = { name: 'get_weather', args: { city: 'Paris' } };
const time = { name: 'get_time', args: { city: 'Paris' } };
/** Declare it `behavior: 'BLOCKING'` for `blocking-cancel` to show a cancellation on 3.8. */
const refund = { name: 'issue_refund', args: { order: 'A-1' } };
const places = { name: 'search_places', args: { city: 'Kyoto' } };

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
  /**
   * gemini-3.8-live with get_weather declared without `behavior`: the call runs NON_BLOCKING, so
   * the model keeps talking, and the user may too, while it runs. Once it is answered the model
   * tells the result, asks a question and waits for input (`waitingForInput`).
   */
  'async-tool': {
    name: 'async-tool',
    loop: true,
    steps: [
      {
        after: { audioMs: 300 },
        do: [
          { inputTranscription: "What's the weather in Paris?" },
          { audio: { ms: 200 } },
          { outputTranscription: 'Let me check while we talk.' },
          { toolCall: [weather] },
          { audio: { ms: 200 } },
          { outputTranscription: 'It takes a moment.' },
          { generationComplete: true },
          { turnComplete: {} },
        ],
      },
      {
        after: { toolResponse: true },
        do: [
          { audio: { ms: 400 } },
          { outputTranscription: 'It is sunny in Paris. Anything else?' },
          { generationComplete: true },
          { turnComplete: {} },
          { waitingForInput: true },
        ],
      },
    ],
  },
  /**
   * gemini-3.8-live with issue_refund declared `behavior: 'BLOCKING'`: the model calls it, and the
   * user's next input cancels it (with a `toolCallCancellation`, or silently with `silentCancel`).
   * The model then stops and asks again; a call answered before any input gets the usual answer.
   */
  'blocking-cancel': {
    name: 'blocking-cancel',
    loop: true,
    steps: [
      {
        after: { audioMs: 300 },
        do: [
          { inputTranscription: 'Please refund order A-1.' },
          { audio: { ms: 200 } },
          { outputTranscription: 'Issuing the refund now.' },
          { toolCall: [refund] },
        ],
      },
      {
        after: { toolResponse: true },
        do: [
          { audio: { ms: 400 } },
          { outputTranscription: 'The refund is done. Anything else?' },
          { generationComplete: true },
          { turnComplete: {} },
          { waitingForInput: true },
        ],
        or: [
          {
            after: { cancelledByInput: true },
            do: [
              { interrupted: true },
              { inputTranscription: 'Wait, not that one.' },
              { audio: { ms: 200 } },
              { outputTranscription: 'Okay, I stopped the refund. Which order?' },
              { generationComplete: true },
              { turnComplete: {} },
              { waitingForInput: true },
            ],
          },
        ],
      },
    ],
  },
  /**
   * gemini-3.8-live-extended-thinking: the model ends its spoken turn with `interactionStatus:
   * IN_PROGRESS` (not idle: it goes on reasoning), calls search_places (async: the only kind this
   * model takes), and once answered speaks again and ends with `IDLE`, then waits for input.
   */
  'extended-thinking': {
    name: 'extended-thinking',
    loop: true,
    steps: [
      {
        after: { audioMs: 300 },
        do: [
          { inputTranscription: 'Plan a day in Kyoto.' },
          { audio: { ms: 200 } },
          { outputTranscription: 'Let me think about that.' },
          { generationComplete: true },
          { turnComplete: { interactionStatus: 'IN_PROGRESS' } },
          { wait: 50 },
          { toolCall: [places] },
        ],
      },
      {
        after: { toolResponse: true },
        do: [
          { audio: { ms: 400 } },
          { outputTranscription: 'Start at Fushimi Inari, then Arashiyama. Shall I add dinner?' },
          { generationComplete: true },
          { turnComplete: { interactionStatus: 'IDLE' } },
          { waitingForInput: true },
        ],
      },
    ],
  },
};

/** Whether `name` is a built-in scenario. */
export function isBuiltinScenario(name: string): name is BuiltinScenarioName {
  return Object.hasOwn(scenarios, name);
}
