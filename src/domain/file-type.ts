/**
 * What a file really is, from its first bytes: the declared type of an upload (a platform's
 * mime_type, a file name) is the sender's claim, the magic numbers are not. Only the types the
 * education department can open safely are recognised.
 */
export type KnownFileType = 'image/jpeg' | 'image/png' | 'application/pdf';

const SIGNATURES: { type: KnownFileType; bytes: number[] }[] = [
  { type: 'image/jpeg', bytes: [0xff, 0xd8, 0xff] },
  { type: 'image/png', bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  // "%PDF-"
  { type: 'application/pdf', bytes: [0x25, 0x50, 0x44, 0x46, 0x2d] },
];

export function sniffFileType(data: Uint8Array): KnownFileType | null {
  for (const s of SIGNATURES) {
    if (data.length >= s.bytes.length && s.bytes.every((b, i) => data[i] === b)) return s.type;
  }
  return null;
}

/** The file extension a kept file is served with. */
export const EXTENSION: Record<KnownFileType, string> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'application/pdf': 'pdf' };
