/**
 * Stored conversations from earlier releases, moved forward one version at a time. Each step is a
 * pure function from the JSON of version N to the JSON of version N + 1, written when the shape
 * changed and never edited afterwards: a state saved by any earlier release loads as the current
 * shape, in the middle of a questionnaire and still linked (grammY's conversations plugin keeps a
 * versioned state the same way).
 */
import { QUESTION_SCREENS, STATE_VERSION } from './state.ts';

type Json = Record<string, unknown>;

/** `UPGRADES[n]` turns a version-n state into a version-(n + 1) state. */
const UPGRADES: Record<number, (old: Json) => Json> = {
  /**
   * v2 remembers the question the parent was on (resume there), the stop-listed applications
   * shown (a restore may only choose among them) and whether option descriptions are open.
   * A v1 stop-list was drawn with buttons that named any application: its seq moves on, so those
   * buttons are stale and the list is drawn again.
   */
  1: (old) => ({
    ...old,
    v: 2,
    questionAt: [...QUESTION_SCREENS, 'summary'].includes(old.screen as string) ? old.screen : null,
    stopList: [],
    explain: false,
    seq: old.screen === 'stopList' && typeof old.seq === 'number' ? old.seq + 1 : old.seq,
  }),
  /** v3 has the opt-out confirmation (issue 15): the screen it returns to. */
  2: (old) => ({ ...old, v: 3, optOutFrom: null }),
  /** v4 has the conversation with the education department (issue 17): none open yet. */
  3: (old) => ({ ...old, v: 4, supportOpen: false }),
};

export type Upgraded =
  | { kind: 'current'; state: unknown }
  /** Moved forward from `from`; still to be validated against the current schema. */
  | { kind: 'upgraded'; state: unknown; from: number }
  /** Saved by a newer release (a rolling deploy): this release cannot read it and must not overwrite it. */
  | { kind: 'newer'; version: number }
  | { kind: 'unversioned' };

export function upgradeState(raw: unknown): Upgraded {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { kind: 'unversioned' };
  const v = (raw as Json).v;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) return { kind: 'unversioned' };
  if (v === STATE_VERSION) return { kind: 'current', state: raw };
  if (v > STATE_VERSION) return { kind: 'newer', version: v };
  let state = raw as Json;
  for (let from = v; from < STATE_VERSION; from++) {
    const up = UPGRADES[from];
    if (!up) return { kind: 'unversioned' };
    state = up(state);
  }
  return { kind: 'upgraded', state, from: v };
}
