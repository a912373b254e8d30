/**
 * Registry news on WhatsApp, in Kazakh and Russian, through the real import, outbox dispatcher and
 * notifier against the fake Graph API, and the parent's taps through the signed webhook: a
 * referral's notice with its kindergarten, address and accept-by date and "How to accept"; the
 * referral in "My applications"; outside the 24-hour window the referral template in the parent's
 * language; never between 23:00 and 07:00.
 */
import { writeFile, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromAlmaty } from '../../src/domain/almaty-time.ts';
import type { Locale } from '../../src/conversation/core/views.ts';
import { createTranslator } from '../../src/i18n/translator.ts';
import { IMPORT_KINDS } from '../../src/import/kinds/index.ts';
import { runImport } from '../../src/import/run-import.ts';
import { TEMPLATES } from '../../bots/whatsapp/templates.ts';
import { wa } from '../../test-support/fakes/whatsapp-webhook.ts';
import { makeDispatcher, whatsappSender } from '../../test-support/dispatch-harness.ts';
import { describeSent, family, identify, NUMBER, TOKEN, useWhatsApp, type Family } from './harness.ts';

const tr = await createTranslator({ portal: 'https://egov.kz', supportPhone: '1414' });
const HOUR = 3_600_000;
const HEADER =
  'queue_number;parent_iin;child_iin;child_full_name;registered_at;status;valid_until;choices;referral_kindergarten;referral_group;referral_accept_by';

describe.each(['kk', 'ru'] as Locale[])('WhatsApp: registry news (%s, embedded database)', (locale) => {
  const h = useWhatsApp('embedded');
  const t = (key: string, params?: Parameters<typeof tr.t>[2]) => tr.t(locale, key, params);

  /** The family's applications as the registry exports them, the first one referred to kindergarten `kg` (or none). */
  async function importRegistry(f: Family, kg: number | null, reach = { whatsapp: false, sms: false }) {
    const db = h.prisma();
    const apps = await db.application.findMany({ where: { parentId: f.parentId }, include: { child: true }, orderBy: { id: 'asc' } });
    const lines = apps.map((a, i) => {
      const referred = i === 0 && kg !== null;
      return [
        a.queueNumber,
        f.parentIin,
        a.child.iin,
        a.child.fullName,
        '10.05.2023',
        referred ? 'направлено' : 'активна',
        '2026-12-25',
        '1',
        referred ? kg : '',
        referred ? 'Балапан' : '',
        referred ? '20.12.2026' : '',
      ].join(';');
    });
    const dir = await mkdtemp(path.join(os.tmpdir(), 'kq-wa-registry-'));
    const file = path.join(dir, 'applications.csv');
    await writeFile(file, `${HEADER}\n${lines.join('\n')}\n`);
    const r = await runImport(h.core.db, IMPORT_KINDS.applications, { file, reportFile: null, now: h.clock.now(), reach });
    expect(r).toMatchObject({ committed: true, rejectedCount: 0 });
    return { queueNumber: apps[0]!.queueNumber, result: r };
  }

  async function dispatch() {
    // The shared rate bucket remembers the clock of the test before (this one may start earlier).
    await h.prisma().rateLimitBucket.deleteMany();
    const d = makeDispatcher({
      prisma: h.prisma(),
      dbKind: 'embedded',
      senders: [await whatsappSender(h.fake.url, { token: TOKEN, phoneNumberId: NUMBER.phoneNumberId, version: 'v23.0' })],
      clock: h.clock,
    });
    return d.tick();
  }

  const sentTo = (f: Family) => h.fake.accepted(f.waId).map(describeSent);

  it('a referral: kindergarten, address, accept-by date and "How to accept", which explains; "My applications" shows it', async () => {
    const f = await family(h.prisma(), { locale });
    const u = h.user(f.waId);
    await identify(u, f, locale);
    const kg = await h.prisma().kindergarten.findUniqueOrThrow({ where: { number: 2 } });
    const { queueNumber, result } = await importRegistry(f, 2);
    expect(result).toMatchObject({ events: 1, notices: 1 });
    const before = sentTo(f).length;
    expect(await dispatch()).toMatchObject({ sent: 1 });
    const [notice] = sentTo(f).slice(before);
    expect(notice!.type).toBe('interactive');
    expect(notice!.body).toContain(t('campaign.registry.referral.issued', { number: String(queueNumber) }));
    expect(notice!.body).toContain(locale === 'kk' ? kg.nameKk : kg.nameRu);
    expect(notice!.body).toContain(locale === 'kk' ? kg.addressKk : kg.addressRu);
    expect(notice!.body).toContain('20.12.2026');
    expect(notice!.body).not.toMatch(/\{\{|campaign\./);
    expect(notice!.controls.map((c) => c.title)).toEqual([t('campaign.registry.referral.button')]);

    await u.tapIn([notice!], t('campaign.registry.referral.button'));
    expect(u.text).toContain(t('referral.howTo.title'));
    expect(u.text).toContain('1414');
    await u.tap({ type: 'command', name: 'applications' });
    expect(u.text).toContain(String(queueNumber));
    expect(u.text).toContain(locale === 'kk' ? kg.addressKk : kg.addressRu);
    expect(u.text).toContain('20.12.2026');

    // The same export again: nothing new to tell.
    expect((await importRegistry(f, 2)).result).toMatchObject({ events: 0, notices: 0 });
    expect(await dispatch()).toMatchObject({ sent: 0 });
  });

  it("outside the 24-hour window the referral goes as its template in the parent's language; its button explains", async () => {
    const f = await family(h.prisma(), { locale });
    const u = h.user(f.waId);
    await identify(u, f, locale);
    h.clock.set(new Date(h.clock.now().getTime() + 30 * HOUR));
    const { queueNumber } = await importRegistry(f, 3);
    const kg = await h.prisma().kindergarten.findUniqueOrThrow({ where: { number: 3 } });
    const before = sentTo(f).length;
    expect(await dispatch()).toMatchObject({ sent: 1 });
    const [sent] = h.fake.accepted(f.waId).slice(before);
    expect(sent.type).toBe('template');
    expect(sent.template.name).toBe(TEMPLATES.referralIssued.name);
    expect(sent.template.language.code).toBe(locale);
    const params = sent.template.components.find((c: { type: string }) => c.type === 'body').parameters.map((p: { text: string }) => p.text);
    expect(params).toEqual([
      String(queueNumber),
      `№ 3 ${locale === 'kk' ? kg.nameKk : kg.nameRu}, ${locale === 'kk' ? kg.addressKk : kg.addressRu}`,
      '20.12.2026',
    ]);
    expect(await h.prisma().outbox.findFirstOrThrow({ where: { kind: 'REGISTRY_REFERRAL_ISSUED' } })).toMatchObject({ status: 'SENT', viaTemplate: true });

    await u.send(wa.templateButton(f.waId, 'x.accept', t('campaign.registry.referral.button')));
    expect(u.text).toContain(t('referral.howTo.title'));
  });

  it('a parent who never wrote to the bot gets the referral template at the registry phone (consent); "How to accept" explains without identification', async () => {
    const f = await family(h.prisma(), { locale });
    await h.prisma().parent.update({ where: { id: f.parentId }, data: { notifyWhatsapp: true } });
    const { result } = await importRegistry(f, 5, { whatsapp: true, sms: false });
    expect(result).toMatchObject({ events: 1, notices: 1 });
    expect(await dispatch()).toMatchObject({ sent: 1 });
    const [sent] = h.fake.accepted(f.waId);
    expect(sent.type).toBe('template');
    expect(sent.template).toMatchObject({ name: TEMPLATES.referralIssued.name, language: { code: locale } });
    const u = h.user(f.waId);
    await u.send(wa.templateButton(f.waId, 'x.accept', t('campaign.registry.referral.button')));
    expect(u.text).toContain(t('referral.howTo.steps'));
  });

  it('a referral imported at 23:30 waits for 07:00; a lapsed one tells what it means and whom to contact', async () => {
    const f = await family(h.prisma(), { locale });
    const u = h.user(f.waId);
    await identify(u, f, locale);
    await importRegistry(f, null);
    h.clock.set(fromAlmaty({ year: 2026, month: 11, day: 20 }, 23 * 60 + 30));
    await u.say('/menu');
    await importRegistry(f, 4);
    const before = sentTo(f).length;
    expect(await dispatch()).toMatchObject({ sent: 0 });
    h.clock.set(fromAlmaty({ year: 2026, month: 11, day: 21 }, 6 * 60 + 59));
    expect(await dispatch()).toMatchObject({ sent: 0 });
    h.clock.set(fromAlmaty({ year: 2026, month: 11, day: 21 }, 7 * 60));
    expect(await dispatch()).toMatchObject({ sent: 1 });
    const { queueNumber } = await importRegistry(f, null);
    expect(sentTo(f).slice(before)[0]!.body).toContain(t('campaign.registry.referral.issued', { number: String(queueNumber) }));
    h.clock.set(fromAlmaty({ year: 2026, month: 11, day: 21 }, 9 * 60));
    const mid = sentTo(f).length;
    expect(await dispatch()).toMatchObject({ sent: 1 });
    const lapsed = sentTo(f).slice(mid)[0]!;
    expect(lapsed.body).toContain(t('campaign.registry.lapsed.text', { number: String(queueNumber) }));
    expect(lapsed.body).toContain(t('campaign.registry.lapsed.contact'));
    expect(lapsed.controls.map((c) => c.title)).toEqual([t('menu.applications')]);
  });
});
