const dev = process.env.NODE_ENV === 'development';

/**
 * Security headers on every response (OWASP ASVS V14.4). Next.js inlines its bootstrap scripts, so scripts need
 * 'unsafe-inline' (no nonces without a proxy, which would buffer uploads); everything else comes from this origin
 * only, nothing may frame the app, and no plugin or foreign form target is allowed.
 */
const contentSecurityPolicy = [
  "default-src 'self'",
  `script-src 'self' 'unsafe-inline'${dev ? " 'unsafe-eval'" : ''}`,
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const securityHeaders = [
  { key: 'Content-Security-Policy', value: contentSecurityPolicy },
  { key: 'X-Frame-Options', value: 'DENY' },
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  { key: 'Referrer-Policy', value: 'same-origin' },
  { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=(), payment=()' },
  { key: 'Cross-Origin-Opener-Policy', value: 'same-origin' },
];

/** @type {import('next').NextConfig} */
const nextConfig = {
  async headers() {
    return [{ source: '/:path*', headers: securityHeaders }];
  },
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
