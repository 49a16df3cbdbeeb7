import { redirect } from 'next/navigation';
import { currentUser } from '@/lib/auth/session';
import { LoginForm } from './LoginForm';

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ callbackUrl?: string }> }) {
  const { callbackUrl } = await searchParams;
  // Only same-site paths: an open redirect after login would be a phishing aid.
  const target = callbackUrl && callbackUrl.startsWith('/') && !callbackUrl.startsWith('//') ? callbackUrl : '/slices';
  if (await currentUser()) redirect(target);
  return <LoginForm callbackUrl={target} />;
}
