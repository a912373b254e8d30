/**
 * The rejected rows of an import as a CSV the operator can open next to the input: line, key and
 * reasons. Written as rows are rejected, so a file with a million bad rows costs no memory.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';

export interface Rejection {
  /** 1-based line in the input file (the header is line 1). */
  line: number;
  /** The row's natural key as written, when it could be read. */
  key: string;
  reasons: string[];
}

/** input.csv → input.rejected.csv next to it. */
export function defaultReportPath(input: string): string {
  const ext = path.extname(input);
  return path.join(path.dirname(input), `${path.basename(input, ext)}.rejected.csv`);
}

const quote = (s: string) => (/[";\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

export class RejectionReport {
  private stream: WriteStream;

  constructor(readonly file: string) {
    this.stream = createWriteStream(file, { encoding: 'utf8' });
    // A BOM so spreadsheet programs open the Cyrillic reasons as UTF-8.
    this.stream.write('\ufeffline;key;reasons\n');
  }

  async add(r: Rejection): Promise<void> {
    if (!this.stream.write(`${r.line};${quote(r.key)};${quote(r.reasons.join(' | '))}\n`)) await once(this.stream, 'drain');
  }

  async close(): Promise<void> {
    this.stream.end();
    await once(this.stream, 'finish');
  }
}
