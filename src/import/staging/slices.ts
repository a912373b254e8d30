/**
 * PGlite's `COPY … FROM '/dev/blob'` reads one whole Blob, so the file's COPY text goes in slices
 * of a few megabytes, each its own COPY in the import's transaction: memory stays bounded whatever
 * the file's size.
 */
const SLICE_BYTES = 8 << 20;

/** The chunks (whole lines each) gathered into slices of at least `bytes` bytes, the last one shorter. */
export async function* slices(chunks: AsyncIterable<Uint8Array>, bytes = SLICE_BYTES): AsyncGenerator<Uint8Array[]> {
  let slice: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of chunks) {
    slice.push(chunk);
    size += chunk.length;
    if (size >= bytes) {
      yield slice;
      slice = [];
      size = 0;
    }
  }
  if (size > 0) yield slice;
}
