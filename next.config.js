/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native and wasm packages are loaded from node_modules at run time, never bundled.
  serverExternalPackages: [
    'sharp',
    'better-sqlite3',
    'pg',
    '@prisma/adapter-better-sqlite3',
    '@prisma/adapter-pg',
    '@tensorflow/tfjs',
    '@tensorflow/tfjs-backend-wasm',
    '@tensorflow/tfjs-node',
    '@tensorflow/tfjs-node-gpu',
    'dcmjs',
    'dicom-parser',
    'nifti-reader-js',
  ],
  // Types are checked once by `npm test` (tsc --noEmit over the whole project, tests and scripts included);
  // `npm start` on a fresh clone need not repeat it.
  typescript: { ignoreBuildErrors: true },
  poweredByHeader: false,
  reactStrictMode: true,
};

module.exports = nextConfig;
