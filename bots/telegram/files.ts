/**
 * The photos and documents parents send, downloaded from Telegram for the education department:
 * `getFile` gives the file's path (and size, checked before any byte is read), then the file is
 * read from the Bot API's file endpoint within the limit. The URL holds the bot token: it is
 * never logged.
 */
import type { Api } from 'grammy';
import { readLimited } from '../../src/http/index.ts';
import type { FetchedFile, FileSource } from '../../src/services/index.ts';

const DOWNLOAD_TIMEOUT_MS = 30_000;

export class TelegramFiles implements FileSource {
  constructor(
    private readonly api: Api,
    private readonly token: string,
    private readonly apiRoot: string,
  ) {}

  async fetch(ref: string, maxBytes: number): Promise<FetchedFile> {
    try {
      const file = await this.api.getFile(ref);
      if (file.file_size !== undefined && file.file_size > maxBytes) return { ok: false, reason: 'tooBig' };
      if (!file.file_path) return { ok: false, reason: 'failed' };
      const url = `${this.apiRoot.replace(/\/+$/, '')}/file/bot${this.token}/${file.file_path}`;
      const res = await fetch(url, { signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) });
      if (!res.ok) {
        await res.body?.cancel().catch(() => undefined);
        return { ok: false, reason: 'failed' };
      }
      const body = await readLimited(res, maxBytes);
      return body.ok ? { ok: true, data: body.data, mime: res.headers.get('content-type') } : body;
    } catch {
      // A file too big for the Bot API (over 20 MB) or gone: the parent is asked to send it again.
      return { ok: false, reason: 'failed' };
    }
  }
}
