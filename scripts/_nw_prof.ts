import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from '@/lib/model/backend/wasmTrainingKernels';
async function main() {
  registerWasmTrainingKernels();
  await tf.setBackend('wasm');
  const x = tf.randomNormal([1, 128, 128, 64]) as tf.Tensor4D;
  const w = tf.variable(tf.randomNormal([3, 3, 64, 64]).mul(0.05));
  const g = tf.variable(tf.ones([64])); const b = tf.variable(tf.zeros([64]));
  const gn = (x: tf.Tensor4D) => { const [n,h,ww,c]=x.shape; const xr=x.reshape([n,h*ww,8,c/8]); const {mean,variance}=tf.moments(xr,[1,3],true); return xr.sub(mean).mul(tf.rsqrt(variance.add(1e-5))).reshape([n,h,ww,c]).mul(g).add(b); };
  const time = (name: string, f: () => tf.Scalar) => { for (let i=0;i<3;i++){ const t0=Date.now(); const r=tf.variableGrads(f); r.value.dataSync(); const dt=Date.now()-t0; tf.dispose([r.value, ...Object.values(r.grads)]); if(i==2) console.log(name, dt,'ms'); } };
  const timeF = (name: string, f: () => tf.Tensor) => { for (let i=0;i<3;i++){ const t0=Date.now(); const r=tf.tidy(f); r.dataSync(); const dt=Date.now()-t0; r.dispose(); if(i==2) console.log(name, dt,'ms'); } };
  timeF('conv fwd', () => tf.conv2d(x, w, 1, 'same'));
  timeF('fused conv fwd', () => tf.fused.conv2d({x, filter: w, strides:1, pad:'same', activation:'relu'}));
  time('conv fwd+bwd', () => tf.mean(tf.conv2d(x, w, 1, 'same')));
  time('fused conv fwd+bwd', () => tf.mean(tf.fused.conv2d({x, filter: w, strides:1, pad:'same', bias: b, activation:'relu'})));
  timeF('gn fwd', () => gn(x));
  time('gn fwd+bwd', () => tf.mean(gn(x)));
  time('relu(add) bwd', () => tf.mean(tf.relu(tf.add(x.mul(g), b))));
  const bk = tf.backend() as any;
  tf.env().set('DEBUG', false);
  const prof = await tf.profile(() => { const r = tf.variableGrads(() => tf.mean(gn(tf.conv2d(x, w, 1, 'same')))); return r.value; });
  const agg: Record<string, number> = {};
  for (const k of prof.kernels) agg[k.name] = (agg[k.name] ?? 0) + (k.kernelTimeMs as number);
  console.log(Object.entries(agg).sort((a,b)=>b[1]-a[1]).slice(0,12));
}
main();
