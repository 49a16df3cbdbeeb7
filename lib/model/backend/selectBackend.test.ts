import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@/lib/model/tf';
import { requestedBackend, resolveWasmDistDir, selectBackend } from './selectBackend';

const notInstalled = (name: string) => Promise.reject(Object.assign(new Error(`Cannot find package '${name}'`), { code: 'ERR_MODULE_NOT_FOUND' }));

describe('requestedBackend', () => {
  it('reads CTMS_TF_BACKEND, lets an explicit option win, and is automatic when unset', () => {
    expect(requestedBackend({ env: { CTMS_TF_BACKEND: 'cpu' } })).toEqual({ name: 'cpu', chosenBy: 'env' });
    expect(requestedBackend({ env: { CTMS_TF_BACKEND: ' node-gpu ' } })).toEqual({ name: 'node-gpu', chosenBy: 'env' });
    expect(requestedBackend({ backend: 'wasm', env: { CTMS_TF_BACKEND: 'cpu' } })).toEqual({ name: 'wasm', chosenBy: 'option' });
    expect(requestedBackend({ env: {} })).toEqual({ name: null, chosenBy: 'auto' });
    expect(requestedBackend({ env: { CTMS_TF_BACKEND: '' } })).toEqual({ name: null, chosenBy: 'auto' });
  });

  it('rejects a bad value with the list of valid ones', () => {
    expect(() => requestedBackend({ env: { CTMS_TF_BACKEND: 'gpu' } })).toThrow(
      'CTMS_TF_BACKEND="gpu" is not a backend: use one of node-gpu, node, wasm, cpu',
    );
  });
});

describe('selectBackend', () => {
  it('fails clearly when a forced native backend is not installed, and does not remember the failure', async () => {
    await expect(
      selectBackend({ env: { CTMS_TF_BACKEND: 'node' }, importPackage: notInstalled, log: () => {} }),
    ).rejects.toThrow(
      'CTMS_TF_BACKEND=node was requested but tfjs-node not installed; install @tensorflow/tfjs-node on a machine that can download libtensorflow',
    );
    await expect(selectBackend({ env: { CTMS_TF_BACKEND: 'bogus' }, log: () => {} })).rejects.toThrow('is not a backend');
  });

  it('reports a native package that is installed but cannot load', async () => {
    const broken = (name: string) =>
      name.endsWith('-gpu') ? Promise.reject(new Error('libcudart.so.11.0: cannot open shared object file')) : notInstalled(name);
    await expect(
      selectBackend({ backend: 'node-gpu', importPackage: broken, log: () => {} }),
    ).rejects.toThrow("backend 'node-gpu' was requested but tfjs-node-gpu failed to load (libcudart.so.11.0");
  });

  it('falls back to wasm with training kernels, logs one line, and returns the same result again', async () => {
    const lines: string[] = [];
    const first = await selectBackend({ env: {}, importPackage: notInstalled, log: (l) => lines.push(l) });
    expect(first.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(first.skipped).toEqual(['tfjs-node-gpu not installed', 'tfjs-node not installed']);
    expect(first.wasmKernels).toEqual(expect.arrayContaining(['Conv2DBackpropFilter', 'UnsortedSegmentSum']));
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
    expect(lines).toEqual([
      `[model] backend=wasm (${first.simd ? 'simd, ' : ''}1 thread) — tfjs-node-gpu not installed, tfjs-node not installed`,
    ]);

    const second = await selectBackend({ log: (l) => lines.push(l) });
    expect(second).toBe(first);
    expect(await selectBackend({ backend: 'wasm' })).toBe(first);
    expect(lines).toHaveLength(1);
    await expect(selectBackend({ backend: 'cpu' })).rejects.toThrow("backend 'wasm' is already selected in this process");
  });

  it('finds the wasm binaries folder for setWasmPaths', () => {
    const dir = resolveWasmDistDir();
    expect(dir).not.toBeNull();
    expect(fs.existsSync(path.join(dir!, 'tfjs-backend-wasm-simd.wasm'))).toBe(true);
  });
});
