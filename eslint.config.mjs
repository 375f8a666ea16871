// Lint rules, above all the dependency rule of DESIGN.md:
//  - engine/ imports neither `vscode` nor DAP code;
//  - engine/ reads no wall clock and no unseeded randomness (Math.random, Date, performance.now,
//    process.hrtime, crypto), except engine/cli, which may show progress; engine/qemu waits on
//    real QEMU processes with timers but reads the time only through a clock engine/cli passes it;
//  - Node-only modules appear only in engine/cli, engine/explore (its worker pool) and engine/qemu,
//    so the rest of engine/ also runs in a webview;
//  - inside engine/ the layer arrows (sim ← model ← scenario ← runtime ← explore ← cli, trace on
//    sim, qemu on trace) and no import cycles: scripts/eslint-layers.mjs;
//  - media/ (the webview) imports neither vscode, Node nor extension/.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import layersPlugin from './scripts/eslint-layers.mjs';

const nodeOnly = ['fs', 'fs/promises', 'worker_threads', 'child_process', 'net', 'os', 'path', 'http', 'https', 'dgram', 'readline', 'stream', 'zlib', 'crypto', 'url', 'process'];
const nodeOnlyPatterns = nodeOnly.flatMap((m) => [m, `node:${m}`]);

const vscodeAndDap = [
  { name: 'vscode', message: 'engine/ must not import vscode (DESIGN.md dependency rule).' },
];
const dapPatterns = [{ group: ['@vscode/*', '**/extension/**', '**/media/**'], message: 'engine/ must not import DAP packages, extension/ or media/ (DESIGN.md dependency rule).' }];

const nondeterminism = [
  { object: 'Math', property: 'random', message: 'Use the seeded PRNG (engine/sim/prng.ts): determinism is the product.' },
  { object: 'Date', property: 'now', message: 'engine/ must not read the wall clock: use virtual time.' },
  { object: 'performance', property: 'now', message: 'engine/ must not read the wall clock: use virtual time.' },
  { object: 'process', property: 'hrtime', message: 'engine/ must not read the wall clock: use virtual time.' },
  { object: 'crypto', property: 'getRandomValues', message: 'Use the seeded PRNG: determinism is the product.' },
  { object: 'crypto', property: 'randomUUID', message: 'Use the seeded PRNG: determinism is the product.' },
];
const nondeterministicGlobals = [
  { name: 'Date', message: 'engine/ must not read the wall clock: use virtual time.' },
  { name: 'performance', message: 'engine/ must not read the wall clock: use virtual time.' },
  { name: 'setTimeout', message: 'engine/ schedules in virtual time, not with wall-clock timers.' },
  { name: 'setInterval', message: 'engine/ schedules in virtual time, not with wall-clock timers.' },
  { name: 'setImmediate', message: 'engine/ schedules in virtual time, not with wall-clock timers.' },
];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'out/**', '.tmp/**', 'engine/trace/gen/**', '**/*.generated.*'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.mjs', '**/*.js', '**/*.cjs'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ['bin/*.js'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    files: ['engine/**/*.ts'],
    ignores: ['engine/cli/**', 'engine/explore/**', 'engine/qemu/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: [...vscodeAndDap, ...nodeOnlyPatterns.map((name) => ({ name, message: 'Node-only modules belong in engine/cli, engine/explore or engine/qemu; the rest of engine/ also runs in a webview.' }))], patterns: dapPatterns }],
      'no-restricted-properties': ['error', ...nondeterminism],
      'no-restricted-globals': ['error', ...nondeterministicGlobals, { name: 'process', message: 'engine/ outside cli, explore and qemu runs in a webview: no process.' }],
    },
  },
  {
    files: ['engine/explore/**/*.ts', 'engine/qemu/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: vscodeAndDap, patterns: dapPatterns }],
      'no-restricted-properties': ['error', ...nondeterminism],
      'no-restricted-globals': ['error', ...nondeterministicGlobals.filter((g) => g.name === 'Date' || g.name === 'performance')],
    },
  },
  {
    // the layer arrows inside engine/ and no import cycles (scripts/eslint-layers.mjs)
    files: ['engine/**/*.ts', 'extension/**/*.ts', 'media/**/*.ts'],
    ignores: ['engine/trace/gen/**'],
    plugins: { migtrace: layersPlugin },
    rules: { 'migtrace/layers': 'error' },
  },
  {
    // the webview: no extension-host API, no Node
    files: ['media/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'media/ runs in a webview: it talks to the host by messages, never through the vscode API.' }, ...nodeOnlyPatterns.map((name) => ({ name, message: 'media/ runs in a webview: no Node modules.' }))], patterns: [{ group: ['**/extension/**'], message: 'media/ must not import extension/ (the extension host).' }] }],
    },
  },
  {
    files: ['engine/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: vscodeAndDap, patterns: dapPatterns }],
      'no-restricted-properties': ['error', { object: 'Math', property: 'random', message: 'Use the seeded PRNG: determinism is the product.' }],
    },
  },
);
