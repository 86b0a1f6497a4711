// The architecture, enforced in `npm test` (`npm run check:deps`): no import cycles; the
// statechart is pure (it imports nothing outside src/machines but the protocol); the emulator and
// the scripted transport are for tests and the CLI only.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'An import cycle makes the load order matter and the layers meaningless.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'machines-are-pure',
      severity: 'error',
      comment: 'src/machines is the statechart: it imports only itself, src/protocol and xstate.',
      from: { path: '^src/machines/' },
      to: { pathNot: ['^src/machines/', '^src/protocol/', '^node_modules/xstate/'] },
    },
    {
      name: 'testing-is-for-tests',
      severity: 'error',
      comment: 'The emulator and the scripted transport ship for tests; only the CLI uses them from src.',
      from: { path: '^src/', pathNot: ['^src/testing/', '^src/cli/'] },
      to: { path: '^src/testing/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
};
