/**
 * Registry news on Telegram, in Kazakh and Russian, on PostgreSQL: the real import records the
 * referral and plans its notice, the real dispatcher and notifier send it to the fake Bot API, and
 * the parent presses "How to accept" through the webhook.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { manualClock } from '../../src/clock.ts';
import { fromAlmaty, toAlmaty } from '../../src/domain/almaty-time.ts';
import type { Locale } from '../../src/conversation/core/views.ts';
import { IMPORT_KINDS } from '../../src/import/kinds/index.ts';
import { runImport } from '../../src/import/run-import.ts';
import { makeDispatcher, telegramSender } from '../../test-support/dispatch-harness.ts';
import { TEST_DB_KINDS } from '../../test-support/db.ts';
import { parentUser, seedWorld, useBot, useSuite } from './harness.ts';

let nextUser = 8_700;
const LOCALES: { locale: Locale; languageCode: string }[] = [
  { locale: 'kk', languageCode: 'kk-KZ' },
  { locale: 'ru', languageCode: 'ru' },
];
/** The dispatcher's clock: a day later, at noon in Almaty (the import ran on the real clock, maybe at night). */
const TOMORROW = toAlmaty(new Date(Date.now() + 86_400_000));
const NIGHT = fromAlmaty(TOMORROW, 23 * 60 + 30);
const MORNING = fromAlmaty(TOMORROW, 31 * 60);
const NOON = fromAlmaty(TOMORROW, 36 * 60);
const run = TEST_DB_KINDS.includes('postgres') ? describe : describe.skip;

run('Telegram: registry news in both languages (webhook, PostgreSQL)', () => {
  const suite = useSuite('postgres');
  const startBot = useBot(suite);

  describe.each(LOCALES)('$locale', ({ locale, languageCode }) => {
    it('a referral: the kindergarten, its address and the accept-by date, and "How to accept" explains; an enrolment follows', async () => {
      const core = suite.core();
      const w = await seedWorld(core);
      const bot = await startBot('webhook');
      const p = bot.parent(parentUser(nextUser++, languageCode), locale);
      await p.start();
      await p.pressKey(`language.${locale}`);
      await p.contact(w.parent.phone);
      await p.text(w.parent.iin);
      expect(p.last().text).toBe(p.t('menu.title'));

      const db = core.db.prisma;
      const kg = w.kindergartens[1]!;
      const apps = await db.application.findMany({ where: { parentId: w.parent.id }, include: { child: true }, orderBy: { id: 'asc' } });
      const exportWith = async (first: string) => {
        const dir = await mkdtemp(path.join(os.tmpdir(), 'kq-tg-registry-'));
        const file = path.join(dir, 'applications.csv');
        const lines = apps.map((a, i) =>
          [
            a.queueNumber,
            w.parent.iin,
            a.child.iin,
            a.child.fullName,
            '10.05.2023',
            i === 0 ? first : 'активна',
            '2030-01-01',
            kg.number,
            i === 0 && first === 'направлено' ? kg.number : '',
            i === 0 && first === 'направлено' ? '05.01.2030' : '',
          ].join(';'),
        );
        await writeFile(
          file,
          `queue_number;parent_iin;child_iin;child_full_name;registered_at;status;valid_until;choices;referral_kindergarten;referral_accept_by\n${lines.join('\n')}\n`,
        );
        return runImport(core.db, IMPORT_KINDS.applications, { file, reportFile: null });
      };
      const dispatch = async (at: Date) => {
        await db.rateLimitBucket.deleteMany();
        return makeDispatcher({
          prisma: db,
          dbKind: 'postgres',
          senders: [await telegramSender(bot.fake.apiRoot)],
          clock: manualClock(at),
          settings: { window: { startMinute: 0, endMinute: 24 * 60 } },
        }).tick();
      };
      // The notice goes through the harness's own fake: its notifier shares the token.
      expect(await exportWith('направлено')).toMatchObject({ events: 1, notices: 1 });
      const n = p.messages().length;
      // Imported in the evening: not sent between 23:00 and 07:00 Almaty, sent at 07:00.
      expect(await dispatch(NIGHT)).toMatchObject({ sent: 0, deferred: 1 });
      expect(await db.outbox.findFirstOrThrow({ where: { kind: 'REGISTRY_REFERRAL_ISSUED' } })).toMatchObject({ status: 'PENDING', nextAttemptAt: MORNING });
      expect(p.messages().length).toBe(n);
      expect(await dispatch(MORNING)).toMatchObject({ sent: 1 });
      const notice = p.messages()[n]!;
      expect(notice.text).toContain(p.t('campaign.registry.referral.issued', { number: String(apps[0]!.queueNumber) }));
      expect(notice.text).toContain(locale === 'kk' ? kg.nameKk : kg.nameRu);
      expect(notice.text).toContain(locale === 'kk' ? kg.addressKk : kg.addressRu);
      expect(notice.text).toContain('05.01.2030');
      await p.pressKey('campaign.registry.referral.button', undefined, notice);
      expect(p.last().text).toContain(p.t('referral.howTo.title'));
      expect(p.last().text).toContain(p.t('referral.howTo.late'));

      expect(await exportWith('зачислен')).toMatchObject({ events: 1, notices: 1 });
      const m = p.messages().length;
      // A minute later: a chat gets one message a second at most.
      expect(await dispatch(NOON)).toMatchObject({ sent: 1 });
      expect(p.messages()[m]!.text).toBe(p.t('campaign.registry.enrolled', { number: String(apps[0]!.queueNumber) }));
    });
  });
});
