import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '..');
const run = (script: string, args: string[]) =>
  spawnSync(process.execPath, [path.join(root, 'node_modules/tsx/dist/cli.mjs'), path.join(root, 'scripts', script), ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 });

describe('model CLIs reject bad arguments with exit code 2', () => {
  it.each([
    ['train.ts', ['--data', root, '--task', 'bogus'], /--task must be one of segment, classify/],
    ['train.ts', ['--task', 'segment'], /--data is required/],
    ['train.ts', ['--data', root, '--epochs', 'many'], /--epochs must be a valid positive number/],
    ['train.ts', ['--data', root, '--task', 'classify'], /--segmenter <dir>/],
    ['eval.ts', ['--data', root], /--model is required/],
    ['predict.ts', ['--model', root], /expected exactly one image/],
    ['predict.ts', ['--model', root, '--colour', 'red', 'x.png'], /Unknown option '--colour'/],
  ])('%s %j', (script, args, message) => {
    const r = run(script, args);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/Usage: npm run/);
  });
});
