/**
 * A registry file is read in pieces of whole lines, each staged on its own (./stage-piece.ts) —
 * side by side on the import's threads for a large file (./stage-threads.ts), one after the other
 * on this thread for a small one. The pieces are cut at line breaks, which a UTF-8 character
 * never straddles; a record whose quoted field goes on over a cut is read again whole with the
 * next piece (./staged-file.ts).
 */
import type { Delimiter } from '../csv-reader.ts';
import type { ImportKindName } from '../kind.ts';
import type { Rejection } from '../rejection-report.ts';

export interface Piece {
  /** UTF-8 bytes of whole lines; only the file's last piece may end without a line break. */
  bytes: Uint8Array;
  /** The file's line number of its first line. */
  firstLine: number;
  /** The end of the file: a record still open there is broken. */
  last: boolean;
}

/** What every piece of one file is staged with: known once its header is read. */
export interface StagePlan {
  kind: ImportKindName;
  /** What the kind's `prepare` read from the database (structured-cloneable: threads get a copy). */
  prepared: unknown;
  /** Column key → the header's field index. */
  header: Map<string, number>;
  /** The field index of the kind's natural key (named in a rejection). */
  keyIndex: number;
  delimiter: Delimiter;
}

export interface StagedPiece {
  /** The valid rows as COPY text (src/import/staging/copy-text.ts). */
  copy: Uint8Array;
  /** Records read (blank lines not counted), rejected ones included. */
  rows: number;
  /** Rows in `copy`. */
  staged: number;
  /** Their natural keys (the kind's `keyOf`), in the same order. */
  keys: Float64Array;
  /** Their shared keys (the kind's `sharedKeyOf`; empty for a kind without). */
  sharedKeys: Float64Array;
  /** The piece's rejected records, in file order. */
  rejections: Rejection[];
  /**
   * The piece ended inside a record (a quoted field that goes on): the record's first line, and
   * how many bytes from its start to the piece's end. Null when the piece ended between records.
   */
  open: { line: number; bytes: number } | null;
}
