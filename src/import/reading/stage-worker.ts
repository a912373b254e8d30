/** An import's staging thread (./stage-threads.ts): stages the pieces it is sent with the plan it was sent first. */
import { parentPort } from 'node:worker_threads';
import { EncodingError } from '../encoding.ts';
import { IMPORT_KINDS } from '../kinds/index.ts';
import type { StagePlan } from './piece.ts';
import type { StageReply, StageRequest } from './stage-protocol.ts';
import { stagePiece } from './stage-piece.ts';

const port = parentPort!;
let plan: StagePlan | null = null;

port.on('message', (message: StageRequest) => {
  if ('plan' in message) {
    plan = message.plan;
    return;
  }
  let reply: StageReply;
  const transfer: ArrayBuffer[] = [];
  try {
    if (!plan) throw new Error('a piece came before the plan');
    const staged = stagePiece(IMPORT_KINDS[plan.kind], plan, message.piece);
    transfer.push(staged.copy.buffer as ArrayBuffer, staged.keys.buffer as ArrayBuffer, staged.sharedKeys.buffer as ArrayBuffer);
    reply = { id: message.id, staged };
  } catch (e) {
    reply = {
      id: message.id,
      error:
        e instanceof EncodingError ? { encoding: { problem: e.problem, line: e.line } } : { message: e instanceof Error ? (e.stack ?? e.message) : String(e) },
    };
  }
  port.postMessage(reply, transfer);
});
