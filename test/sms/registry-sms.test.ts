/**
 * A referral for a parent with no chat and only SMS consent: planned by the import to the registry
 * phone, sent through the real dispatcher and the Mobizon provider against the loopback double, in
 * the parent's language, with the application's number, the accept-by day and the page's link.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PrismaClient } from '../../src/generated/prisma/client.ts';
import { IMPORT_KINDS } from '../../src/import/kinds/index.ts';
import { runImport } from '../../src/import/run-import.ts';
import { TEST_DB_KINDS } from '../../test-support/db.ts';
import { createApplication, createKindergarten, createParent } from '../helpers/fixtures.ts';
import { MobizonDouble } from '../../test-support/fakes/mobizon.ts';
import { makeDispatcher } from '../../test-support/dispatch-harness.ts';
import { useDispatchDatabase } from '../campaign/fixtures/dispatch-test.ts';
import { almaty } from '../campaign/support.ts';
import { deepLink, linkedOutreach, phoneDigits, SENDER_NAME, SMS_API_KEY, smsSender } from './fixtures/sms-harness.ts';

const NOW = almaty('2026-12-20 12:00');

describe.each(TEST_DB_KINDS)('a referral by SMS (%s)', (kind) => {
  const { prisma, clock } = useDispatchDatabase(kind, NOW);
  let double: MobizonDouble;
  beforeEach(async () => {
    double = await MobizonDouble.start({ apiKey: SMS_API_KEY, senderNames: [SENDER_NAME] });
  });
  afterEach(async () => {
    await double.close();
  });

  it.each(['kk', 'ru'] as const)('%s: the number, the day to accept it by, the link', async (locale) => {
    const db = prisma();
    const kg = await createKindergarten(db);
    const parent = await createParent(db, { locale });
    await db.parent.update({ where: { id: parent.id }, data: { notifySms: true, notifyWhatsapp: false } });
    const app = await createApplication(db, { parentId: parent.id, validUntil: almaty('2027-10-01 23:59:59'), kindergartenIds: [kg.id] });
    const child = await db.child.findUniqueOrThrow({ where: { id: app.childId } });
    const dir = await mkdtemp(path.join(os.tmpdir(), 'kq-sms-referral-'));
    const file = path.join(dir, 'applications.csv');
    await writeFile(
      file,
      `queue_number;parent_iin;child_iin;child_full_name;registered_at;status;valid_until;choices;referral_kindergarten;referral_accept_by\n` +
        `${app.queueNumber};${parent.iin};${child.iin};${child.fullName};01.02.2024;направлено;01.10.2027;${kg.number};${kg.number};24.12.2026\n`,
    );
    const r = await runImport(db as PrismaClient, IMPORT_KINDS.applications, { file, reportFile: null, now: NOW, reach: { whatsapp: true, sms: true } });
    expect(r).toMatchObject({ committed: true, events: 1, notices: 1 });

    const sender = await smsSender({ db, apiRoot: double.apiRoot, clock, dailyBudget: 1000 });
    const d = makeDispatcher({
      prisma: db,
      dbKind: kind,
      senders: [sender],
      clock,
      deepLinks: linkedOutreach(),
      settings: { ratePerSecond: { TELEGRAM: 1000, WHATSAPP: 1000, SMS: 1000 } },
    });
    expect(await d.tick()).toMatchObject({ sent: 1 });
    const [sms] = double.messages;
    expect(sms!.recipient).toBe(phoneDigits(parent.phone));
    const [first, link] = sms!.text.split('\n');
    expect(first).toContain(String(app.queueNumber));
    expect(first).toContain('24.12');
    expect(first).toMatch(locale === 'kk' ? /Жолдама/ : /направление/);
    expect(link).toBe(deepLink(parent.id));
  });
});
