import NextAuth from 'next-auth';
import { NextRequest } from 'next/server';
import { clientAddress, authOptions } from '@/lib/auth/options';
import { accountKey, addressKey, assertNotThrottled } from '@/lib/auth/throttle';
import { getDb } from '@/lib/db/client';
import { DomainError } from '@/lib/errors';
import { readBodyBytes } from '@/lib/http/body';
import { errorResponse } from '@/lib/http/errors';

// next-auth's own endpoints (sign-in, session, CSRF, sign-out): public by design, the only route not built with
// withRole. Wrapped so that they keep the API's rules: a small body limit, 405 for what next-auth does not serve
// (it answers some of it with a 500), and a throttled sign-in answered 429 with Retry-After before any password
// is checked.
const nextAuth = NextAuth(authOptions) as (req: Request, ctx: { params: Promise<{ nextauth: string[] }> }) => Promise<Response>;
const BODY_LIMIT = 8 * 1024;
const CREDENTIALS = 'callback/credentials';

type Ctx = { params: Promise<{ nextauth: string[] }> };

async function handle(req: NextRequest, ctx: Ctx): Promise<Response> {
  try {
    const action = (await ctx.params).nextauth.join('/');
    if (req.method === 'GET' && action === CREDENTIALS) throw new DomainError('method_not_allowed', 'Sign in with POST');
    if (req.method !== 'POST') return await nextAuth(req, ctx);
    const body = await readBodyBytes(req, BODY_LIMIT);
    // next-auth's client posts forms; anything else (malformed JSON included) is refused here, not a 500 there.
    if (!/^application\/x-www-form-urlencoded\s*(;|$)/i.test(req.headers.get('content-type') ?? '')) {
      throw new DomainError('unsupported_media', 'Send the sign-in as a form (application/x-www-form-urlencoded)');
    }
    if (action === CREDENTIALS) {
      const email = new URLSearchParams(new TextDecoder().decode(body)).get('email') ?? '';
      await assertNotThrottled(getDb(), [accountKey(email), addressKey(clientAddress(req.headers))]);
    }
    // The body was read here: next-auth gets the same request with it again.
    return await nextAuth(new NextRequest(req.url, { method: req.method, headers: req.headers, body: body as BodyInit }), ctx);
  } catch (error) {
    return errorResponse(error);
  }
}

export { handle as GET, handle as POST };
