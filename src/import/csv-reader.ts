/**
 * Registry CSV records as spreadsheet programs export them: `;` or `,` between fields (detected
 * from the header line), RFC 4180 quoting with fields that may span lines. Unlike a general parser
 * it recovers from a broken line: the line is reported with its number and reading goes on at the
 * next one, so one stray quote costs one row. The file is read in pieces (./reading/).
 */

export type Delimiter = ';' | ',';

export type CsvItem = { kind: 'record'; line: number; fields: string[] } | { kind: 'broken'; line: number; problem: BrokenLine };

export type BrokenLine = 'unclosedQuote' | 'textAfterQuote' | 'quoteInField';

/** A quoted field may hold line breaks; beyond this many lines an open quote is taken as a mistake. */
const MAX_RECORD_LINES = 20;

type Parsed = { ok: true; fields: string[] } | { ok: false; open: true } | { ok: false; open: false; problem: BrokenLine };

/** Splits one record; `open` when a quoted field continues on the next line. */
export function parseRecord(text: string, delimiter: Delimiter): Parsed {
  if (!text.includes('"')) return { ok: true, fields: text.split(delimiter) };
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let start = i;
    while (text[start] === ' ' || text[start] === '\t') start++;
    if (text[start] === '"') {
      let value = '';
      let j = start + 1;
      for (;;) {
        const q = text.indexOf('"', j);
        if (q === -1) return { ok: false, open: true };
        value += text.slice(j, q);
        if (text[q + 1] === '"') {
          value += '"';
          j = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      while (text[i] === ' ' || text[i] === '\t') i++;
      fields.push(value);
      if (i >= text.length) return { ok: true, fields };
      if (text[i] !== delimiter) return { ok: false, open: false, problem: 'textAfterQuote' };
      i++;
    } else {
      const end = text.indexOf(delimiter, i);
      const value = end === -1 ? text.slice(i) : text.slice(i, end);
      if (value.includes('"')) return { ok: false, open: false, problem: 'quoteInField' };
      fields.push(value);
      if (end === -1) return { ok: true, fields };
      i = end + 1;
    }
    if (i >= text.length) {
      fields.push('');
      return { ok: true, fields };
    }
  }
}

/** The separator the header line uses most (outside quotes); `;` when it has neither. */
export function detectDelimiter(headerLine: string): Delimiter {
  let semicolons = 0;
  let commas = 0;
  let quoted = false;
  for (const c of headerLine) {
    if (c === '"') quoted = !quoted;
    else if (!quoted && c === ';') semicolons++;
    else if (!quoted && c === ',') commas++;
  }
  return commas > semicolons ? ',' : ';';
}

const isBlank = (fields: string[]) => fields.every((f) => f.trim() === '');

/**
 * Assembles physical lines into records. A line that opens a quote not closed within
 * MAX_RECORD_LINES (or by the end of the file) is reported broken, and the lines after it are read
 * again as fresh records.
 */
export class RecordAssembler {
  private buffered: { line: number; text: string; start: number }[] = [];
  delimiter: Delimiter | null;

  constructor(delimiter: Delimiter | null = null) {
    this.delimiter = delimiter;
  }

  /** `start`: where the caller's text has this line, given back by `open`. */
  push(line: number, text: string, out: CsvItem[], start = 0): void {
    if (this.buffered.length === 0 && text.trim() === '') return;
    this.buffered.push({ line, text, start });
    this.drain(out, false);
  }

  /** The record still open (a quoted field goes on): its first line, and where the caller has it. */
  get open(): { line: number; start: number } | null {
    return this.buffered[0] ?? null;
  }

  finish(out: CsvItem[]): void {
    this.drain(out, true);
  }

  private drain(out: CsvItem[], atEnd: boolean): void {
    while (this.buffered.length > 0) {
      const first = this.buffered[0]!;
      this.delimiter ??= detectDelimiter(first.text);
      const joined = this.buffered.length === 1 ? first.text : this.buffered.map((b) => b.text).join('\n');
      const parsed = parseRecord(joined, this.delimiter);
      if (parsed.ok) {
        this.buffered = [];
        if (!isBlank(parsed.fields)) out.push({ kind: 'record', line: first.line, fields: parsed.fields });
        return;
      }
      if (parsed.open && !atEnd && this.buffered.length < MAX_RECORD_LINES) return;
      // Broken: report the first line, then read the rest again from its next line.
      const problem = parsed.open ? 'unclosedQuote' : parsed.problem;
      const rest = this.buffered.slice(1);
      this.buffered = [];
      out.push({ kind: 'broken', line: first.line, problem });
      for (const b of rest) {
        if (this.buffered.length === 0 && b.text.trim() === '') continue;
        this.buffered.push(b);
        if (!atEnd) this.drain(out, false);
      }
      if (!atEnd) return;
    }
  }
}
