/**
 * Reads a fetch response's body up to a limit, stopping (and cancelling the download) as soon as
 * it is passed: a file a platform serves is never held whole in memory when it is too big.
 */
export type LimitedBody = { ok: true; data: Uint8Array<ArrayBuffer> } | { ok: false; reason: 'tooBig' | 'failed' };

export async function readLimited(res: Response, maxBytes: number): Promise<LimitedBody> {
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body?.cancel().catch(() => undefined);
    return { ok: false, reason: 'tooBig' };
  }
  if (!res.body) return { ok: false, reason: 'failed' };
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return { ok: false, reason: 'tooBig' };
    }
    chunks.push(value);
  }
  const data = new Uint8Array(new ArrayBuffer(total));
  let at = 0;
  for (const c of chunks) {
    data.set(c, at);
    at += c.byteLength;
  }
  return { ok: true, data };
}
