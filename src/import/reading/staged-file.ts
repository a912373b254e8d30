/**
 * The pieces of a file staged and handed on in file order. A stager with threads stages pieces
 * ahead, each from its first line on; when the piece before ended inside a record (a quoted field
 * over the cut), that guess was wrong and the piece is staged again from the record's first line,
 * which gives exactly what one reader going through the file would have.
 */
import { concatBytes } from '../../bytes.ts';
import type { FilePiece } from './file-pieces.ts';
import type { Piece, StagedPiece } from './piece.ts';

export interface Stager {
  /** How many pieces to stage ahead of their turn (0: each when its turn comes). */
  readonly ahead: number;
  stage(piece: Piece): Promise<StagedPiece>;
}

export async function* stagedPieces(pieces: AsyncIterable<FilePiece>, stager: Stager, onEnd?: (end: number) => void): AsyncGenerator<StagedPiece> {
  const source = pieces[Symbol.asyncIterator]();
  const queue: { piece: FilePiece; staging: Promise<StagedPiece> | null }[] = [];
  let exhausted = false;
  let carry: { line: number; bytes: Uint8Array } | null = null;
  for (;;) {
    while (!exhausted && queue.length < Math.max(1, stager.ahead)) {
      const next = await source.next();
      if (next.done) exhausted = true;
      else {
        const staging = stager.ahead > 0 ? stager.stage(next.value) : null;
        // Awaited in its turn, or dropped when the piece is staged again: never an unhandled rejection.
        staging?.catch(() => undefined);
        queue.push({ piece: next.value, staging });
      }
    }
    const turn = queue.shift();
    if (!turn) return;
    let piece: Piece = turn.piece;
    let staged: StagedPiece;
    if (carry) {
      piece = { bytes: concatBytes([carry.bytes, turn.piece.bytes]), firstLine: carry.line, last: turn.piece.last };
      staged = await stager.stage(piece);
    } else {
      staged = await (turn.staging ?? stager.stage(piece));
    }
    carry = staged.open ? { line: staged.open.line, bytes: piece.bytes.subarray(piece.bytes.length - staged.open.bytes) } : null;
    onEnd?.(turn.piece.end);
    yield staged;
  }
}
