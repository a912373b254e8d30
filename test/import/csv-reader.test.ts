import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectDelimiter, parseRecord, readCsv, type CsvItem } from '../../src/import/csv-reader.ts';
import { EncodingError } from '../../src/import/encoding.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'kq-csv-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function read(content: string | Uint8Array): Promise<CsvItem[]> {
  const file = path.join(dir, `f${Math.random().toString(36).slice(2)}.csv`);
  await writeFile(file, content);
  const items: CsvItem[] = [];
  for await (const item of readCsv(file)) items.push(item);
  return items;
}

describe('parseRecord', () => {
  it('splits plain and quoted fields, doubled quotes inside', () => {
    expect(parseRecord('a;b;;c', ';')).toEqual({ ok: true, fields: ['a', 'b', '', 'c'] });
    expect(parseRecord('"a;b";"say ""hi""";', ';')).toEqual({ ok: true, fields: ['a;b', 'say "hi"', ''] });
    expect(parseRecord('1, "x, y" ,2', ',')).toEqual({ ok: true, fields: ['1', 'x, y', '2'] });
  });
  it('tells an open quote from a broken one', () => {
    expect(parseRecord('1;"abc', ';')).toEqual({ ok: false, open: true });
    expect(parseRecord('1;"abc"x;2', ';')).toEqual({ ok: false, open: false, problem: 'textAfterQuote' });
    expect(parseRecord('1;ab"c;2', ';')).toEqual({ ok: false, open: false, problem: 'quoteInField' });
  });
  it('detects the separator from the header', () => {
    expect(detectDelimiter('a;b;c')).toBe(';');
    expect(detectDelimiter('a,b,c')).toBe(',');
    expect(detectDelimiter('"a,b";c;d')).toBe(';');
  });
});

describe('readCsv', () => {
  it('numbers lines, skips blank ones and keeps multi-line quoted fields', async () => {
    const items = await read('h1;h2\r\n1;"two\nlines"\r\n\r\n;;\n3;4');
    expect(items).toEqual([
      { kind: 'record', line: 1, fields: ['h1', 'h2'] },
      { kind: 'record', line: 2, fields: ['1', 'two\nlines'] },
      { kind: 'record', line: 6, fields: ['3', '4'] },
    ]);
  });

  it('reports a broken line and goes on with the next one, even after an unclosed quote', async () => {
    const items = await read('a,b\n1,"x"y\n2,3\n4,"open\n5,6\n');
    expect(items.map((i) => (i.kind === 'record' ? i.fields.join('|') : `#${i.line}:${i.problem}`))).toEqual([
      'a|b',
      '#2:textAfterQuote',
      '2|3',
      '#4:unclosedQuote',
      '5|6',
    ]);
  });

  it('accepts a UTF-8 BOM and refuses UTF-16 and Windows-1251', async () => {
    expect(await read(Buffer.from('\ufeffиин;b\n1;2\n', 'utf8'))).toHaveLength(2);
    await expect(read(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('a;b\n', 'utf16le')]))).rejects.toThrow(EncodingError);
    await expect(read(Buffer.from('a;b\n', 'utf16le'))).rejects.toThrow(/UTF-16/);
    // "Иванов" in Windows-1251 on line 3.
    const cp1251 = Buffer.concat([Buffer.from('a;b\n1;2\n3;'), Buffer.from([0xc8, 0xe2, 0xe0, 0xed, 0xee, 0xe2]), Buffer.from('\n')]);
    await expect(read(cp1251)).rejects.toThrow(/строка 3/);
  });
});
