// changes.ts — the change stream for the typed client: an async iterator over
// GET /changes/stream (NDJSON) yielding every entry as the generated `AuditEntry` type, in
// commit order, resuming after the last entry it yielded whenever the stream ends (the server's
// lifetime or restart, a network error), so a loop over it never misses a change:
//
//   for await (const change of followChanges(baseUrl, { after: 0, entity: ['departure'] })) …
//
// Stop it with an AbortSignal (or by leaving the loop).
import type { components } from '../../../build/contract/schema.js';

export type AuditEntry = components['schemas']['AuditEntry'];

export interface FollowOptions {
  after?: number; // resume after this entry (0: from the first); default: from now on
  entity?: string[];
  operation?: string[];
  org?: string;
  team?: string;
  person?: string;
  key?: string; // an API key, when the server needs one for reads
  signal?: AbortSignal;
  retryMs?: number; // pause before resuming after an error (default 2000)
}

function streamUrl(baseUrl: string, o: FollowOptions, after: number | undefined): string {
  const q = new URLSearchParams();
  if (after !== undefined) q.set('after', String(after));
  if (o.entity?.length) q.set('entity', o.entity.join(','));
  if (o.operation?.length) q.set('operation', o.operation.join(','));
  for (const k of ['org', 'team', 'person'] as const) if (o[k]) q.set(k, o[k] as string);
  const s = q.toString();
  return `${baseUrl.replace(/\/$/, '')}/changes/stream${s ? `?${s}` : ''}`;
}

export async function* followChanges(baseUrl: string, o: FollowOptions = {}): AsyncGenerator<AuditEntry> {
  let after = o.after;
  while (!o.signal?.aborted) {
    try {
      const headers: Record<string, string> = { Accept: 'application/x-ndjson' };
      if (o.key) headers.Authorization = `Bearer ${o.key}`;
      const res = await fetch(streamUrl(baseUrl, o, after), { headers, signal: o.signal });
      if (res.status === 400) throw new Error(`change stream refused: ${await res.text()}`);
      if (!res.ok || !res.body) throw Object.assign(new Error(`change stream: HTTP ${res.status}`), { retry: true });
      const decoder = new TextDecoder();
      let buffered = '';
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffered += decoder.decode(chunk, { stream: true });
        let nl: number;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, nl).trim();
          buffered = buffered.slice(nl + 1);
          if (!line) continue; // a keep-alive
          const item = JSON.parse(line) as AuditEntry | { event: string; id: number };
          if ('event' in item) {
            // reset: the key was unknown, go on after the newest; reconnect: resume from id
            after = item.id;
            continue;
          }
          after = item.id;
          yield item;
        }
      }
    } catch (e) {
      if (o.signal?.aborted) return;
      if (!(e as { retry?: boolean }).retry && e instanceof Error && e.message.startsWith('change stream refused')) throw e;
    }
    if (o.signal?.aborted) return;
    await new Promise((r) => setTimeout(r, o.retryMs ?? 2000));
  }
}
