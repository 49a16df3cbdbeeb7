import { randomUUID } from 'node:crypto';
import type { NextAuthOptions } from 'next-auth';
import CredentialsProvider from 'next-auth/providers/credentials';
import { getDb } from '@/lib/db/client';
import { authenticate } from '@/lib/users/service';
import { safeCallbackPath } from './callbackUrl';
import { revokeSession, sessionIsLive } from './sessions';
import { accountKey, ACCOUNT_POLICY, addressKey, ADDRESS_POLICY, assertNotThrottled, clearFailures, recordFailure } from './throttle';

/**
 * The client's address for per-address throttling: the first X-Forwarded-For hop (set by the reverse proxy, or by
 * the Next.js server from the socket when the client sent none).
 */
export function clientAddress(headers: Record<string, string | string[] | undefined> | Headers | undefined): string {
  const get = (name: string) => (headers instanceof Headers ? headers.get(name) : ([] as string[]).concat(headers?.[name] ?? [])[0]) ?? '';
  return get('x-forwarded-for').split(',')[0].trim() || get('x-real-ip').trim() || 'unknown';
}

export const authOptions: NextAuthOptions = {
  session: { strategy: 'jwt', maxAge: 12 * 60 * 60 },
  pages: { signIn: '/login' },
  providers: [
    CredentialsProvider({
      name: 'Email and password',
      credentials: {
        email: { label: 'Email', type: 'email' },
        password: { label: 'Password', type: 'password' },
      },
      async authorize(credentials, req) {
        const db = getDb();
        const email = String(credentials?.email ?? '').slice(0, 320);
        const keys = [accountKey(email), addressKey(clientAddress(req?.headers))];
        // The route (app/api/auth/[...nextauth]/route.ts) answers 429 before this; checked again for any other way in.
        await assertNotThrottled(db, keys);
        const user = await authenticate(db, email, String(credentials?.password ?? ''));
        if (!user) {
          await recordFailure(db, [{ key: keys[0], policy: ACCOUNT_POLICY }, { key: keys[1], policy: ADDRESS_POLICY }]);
          return null;
        }
        await clearFailures(db, keys[0]);
        const { sessionVersion } = await db.user.findUniqueOrThrow({ where: { id: user.id }, select: { sessionVersion: true } });
        return { id: user.id, email: user.email, name: user.name, sessionVersion };
      },
    }),
  ],
  callbacks: {
    // Only the user id travels in the token, with a session id and the user's session version: role and active
    // flag are read from the database on every request (lib/auth/session.ts), and a revoked session (sign-out,
    // deactivation, password change) is refused here, which also empties /api/auth/session.
    async jwt({ token, user }) {
      if (user) {
        token.sub = user.id;
        token.sid = randomUUID();
        token.sv = (user as { sessionVersion?: number }).sessionVersion ?? 0;
        return token;
      }
      if (!(await sessionIsLive(getDb(), { sub: token.sub, jti: token.sid as string | undefined, sv: token.sv as number | undefined }))) throw new Error('session revoked');
      return token;
    },
    async session({ session, token }) {
      if (session.user && token.sub) (session.user as { id?: string }).id = token.sub;
      return session;
    },
    // After sign-in or sign-out, only paths of this app.
    async redirect({ url, baseUrl }) {
      const path = url.startsWith(baseUrl) ? url.slice(baseUrl.length) || '/' : url;
      return `${baseUrl}${safeCallbackPath(path, '/')}`;
    },
  },
  events: {
    async signOut({ token }) {
      if (token) await revokeSession(getDb(), { jti: token.sid as string | undefined, exp: token.exp as number | undefined });
    },
  },
};
