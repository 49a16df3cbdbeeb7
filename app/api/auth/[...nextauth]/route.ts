import NextAuth from 'next-auth';
import { authOptions } from '@/lib/auth/options';

// next-auth's own endpoints (sign-in, session, CSRF): public by design, the only unguarded route.
const handler = NextAuth(authOptions);
export { handler as GET, handler as POST };
