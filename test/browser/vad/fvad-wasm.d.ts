/**
 * `@echogarden/fvad-wasm` ships no types; an app that imports it for `createWebRtcVad({ load })`
 * declares it, as this test page does (docs/activity.md).
 */
declare module '@echogarden/fvad-wasm' {
  const createFvadModule: (options?: object) => Promise<unknown>;
  export default createFvadModule;
}
