import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
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
    ['eval.ts', ['--model', path.join(root, 'models', 'base'), '--data', root, '--backend', 'gpu'], /--backend must be one of onnxruntime, wasm, got "gpu"/],
    ['eval.ts', ['--model', path.join(root, 'missing.onnx'), '--data', root], /--model .*missing\.onnx: not found/],
    ['predict.ts', ['--model', root], /expected exactly one image/],
    ['predict.ts', ['--model', root, '--colour', 'red', 'x.png'], /Unknown option '--colour'/],
  ])('%s %j', (script, args, message) => {
    const r = run(script, args);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/Usage: npm run/);
  });
});

describe('npm run export -- --format onnx', () => {
  it.each([
    [['--format', 'onnx', '--out', 'model.onnx'], /--format onnx exports a model: give it --model <dir>/],
    [['--format', 'coco', '--model', 'models/base', '--out', 'out'], /--model only goes with --format onnx/],
    [['--format', 'onnx', '--model', 'models/base', '--out', 'model.bin'], /--out names the \.onnx file to write/],
  ])('refuses %j with exit code 2', (args, message) => {
    const r = run('export.ts', args);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/usage: npm run export/);
  });

  it('writes the export of models/base without opening a database', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ctms-export-onnx-'));
    try {
      const r = run('export.ts', ['--format', 'onnx', '--model', path.join(root, 'models', 'base'), '--out', path.join(dir, 'base.onnx')]);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/exported segmenter .*models\/base \(tiny, classes GGO, C, opset 13\) as ONNX/);
      expect(fs.readdirSync(dir).sort()).toEqual(['base.box_head.onnx', 'base.json', 'base.mask_head.onnx', 'base.onnx']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
