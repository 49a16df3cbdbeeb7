import Link from 'next/link';

export default function Forbidden() {
  return (
    <div className="card login">
      <h1>Not for your role</h1>
      <p className="muted">Your account cannot open that page. Ask an admin if you need access.</p>
      <Link href="/slices">Back to the slices</Link>
    </div>
  );
}
