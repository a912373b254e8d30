/**
 * `npm run campaign:status [-- --season CODE] [--json]`: the campaign's progress for operators,
 * on the configured database (DATABASE_URL, or the embedded one — stop `npm start` first, the
 * embedded database belongs to one process).
 */
import { parseArgs } from 'node:util';
import { systemClock } from '../clock.ts';
import { ConfigError, loadConfig } from '../config/env.ts';
import { openDatabase } from '../db/client.ts';
import { createTranslator } from '../i18n/translator.ts';
import { formatProgressTable, formatRows, smsPlanRows } from './progress-table.ts';
import { smsPlan } from './sms/plan.ts';
import { campaignProgress } from './progress.ts';
import { currentSeason, getSeason } from './seasons.ts';

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { season: { type: 'string' }, json: { type: 'boolean', default: false } } });
  const config = loadConfig();
  const db = await openDatabase(config.database);
  try {
    const now = systemClock.now();
    const season = values.season ? await getSeason(db.prisma, values.season) : await currentSeason(db.prisma, now);
    if (!season) {
      console.error(values.season ? `No season "${values.season}".` : 'No season has opened yet: set one with the operator CLI.');
      return 1;
    }
    const progress = await campaignProgress(db.prisma, season, now, config.campaign.reach);
    const sms =
      config.sms && config.links.publicUrl
        ? await smsPlan(db.prisma, season, now, {
            translator: await createTranslator({ portal: config.portal.url, supportPhone: config.portal.supportPhone }),
            publicUrl: config.links.publicUrl,
            dailyBudget: config.sms.dailyBudget,
          })
        : null;
    if (values.json) console.log(JSON.stringify(sms ? { ...progress, sms } : progress, null, 2));
    else console.log(sms ? `${formatProgressTable(progress)}\n${formatRows(smsPlanRows(sms))}` : formatProgressTable(progress));
    return 0;
  } finally {
    await db.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof ConfigError || err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
