import { describe, expect, it } from 'vitest';
import { currentSeason, getSeason, SeasonError, setSeason } from '../../src/campaign/seasons.ts';
import { TEST_DB_KINDS } from '../../test-support/db.ts';
import { useDatabase } from '../services/use-database.ts';
import { almaty, SEASON_DATES } from './support.ts';

describe.each(TEST_DB_KINDS)('season settings (%s)', (kind) => {
  const prisma = useDatabase(kind);

  it('creates, then updates by code', async () => {
    const db = prisma();
    const first = await setSeason(db, { code: '2026', ...SEASON_DATES });
    expect(first.created).toBe(true);
    expect(first.season).toMatchObject({ code: '2026', ...SEASON_DATES });
    const moved = await setSeason(db, { code: '2026', ...SEASON_DATES, deadline: almaty('2026-12-30 23:59:59') });
    expect(moved).toMatchObject({ created: false, season: { id: first.season.id, deadline: almaty('2026-12-30 23:59:59') } });
    expect(await getSeason(db, '2026')).toMatchObject({ deadline: almaty('2026-12-30 23:59:59') });
    expect(await getSeason(db, '2025')).toBeNull();
    expect(await db.season.count()).toBe(1);
  });

  it('refuses dates out of order and malformed codes, naming the problem', async () => {
    const db = prisma();
    await expect(setSeason(db, { code: '2026', ...SEASON_DATES, opensAt: SEASON_DATES.deadline })).rejects.toThrow(/open .* before its deadline/);
    await expect(setSeason(db, { code: '2026', ...SEASON_DATES, validUntil: SEASON_DATES.deadline })).rejects.toThrow(/must be after the deadline/);
    await expect(setSeason(db, { code: 'two words', ...SEASON_DATES })).rejects.toThrow(SeasonError);
    await expect(setSeason(db, { code: '2026', ...SEASON_DATES, deadline: new Date(Number.NaN) })).rejects.toThrow(/not a valid date/);
    expect(await db.season.count()).toBe(0);
  });

  it('the current season is the one opened last', async () => {
    const db = prisma();
    await setSeason(db, { code: '2025', opensAt: almaty('2025-10-01'), deadline: almaty('2025-12-25 23:59:59'), validUntil: almaty('2026-12-31') });
    await setSeason(db, { code: '2026', ...SEASON_DATES });
    expect((await currentSeason(db, almaty('2026-09-30 23:59')))?.code).toBe('2025');
    expect((await currentSeason(db, SEASON_DATES.opensAt))?.code).toBe('2026');
  });
});
