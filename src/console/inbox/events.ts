/**
 * Server-sent events for the inbox: one poller per process looks at the inbox's cursor every two
 * seconds while someone has the inbox open and tells every open page when it moved (a parent
 * wrote, another operator answered, closed or took a conversation). The database is the bus, so a
 * message that came in on another instance shows up too. Pages then fetch their live part again.
 */
import type { ServerResponse } from 'node:http';
import type { Logger } from '../../log.ts';

export class InboxEvents {
  /** Each open page and the cursor it last saw (as rendered, then as told). */
  private readonly streams = new Map<ServerResponse, string | null>();
  private timer: NodeJS.Timeout | null = null;
  private polling = false;

  constructor(
    private readonly readCursor: () => Promise<string>,
    private readonly logger: Logger,
    private readonly everyMs = 2_000,
  ) {}

  /**
   * Starts a stream on a response the caller hijacked from the framework. `since`: the cursor the
   * page was rendered at, so a change between the render and the stream's start is not missed.
   */
  open(res: ServerResponse, since: string | null): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
      connection: 'keep-alive',
    });
    // The browser reconnects by itself after a dropped connection; this says how soon.
    res.write('retry: 3000\n\n');
    this.streams.set(res, since);
    res.on('close', () => {
      this.streams.delete(res);
      if (this.streams.size === 0) this.pause();
    });
    this.timer ??= setInterval(() => void this.poll(), this.everyMs);
  }

  /** Ends every stream (the server is stopping: an open stream would hold it). */
  closeAll(): void {
    for (const res of this.streams.keys()) res.end();
    this.streams.clear();
    this.pause();
  }

  private pause(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const next = await this.readCursor();
      for (const [res, seen] of this.streams) {
        const moved = seen !== null && seen !== next;
        this.streams.set(res, next);
        res.write(moved ? `event: changed\ndata: ${next}\n\n` : ': idle\n\n');
      }
    } catch (err) {
      this.logger.warn({ err }, 'console: the inbox cursor could not be read');
    } finally {
      this.polling = false;
    }
  }
}
