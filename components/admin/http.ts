/** Calls the app's JSON API from the admin console; a non-2xx answer becomes an Error with the server's message. */
export async function api<T>(url: string, init?: RequestInit & { json?: unknown }): Promise<T> {
  const { json, ...rest } = init ?? {};
  const res = await fetch(url, json === undefined ? rest : { ...rest, headers: { 'content-type': 'application/json', ...rest.headers }, body: JSON.stringify(json) });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error((body as { error?: string }).error ?? `${res.status} ${res.statusText}`);
  return body as T;
}
