/** Waits for a state (not a fixed sleep) that several test files need. */
import type pg from 'pg';
import { expect, vi } from 'vitest';

/** Until another session of the client's database waits for a lock; `failure` says whose wait never came. */
export async function untilLockWait(client: pg.Client, failure: string): Promise<void> {
  await vi.waitFor(
    async () => {
      const { rows } = await client.query(
        `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'`,
      );
      if (rows.length === 0) throw new Error(failure);
    },
    { timeout: 10_000, interval: 10 },
  );
}

/**
 * Ticks the dispatcher until it has sent something; returns how many it sent in all. A tick may
 * give a row back for a moment: its send slot passed on a loaded machine (the rate's lateness
 * bound) or the chat's gap since its last message has not.
 */
export async function ticksUntilSent(dispatcher: { tick(): Promise<{ sent: number }> }): Promise<number> {
  let sent = 0;
  await vi.waitFor(
    async () => {
      sent += (await dispatcher.tick()).sent;
      expect(sent).toBeGreaterThan(0);
    },
    { timeout: 10_000, interval: 100 },
  );
  return sent;
}
