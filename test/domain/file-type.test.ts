import { describe, expect, it } from 'vitest';
import { sniffFileType } from '../../src/domain/file-type.ts';
import { maskName } from '../../src/domain/mask.ts';
import { DOCX, HTML_AS_JPG, JPEG, PDF, PNG } from '../helpers/files.ts';

describe('what a file really is', () => {
  it('knows JPEG, PNG and PDF by their first bytes', () => {
    expect(sniffFileType(JPEG)).toBe('image/jpeg');
    expect(sniffFileType(PNG)).toBe('image/png');
    expect(sniffFileType(PDF)).toBe('application/pdf');
  });
  it('refuses everything else, whatever it is called', () => {
    expect(sniffFileType(DOCX)).toBeNull();
    expect(sniffFileType(HTML_AS_JPG)).toBeNull();
    expect(sniffFileType(new Uint8Array())).toBeNull();
    expect(sniffFileType(JPEG.subarray(0, 2))).toBeNull();
  });
});

describe('a name masked for a viewer', () => {
  it('keeps only the first letter of each word', () => {
    expect(maskName('Айгүл Нұрланқызы')).toBe('А*** Н***');
    expect(maskName('  Ата-ана 12 ')).toBe('А*** 1***');
  });
});
