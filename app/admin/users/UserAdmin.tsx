'use client';
import { useState, type FormEvent } from 'react';
import { ROLES, ROLE_LABELS, type Role } from '@/lib/auth/roles';

interface Row {
  id: string;
  email: string;
  name: string;
  role: Role;
  active: boolean;
  createdAt: string;
}

async function send(url: string, method: string, body: unknown): Promise<{ user?: Row; error?: string }> {
  const res = await fetch(url, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return res.json();
}

export function UserAdmin({ me, initialUsers }: { me: string; initialUsers: Row[] }) {
  const [users, setUsers] = useState(initialUsers);
  const [message, setMessage] = useState<string | null>(null);

  const replace = (user: Row) => setUsers((all) => all.map((u) => (u.id === user.id ? user : u)));

  async function change(id: string, patch: Partial<Pick<Row, 'role' | 'active'>>) {
    const result = await send(`/api/users/${id}`, 'PATCH', patch);
    if (result.user) replace(result.user);
    setMessage(result.error ?? null);
  }

  async function create(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const result = await send('/api/users', 'POST', {
      email: form.get('email'),
      name: form.get('name') || undefined,
      role: form.get('role'),
      password: form.get('password'),
    });
    if (result.user) {
      setUsers((all) => [...all, result.user!]);
      formElement.reset();
      setMessage(`Created ${result.user.email}`);
    } else setMessage(result.error ?? 'Could not create the user');
  }

  return (
    <div className="stack">
      <h1>Users</h1>
      {message && <p role="status">{message}</p>}
      <table className="card">
        <thead><tr><th>Email</th><th>Name</th><th>Role</th><th>Status</th><th /></tr></thead>
        <tbody>
          {users.map((u) => (
            <tr key={u.id}>
              <td>{u.email}</td>
              <td>{u.name}</td>
              <td>
                <select aria-label={`Role of ${u.email}`} value={u.role} disabled={u.id === me} onChange={(e) => change(u.id, { role: e.target.value as Role })}>
                  {ROLES.map((r) => <option key={r} value={r}>{ROLE_LABELS[r]}</option>)}
                </select>
              </td>
              <td>{u.active ? 'active' : <span className="muted">deactivated</span>}</td>
              <td>
                {u.id !== me && (
                  <button onClick={() => change(u.id, { active: !u.active })}>{u.active ? 'Deactivate' : 'Reactivate'}</button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form className="card row" onSubmit={create}>
        <label>Email<input name="email" type="email" required /></label>
        <label>Name<input name="name" /></label>
        <label>Role
          <select name="role" defaultValue="ANNOTATOR">{ROLES.map((r) => <option key={r} value={r}>{ROLE_LABELS[r]}</option>)}</select>
        </label>
        <label>Password<input name="password" type="password" minLength={8} required /></label>
        <button className="primary" type="submit">Add user</button>
      </form>
    </div>
  );
}
