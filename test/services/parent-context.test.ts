import { describe, expect, it } from 'vitest';
import { loadParentContext } from '../../src/services/parent-context.ts';
import { getCurrentSeason } from '../../src/services/seasons.ts';
import { TEST_DB_KINDS } from '../../test-support/db.ts';
import { createParent, createSeason } from '../helpers/fixtures.ts';
import { useDatabase } from './use-database.ts';

const at = (iso: string) => new Date(iso);

describe.each(TEST_DB_KINDS)('parent context (%s)', (kind) => {
  const prisma = useDatabase(kind);

  async function linked(chatId: string) {
    const parent = await createParent(prisma());
    await prisma().chatLink.create({ data: { channel: 'TELEGRAM', chatId, parentId: parent.id, locale: 'ru' } });
    return parent;
  }

  it('is the linked parent with the season that opened last, as getCurrentSeason has it', async () => {
    const parent = await linked('c1');
    const s2024 = await createSeason(prisma(), { code: '2024', opensAt: at('2024-09-01T00:00:00Z'), validUntil: at('2025-10-01T00:00:00Z') });
    // Two seasons opening together: the later created wins, as in getCurrentSeason.
    await createSeason(prisma(), { code: '2025a', opensAt: at('2025-09-01T00:00:00Z'), validUntil: at('2026-10-01T00:00:00Z') });
    const s2025 = await createSeason(prisma(), { code: '2025b', opensAt: at('2025-09-01T00:00:00Z'), validUntil: at('2026-10-01T00:00:00Z') });
    await createSeason(prisma(), { code: '2026', opensAt: at('2026-09-01T00:00:00Z'), validUntil: at('2027-10-01T00:00:00Z') });

    const pick = ({ id, code, opensAt, deadline, validUntil }: typeof s2024) => ({ id, code, opensAt, deadline, validUntil });
    for (const [now, season] of [
      [at('2024-08-31T23:59:59.999Z'), null],
      [at('2024-09-01T00:00:00Z'), pick(s2024)],
      [at('2025-12-01T00:00:00Z'), pick(s2025)],
    ] as const) {
      expect(await loadParentContext(prisma(), 'TELEGRAM', 'c1', now)).toEqual({ parentId: parent.id, season });
      expect((await getCurrentSeason(prisma(), now))?.id ?? null).toBe(season?.id ?? null);
    }
  });

  it('is null for a chat that is not linked, on this channel or at all', async () => {
    await linked('c1');
    await createSeason(prisma(), { opensAt: at('2024-09-01T00:00:00Z'), validUntil: at('2025-10-01T00:00:00Z') });
    const now = at('2025-01-01T00:00:00Z');
    expect(await loadParentContext(prisma(), 'TELEGRAM', 'c2', now)).toBeNull();
    expect(await loadParentContext(prisma(), 'WHATSAPP', 'c1', now)).toBeNull();
  });
});
