/**
 * Personal data in logs (docs/product.md §7): the logs (LOG_LEVEL debug, captured from the logger's stream)
 * of a whole Telegram conversation and a whole WhatsApp conversation — identification with phone
 * and IIN (a wrong IIN too, an IIN typed in groups, a phone typed as text), the questionnaire, the
 * extension, and failures that get logged (a refused reply, an unreachable WhatsApp user) — hold
 * no IIN and no phone in any format, and show the masked forms where a chat is named.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WhatsAppChannel } from '../../bots/whatsapp/channel.ts';
import { assembleCore, type Core } from '../../src/app.ts';
import { manualClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config/env.ts';
import { maskIin, maskPhone } from '../../src/domain/mask.ts';
import { createLogger } from '../../src/log.ts';
import { FakeGraphApi } from '../../test-support/fakes/graph-api.ts';
import { delivery, wa } from '../../test-support/fakes/whatsapp-webhook.ts';
import { createTestDatabase } from '../../test-support/db.ts';
import { useBot, parentUser, seedWorld, type Suite } from '../telegram/harness.ts';
import { APP_SECRET, family, NOW, NUMBER, TOKEN, VERIFY_TOKEN, WaUser, webhookPoster, type Harness } from '../whatsapp/harness.ts';

const lines: string[] = [];
const sink = new Writable({
  write(chunk, _enc, done) {
    lines.push(...String(chunk).split('\n').filter(Boolean));
    done();
  },
});

/** Every way a phone can be written: +7…, 7…, 8…, 10 digits, grouped. */
function phoneForms(phone: string): string[] {
  const d = phone.replace(/\D/g, '');
  const national = d.slice(1);
  return [
    `+${d}`,
    d,
    `8${national}`,
    national,
    `+7 ${national.slice(0, 3)} ${national.slice(3, 6)} ${national.slice(6, 8)} ${national.slice(8)}`,
    `7 ${national.slice(0, 3)} ${national.slice(3, 6)}-${national.slice(6, 8)}-${national.slice(8)}`,
    `(${national.slice(0, 3)}) ${national.slice(3)}`,
  ];
}

function expectClean(secrets: { iins: string[]; phones: string[] }): string {
  const log = lines.join('\n');
  expect(lines.length).toBeGreaterThan(0);
  for (const iin of secrets.iins) {
    expect(log).not.toContain(iin);
    expect(log).not.toContain(`${iin.slice(0, 6)} ${iin.slice(6)}`);
  }
  for (const phone of secrets.phones) for (const form of phoneForms(phone)) expect(log).not.toContain(form);
  return log;
}

describe('logs of whole conversations hold no unmasked IIN or phone', () => {
  let core: Core;
  let port = 0;
  const clock = manualClock(NOW);
  const config = loadConfig({
    WHATSAPP_TOKEN: TOKEN,
    WHATSAPP_PHONE_NUMBER_ID: NUMBER.phoneNumberId,
    WHATSAPP_APP_SECRET: APP_SECRET,
    WHATSAPP_VERIFY_TOKEN: VERIFY_TOKEN,
    WHATSAPP_API_VERSION: 'v23.0',
    WHATSAPP_API_ROOT: 'http://127.0.0.1:1',
    SEED_DEMO: 'false',
    LOG_LEVEL: 'debug',
  });

  beforeAll(async () => {
    const db = await createTestDatabase('embedded');
    core = await assembleCore(db, config, { seedDemo: false, logger: createLogger('debug', sink), clock });
    port = await core.http.listen(0, '127.0.0.1');
  });
  afterAll(async () => {
    await core?.close();
  });

  const suite: Suite = { core: () => core, db: () => core.db as never, port: () => port };
  const startBot = useBot(suite);

  it('Telegram: identification, questionnaire, extension, a refused reply', async () => {
    lines.length = 0;
    clock.set(new Date());
    const w = await seedWorld(core);
    const bot = await startBot('webhook');
    const p = bot.parent(parentUser(7_700_001, 'ru'), 'ru');
    await p.start();
    await p.pressKey('language.ru');
    await p.text(w.parent.phone); // typed instead of shared
    await p.contact(w.parent.phone.slice(1));
    await p.text(w.other.iin); // somebody else's IIN: a wrong attempt
    await p.text(`${w.parent.iin.slice(0, 6)} ${w.parent.iin.slice(6)}`);
    expect(p.last().text).toBe(p.t('menu.title'));
    await p.pressKey('menu.extend');
    await p.press(/№101/);
    await p.pressKey('q1.done', { count: 1 });
    await p.pressKey('options.ownership.STATE');
    await p.pressKey('options.reason.QUALITY');
    await p.pressKey('options.language.KK');
    await p.pressKey('options.payment', { amount: { amount: 25_000 } });
    bot.fake.failNext('sendMessage', { error_code: 400, description: `Bad Request: chat ${w.parent.phone} iin ${w.parent.iin} not found` });
    await p.text(w.parent.iin); // a text where buttons are expected, whose reply is refused
    await p.pressKey('options.sections.chess');
    await p.pressKey('common.done');
    await p.pressKey('options.digital.cashless');
    await p.pressKey('common.done');
    await p.pressKey('summary.confirmExtend', { count: 2 });
    expect(p.messages().some((m) => m.text.startsWith(p.t('extend.done', { count: 2, validUntil: { date: w.season.validUntil.toISOString() } })))).toBe(true);

    const log = expectClean({ iins: [w.parent.iin, w.other.iin], phones: [w.parent.phone, w.other.phone] });
    expect(log).toContain('telegram: handling an update failed');
    expect(log).toContain(maskIin(w.parent.iin));
    expect(log).toContain(maskPhone(w.parent.phone));
  });

  it('WhatsApp: identification, questionnaire, extension, an unreachable user', async () => {
    lines.length = 0;
    clock.set(NOW);
    const fake = await FakeGraphApi.start({ token: TOKEN, phoneNumberId: NUMBER.phoneNumberId, version: 'v23.0' });
    const channel = new WhatsAppChannel(
      core,
      { ...config.whatsapp!, apiRoot: fake.url },
      {
        retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 5, pairDelayMs: 1 },
        recoveryIntervalMs: 3_600_000,
      },
    );
    await channel.start();
    try {
      const h = {
        core,
        channel,
        fake,
        clock,
        config,
        prisma: () => core.db.prisma,
        ...webhookPoster(
          () => port,
          () => channel,
        ),
        user: (waId: string) => new WaUser(h, waId),
      } as Harness;
      const f = await family(core.db.prisma);
      const u = new WaUser(h, f.waId);
      await u.say('Сәлем');
      await u.tap({ type: 'choose', value: 'kk' });
      await u.say(f.parentIin.replace(/\d$/, (d) => String((Number(d) + 1) % 10))); // a wrong IIN
      await u.say(f.childIin);
      await u.tap({ type: 'command', name: 'extend' } as never).catch(() => u.say('/extend'));
      await u.tap({ type: 'toggle', value: String(f.kindergartens[1]!.id) }).catch(() => u.say('2'));
      await u.tap({ type: 'done' });
      await u.tap({ type: 'choose', value: 'ANY' });
      await u.tap({ type: 'choose', value: 'RU' });
      await u.tap({ type: 'choose', value: '25000' });
      await u.tap({ type: 'done' });
      await u.tap({ type: 'done' });
      fake.fail({ code: 131026, message: `Message undeliverable to ${f.phone}`, to: f.waId });
      await u.tap({ type: 'choose', value: 'confirm' });
      const extended = await core.db.prisma.application.findMany({ where: { parentId: f.parentId } });
      expect(extended.every((a) => a.validUntil.getTime() > NOW.getTime() + 300 * 86_400_000)).toBe(true);
      await h.post(delivery({ number: NUMBER, messages: [wa.text(f.waId, `мой ИИН ${f.parentIin}, тел ${f.phone}`)] }));

      const log = expectClean({ iins: [f.parentIin, f.childIin], phones: [f.phone] });
      expect(log).toContain('WhatsApp chat cannot be reached');
      expect(log).toContain(maskPhone(f.phone));
    } finally {
      await channel.stop();
      await fake.close();
    }
  });
});
