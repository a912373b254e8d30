/**
 * A hand-computable questionnaire season: four questionnaires over three kindergartens in two
 * districts, plus one of another season and two applications, with every expected figure below.
 */
import type { PrismaClient } from '../../src/generated/prisma/client.ts';
import { createApplication, createKindergarten, createParent, createSeason } from '../helpers/fixtures.ts';

export async function seedStatsFixture(prisma: PrismaClient) {
  const a = await createKindergarten(prisma, { number: 1, nameKk: 'Айгөлек', nameRu: 'Айгуль', district: 'Алмалинский', capacity: 10 });
  const b = await createKindergarten(prisma, { number: 2, nameKk: 'Балапан', nameRu: 'Птенчик', district: 'Алмалинский', capacity: 5, ownership: 'PRIVATE' });
  const c = await createKindergarten(prisma, { number: 3, nameKk: 'Қарлығаш', nameRu: 'Ласточка', district: 'Бостандыкский', capacity: 8 });
  const season = await createSeason(prisma, { code: '2026', opensAt: new Date('2026-09-01T00:00:00Z'), validUntil: new Date('2027-10-01T00:00:00Z') });
  const other = await createSeason(prisma, { code: '2025', opensAt: new Date('2025-09-01T00:00:00Z'), validUntil: new Date('2026-10-01T00:00:00Z') });

  type Q = {
    seasonId: number;
    kg: number[];
    ownership: 'ANY' | 'STATE' | 'PRIVATE';
    reason: 'QUALITY' | 'COST' | null;
    language: 'KK' | 'RU';
    pay: number;
    sections: string[];
    sectionsOther?: string;
    digital: string[];
    digitalOther?: string;
  };
  const questionnaires: Q[] = [
    {
      seasonId: season.id,
      kg: [a.id, b.id],
      ownership: 'STATE',
      reason: 'COST',
      language: 'KK',
      pay: 25_000,
      sections: ['chess', 'other'],
      sectionsOther: 'Домбыра',
      digital: ['invoices'],
    },
    {
      seasonId: season.id,
      kg: [b.id, a.id, c.id],
      ownership: 'PRIVATE',
      reason: 'QUALITY',
      language: 'RU',
      pay: 50_000,
      sections: ['chess'],
      digital: ['invoices', 'other'],
      digitalOther: '  ТЕЛЕГРАМ   бот ',
    },
    {
      seasonId: season.id,
      kg: [a.id],
      ownership: 'ANY',
      reason: null,
      language: 'KK',
      pay: 15_000,
      sections: ['other'],
      sectionsOther: ' домбыра ',
      digital: [],
    },
    {
      seasonId: season.id,
      kg: [c.id, a.id],
      ownership: 'STATE',
      reason: 'COST',
      language: 'KK',
      pay: 50_000,
      sections: ['football', 'chess'],
      digital: ['cashless', 'other'],
      digitalOther: 'Telegram бот',
    },
    { seasonId: other.id, kg: [c.id], ownership: 'PRIVATE', reason: 'COST', language: 'RU', pay: 110_000, sections: ['karate'], digital: ['iosApp'] },
  ];
  for (const q of questionnaires) {
    const parent = await createParent(prisma);
    await prisma.questionnaire.create({
      data: {
        parentId: parent.id,
        seasonId: q.seasonId,
        ownership: q.ownership,
        ownershipReason: q.reason,
        language: q.language,
        maxPayment: q.pay,
        sections: q.sections,
        sectionsOther: q.sectionsOther ?? null,
        digital: q.digital,
        digitalOther: q.digitalOther ?? null,
        channel: 'TELEGRAM',
        kindergartens: { create: q.kg.map((kindergartenId, i) => ({ kindergartenId, rank: i + 1 })) },
      },
    });
  }
  const parent = await createParent(prisma);
  await createApplication(prisma, { parentId: parent.id, kindergartenIds: [a.id, c.id] });
  await createApplication(prisma, { parentId: parent.id, kindergartenIds: [a.id], status: 'STOP_LISTED' });
  return { season, other, a, b, c };
}
