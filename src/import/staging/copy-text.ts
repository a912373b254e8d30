/**
 * PostgreSQL's COPY text format: one line per row, tab between columns, `\N` for null, and the
 * backslash, tab and line breaks escaped (registry names may hold any of them).
 */
export type CopyValue = string | number | boolean | null | readonly number[];

const SPECIAL = /[\\\t\n\r]/;

function escapeCopyText(s: string): string {
  if (!SPECIAL.test(s)) return s;
  return s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

export function copyLine(values: readonly CopyValue[]): string {
  let out = '';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (i > 0) out += '\t';
    if (v === null || v === undefined) out += '\\N';
    else if (typeof v === 'string') out += escapeCopyText(v);
    else if (typeof v === 'object') out += `{${v.join(',')}}`;
    else out += String(v);
  }
  return `${out}\n`;
}

/** Splits COPY text back into rows of text cells (null as null): the INSERT fallback's input. */
export function parseCopyLines(chunk: string): (string | null)[][] {
  const rows: (string | null)[][] = [];
  for (const line of chunk.split('\n')) {
    if (line === '') continue;
    rows.push(line.split('\t').map((c) => (c === '\\N' ? null : unescapeCopyText(c))));
  }
  return rows;
}

function unescapeCopyText(s: string): string {
  if (!s.includes('\\')) return s;
  return s.replace(/\\(.)/g, (_, c: string) => (c === 't' ? '\t' : c === 'n' ? '\n' : c === 'r' ? '\r' : c));
}

/** UTC wall time without a zone: a `timestamp(3)` column takes it as written. */
export const utcTimestamp = (d: Date): string => d.toISOString().slice(0, 23).replace('T', ' ');

/**
 * COPY text written straight into bytes, a row at a time: a million rows leave no string behind
 * for the garbage collector to carry, and the bytes can be handed to another thread as they are.
 */
export class CopyBytes {
  private buf: Buffer;
  private used = 0;

  constructor(capacity: number) {
    // Not from Node's shared pool: its ArrayBuffer is this buffer's alone, so it can be transferred.
    this.buf = Buffer.allocUnsafeSlow(Math.max(1024, capacity));
  }

  row(values: readonly CopyValue[]): void {
    const line = copyLine(values);
    if (this.used + line.length * 3 > this.buf.length) {
      const bigger = Buffer.allocUnsafeSlow(Math.max(this.buf.length * 2, this.used + line.length * 3));
      this.buf.copy(bigger, 0, 0, this.used);
      this.buf = bigger;
    }
    this.used += this.buf.write(line, this.used);
  }

  /** The rows written, a view of the buffer (whose ArrayBuffer holds nothing else). */
  bytes(): Uint8Array {
    return this.buf.subarray(0, this.used);
  }
}
