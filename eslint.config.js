// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['dist/', 'coverage/', 'node_modules/', 'test-artifacts/', '.pack-check/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  { languageOptions: { globals: { ...globals.node } } },
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': ['error', { allow: ['warn', 'error'] }],
    },
  },
  // The inspector page's modules run in a browser, served as they are.
  { files: ['src/devtools/inspector/page/**'], languageOptions: { globals: { ...globals.browser } } },
  {
    files: ['scripts/**', 'examples/**', 'bench/**', 'src/cli/**', 'src/devtools/**'],
    rules: { 'no-console': 'off' },
  },
);
