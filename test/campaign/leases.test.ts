import { beforeEach, describe, expect, it } from 'vitest';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../../src/generated/prisma/client.ts';
import { acquireLease, releaseLease, withLease } from '../../src/campaign/leases.ts';
import { TEST_DB_KINDS } from '../../test-support/db.ts';
import { useTestDatabase } from '../services/use-database.ts';
import { clearLeases } from './support.ts';

const T0 = new Date('2026-12-01T04:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

describe.each(TEST_DB_KINDS)('scheduler leases (%s)', (kind) => {
  const database = useTestDatabase(kind);
  const prisma = () => database().prisma;
  beforeEach(() => clearLeases(prisma()));

  it('one holder at a time; the holder renews; an expired lease is taken over', async () => {
    const db = prisma();
    expect(await acquireLease(db, 'planner', 'a', 50_000, T0)).toBe(true);
    expect(await acquireLease(db, 'planner', 'b', 50_000, at(10_000))).toBe(false);
    expect(await acquireLease(db, 'other-job', 'b', 50_000, at(10_000))).toBe(true);
    expect(await acquireLease(db, 'planner', 'a', 50_000, at(20_000))).toBe(true); // renewed to 70 s
    expect(await acquireLease(db, 'planner', 'b', 50_000, at(60_000))).toBe(false);
    // a crashed holder never renews: at expiry the lease is free
    expect(await acquireLease(db, 'planner', 'b', 50_000, at(70_000))).toBe(true);
    expect(await acquireLease(db, 'planner', 'a', 50_000, at(70_001))).toBe(false);
    expect(await db.schedulerLease.findUniqueOrThrow({ where: { name: 'planner' } })).toMatchObject({ holder: 'b', expiresAt: at(120_000) });
  });

  it('withLease runs the job only for the holder and says who holds it otherwise', async () => {
    const db = prisma();
    let runs = 0;
    const job = async () => ++runs;
    expect(await withLease(db, 'purge', 'a', 50_000, T0, job)).toEqual({ acquired: true, value: 1 });
    expect(await withLease(db, 'purge', 'b', 50_000, at(1), job)).toEqual({ acquired: false, holder: 'a' });
    expect(runs).toBe(1);
    await releaseLease(db, 'purge', 'b'); // not b's: no effect
    expect(await withLease(db, 'purge', 'b', 50_000, at(2), job)).toEqual({ acquired: false, holder: 'a' });
    await releaseLease(db, 'purge', 'a');
    expect(await withLease(db, 'purge', 'b', 50_000, at(3), job)).toEqual({ acquired: true, value: 2 });
  });

  it('a failing job still marks the tick as taken and the error reaches the caller', async () => {
    const db = prisma();
    await expect(withLease(db, 'purge', 'a', 50_000, T0, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await acquireLease(db, 'purge', 'b', 50_000, at(1))).toBe(false);
  });

  it.runIf(kind === 'postgres')('exactly one winner among concurrent callers on separate connections, tick after tick', async () => {
    const clients = Array.from({ length: 6 }, () => new PrismaClient({ adapter: new PrismaPg({ connectionString: database().url! }) }));
    try {
      for (let tick = 0; tick < 8; tick++) {
        const now = at(tick * 60_000);
        const runs: string[] = [];
        const outcomes = await Promise.all(
          clients.flatMap((c, i) =>
            [0, 1].map((j) =>
              withLease(c, 'planner', `instance-${i}-${j}`, 50_000, now, async () => {
                runs.push(`instance-${i}-${j}`);
              }),
            ),
          ),
        );
        expect(outcomes.filter((o) => o.acquired)).toHaveLength(1);
        expect(runs).toHaveLength(1);
      }
    } finally {
      await Promise.all(clients.map((c) => c.$disconnect()));
    }
  });
});
