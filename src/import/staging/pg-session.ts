/** An import on PostgreSQL: a `pg` client of its own, rows streamed with `COPY … FROM STDIN`. */
import { once } from 'node:events';
import pg from 'pg';
import type { ImportConnection, ImportSession } from './session.ts';

/** The COPY sub-protocol as a `pg` submittable: what pg-copy-streams does, for text chunks. */
class CopyFromStdin {
  private error: unknown = null;
  readonly done: Promise<void>;
  private settle!: (e: unknown) => void;

  constructor(
    private readonly text: string,
    private readonly chunks: AsyncIterable<Uint8Array>,
  ) {
    this.done = new Promise<void>((resolve, reject) => (this.settle = (e) => (e ? reject(e) : resolve())));
  }

  submit(connection: PgConnection): void {
    connection.query(this.text);
  }

  handleCopyInResponse(connection: PgConnection): void {
    void this.pump(connection);
  }

  private async pump(connection: PgConnection): Promise<void> {
    try {
      for await (const chunk of this.chunks) {
        connection.sendCopyFromChunk(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
        if (connection.stream.writableNeedDrain) await once(connection.stream, 'drain');
      }
      connection.endCopyFrom();
    } catch (e) {
      this.error = e;
      connection.sendCopyFail(e instanceof Error ? e.message : String(e));
    }
  }

  // `pg` forgets the active query on an error: no ReadyForQuery reaches it afterwards, so settle
  // here (the client holds the next statement back until the server is ready again).
  handleError(e: unknown): void {
    this.settle(this.error ?? e);
  }

  handleReadyForQuery(): void {
    this.settle(this.error);
  }

  handleCommandComplete(): void {}
  handleEmptyQuery(): void {}
  handleRowDescription(): void {}
  handleDataRow(): void {}
}

interface PgConnection {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
  sendCopyFail(message: string): void;
  stream: NodeJS.WritableStream & { writableNeedDrain: boolean };
}

export async function pgImportConnection(url: string): Promise<ImportConnection> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  // A client that loses its server (a restart mid-import) must not crash the process.
  client.on('error', () => undefined);
  const session: ImportSession = {
    async query<T>(sql: string, params?: unknown[]) {
      return (await client.query(sql, params as unknown[])).rows as T[];
    },
    async copyIn(table, columns, chunks) {
      const copy = new CopyFromStdin(`COPY ${table} (${columns.join(', ')}) FROM STDIN`, chunks);
      // Reason: @types/pg declares no COPY messages on its Connection; `pg` calls submit with its real one, which has them.
      client.query(copy as unknown as pg.Submittable);
      await copy.done;
    },
  };
  return {
    method: 'copy',
    async transaction(fn) {
      await client.query('BEGIN');
      try {
        const out = await fn(session);
        await client.query('COMMIT');
        return out;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw e;
      }
    },
    close: () => client.end(),
  };
}
