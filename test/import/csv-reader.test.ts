import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectDelimiter, parseRecord, type CsvItem } from '../../src/import/csv-reader.ts';
import { EncodingError } from '../../src/import/encoding.ts';
import { readRecords } from './read-records.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'kq-csv-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/**
 * The file's records as an import reads them (header, then the staged pieces), in pieces of every
 * size from 1 byte on: each cut must give the same records.
 */
async function read(content: string | Uint8Array): Promise<CsvItem[]> {
  const file = path.join(dir, `f${Math.random().toString(36).slice(2)}.csv`);
  await writeFile(file, content);
  const whole = await readRecords(file, 1 << 20);
  for (const size of [1, 2, 3, 5, 8, 13]) expect(await readRecords(file, size), `pieces of ${size} bytes`).toEqual(whole);
  return whole;
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

describe('reading a file in pieces', () => {
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

  it('reads records over the cuts between pieces as one reader would', async () => {
    // Past the first 64 bytes (read whole for the encoding check), quoted fields over two lines and
    // broken lines land on every side of the cuts of pieces of 1, 2, 3, 5, 8 and 13 bytes.
    const lines = ['номер;название;адрес'];
    for (let i = 1; i <= 12; i++) lines.push(i % 3 === 0 ? `${i};"сад\n№${i}";x` : i === 7 ? `${i};"открыта;x` : i === 10 ? `${i};"a"b;x` : `${i};сад;y`);
    const items = await read(lines.join('\n'));
    expect(items.map((i) => (i.kind === 'record' ? `${i.line}:${i.fields.join('|')}` : `#${i.line}:${i.problem}`))).toEqual([
      '1:номер|название|адрес',
      '2:1|сад|y',
      '3:2|сад|y',
      '4:3|сад\n№3|x',
      '6:4|сад|y',
      '7:5|сад|y',
      '8:6|сад\n№6|x',
      '#10:textAfterQuote',
      '11:8|сад|y',
      '12:9|сад\n№9|x',
      '#14:textAfterQuote',
      '15:11|сад|y',
      '16:12|сад\n№12|x',
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
