/** Messages between an import and its staging threads. */
import type { EncodingProblem } from '../encoding.ts';
import type { Piece, StagedPiece, StagePlan } from './piece.ts';

export type StageRequest = { plan: StagePlan } | { id: number; piece: Piece };

export type StageReply =
  | { id: number; staged: StagedPiece }
  | { id: number; error: { encoding: { problem: EncodingProblem; line: number } } | { message: string } };
