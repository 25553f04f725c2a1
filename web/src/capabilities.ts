/**
 * Which documented routes this server has, read from its own OpenAPI document (`GET /api/v1/openapi`, public,
 * cached by the browser for 5 minutes). A page asks before it uses a route that a server may not have yet
 * (the live stream, analytics, venue settings), so it can say so plainly instead of failing (and without a
 * 404 in the console). Fetched once per page load, only by the pages that need it.
 */

interface Doc {
  paths?: Record<string, Record<string, unknown>>;
  components?: { schemas?: Record<string, any> };
}

let doc: Promise<Doc> | null = null;

function load(): Promise<Doc> {
  doc ??= fetch('/api/v1/openapi', { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
    .then((r) => (r.ok ? (r.json() as Promise<Doc>) : {}))
    .catch(() => {
      doc = null; // a network failure: ask again next time
      return {};
    });
  return doc;
}

/** True when the server documents `METHOD path` (path as in the document: `/api/v1/sales/{id}`). */
export async function hasRoute(method: string, path: string): Promise<boolean> {
  const d = await load();
  return !!d.paths?.[path]?.[method.toLowerCase()];
}

/** The webhook event names the server accepts (from the create-webhook schema), or null when not found. */
export async function webhookEventNames(): Promise<string[] | null> {
  const d = await load();
  const schemas = d.components?.schemas ?? {};
  for (const s of Object.values(schemas)) {
    const items = s?.properties?.events?.items;
    if (s?.required?.includes?.('url') && Array.isArray(items?.enum)) return items.enum.filter((e: string) => e !== '*');
    if (s?.required?.includes?.('url') && Array.isArray(items?.anyOf)) {
      const names = items.anyOf.flatMap((a: any) => (Array.isArray(a.enum) ? a.enum : a.const ? [a.const] : []));
      if (names.length) return names.filter((e: string) => e !== '*');
    }
  }
  return null;
}
