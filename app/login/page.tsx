import { redirect } from 'next/navigation';
import { safeCallbackPath } from '@/lib/auth/callbackUrl';
import { currentUser } from '@/lib/auth/session';
import { LoginForm } from './LoginForm';

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ callbackUrl?: string | string[] }> }) {
  const { callbackUrl } = await searchParams;
  // Only paths of this app: an open redirect after login would be a phishing aid.
  const target = safeCallbackPath(typeof callbackUrl === 'string' ? callbackUrl : undefined);
  if (await currentUser()) redirect(target);
  return <LoginForm callbackUrl={target} />;
}
