/** `ops campaign status`: the campaign's figures as a table. */
import { parseArgs } from 'node:util';
import { campaignProgress } from '../../campaign/progress.ts';
import { smsPlanRows } from '../../campaign/progress-table.ts';
import { smsPlan } from '../../campaign/sms/plan.ts';
import { createTranslator } from '../../i18n/translator.ts';
import { formatAlmaty } from '../../campaign/seasons.ts';
import { OPENING_OFFSET } from '../../campaign/outbox-kinds.ts';
import { println, textTable, UsageError, withDatabase, type OpsContext } from '../context.ts';
import { CAMPAIGN_HELP } from '../help.ts';
import { resolveSeason } from './season-arg.ts';

export async function campaignCommand(ctx: OpsContext, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { season: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } },
  });
  if (values.help) {
    println(ctx, CAMPAIGN_HELP);
    return 0;
  }
  if (positionals.length !== 1 || positionals[0] !== 'status') throw new UsageError('campaign status [--season КОД]', 'campaign');
  return withDatabase(ctx, async (prisma) => {
    const now = ctx.now();
    const season = await resolveSeason(prisma, values.season, now, 'campaign');
    const p = await campaignProgress(prisma, season, now, ctx.reach?.());
    println(
      ctx,
      `Сезон / Season ${season.code}: opens ${formatAlmaty(season.opensAt)}, deadline ${formatAlmaty(season.deadline)}, valid until ${formatAlmaty(season.validUntil)}`,
    );
    println(ctx, `На / As of ${formatAlmaty(now)} (Asia/Almaty)`);
    println(ctx);
    println(
      ctx,
      textTable([
        ['показатель / figure', 'значение / value'],
        ['Заявлений нужно продлить / applications needing extension', p.applicationsNeedingExtension],
        ['Родителей нужно продлить / parents needing extension', p.parentsNeedingExtension],
        ['  из них с чатом / of them with a reachable chat', p.parentsNeedingExtensionLinked],
        ['Родителей с чатом / linked parents', p.linkedParents.total],
        ['  Telegram', p.linkedParents.TELEGRAM],
        ['  WhatsApp', p.linkedParents.WHATSAPP],
        ['Родителей продлили / parents extended', p.parentsExtended],
        ['Заявлений продлено / applications extended', p.applicationsExtended],
        ['Продлили после напоминания / extended after a reminder', p.extendedAfterReminder],
        ['Недоступных чатов / unreachable chats', p.unreachableChats],
        ['Сообщений: в очереди / messages pending', p.outbox.pending + p.outbox.sending],
        ['Сообщений: отправлено / sent', p.outbox.sent],
        ['Сообщений: ошибка / failed', p.outbox.failed],
        ['Задержано лимитом WhatsApp / held by the WhatsApp tier', p.delayedByTier.rows],
        ['Уведомлений о стоп-листе: запланировано / stop-list notices planned', p.stopListNotices.planned],
        ['Уведомлений о стоп-листе: отправлено / sent', p.stopListNotices.sent],
        ['Чисток / purge runs', p.purgeRuns],
        ['В стоп-лист при чистке / stop-listed by the purge', p.stopListedByPurge],
        ['Восстановлено / restored', p.restored],
      ]),
    );
    const c = p.coverage;
    if (c) {
      const share = (part: number, whole: number) => (whole > 0 ? `${((100 * part) / whole).toFixed(1)} %` : '—');
      println(ctx);
      println(
        ctx,
        textTable([
          ['охват / coverage', 'родителей / parents', 'доля / share'],
          ['Нужно было продлить / needed to extend', c.audience, '100 %'],
          ['Охвачено / reached', c.reached, share(c.reached, c.audience)],
          ['  в чате / in a chat', c.byChat, share(c.byChat, c.audience)],
          ['  WhatsApp на номер из реестра / WhatsApp at the registry phone', c.byWhatsappOutreach, share(c.byWhatsappOutreach, c.audience)],
          ['  SMS', c.bySms, share(c.bySms, c.audience)],
          ['Охвачено и продлили / reached, then extended', c.reachedThenExtended, share(c.reachedThenExtended, c.reached)],
          ['Отказались от сообщений / asked to stop', c.optedOut, share(c.optedOut, c.audience)],
          ['Недоступны / out of reach', c.unreachable, share(c.unreachable, c.audience)],
        ]),
      );
    }
    const smsSettings = ctx.sms?.();
    if (smsSettings) {
      const plan = await smsPlan(prisma, season, now, { ...smsSettings, translator: await createTranslator(ctx.translatorOptions) });
      println(ctx);
      println(ctx, textTable([['SMS', ''], ...smsPlanRows(plan)]));
    }
    if (p.reminders.length > 0) {
      println(ctx);
      println(
        ctx,
        textTable([
          ['напоминание / reminder', 'родителей / parents', 'отправлено / sent', 'в очереди / pending'],
          ...p.reminders.map((r) => [
            r.offsetDays === OPENING_OFFSET ? 'открытие / opening' : `за ${r.offsetDays} дн. / ${r.offsetDays} days before`,
            r.parentsReminded,
            r.messagesSent,
            r.pending,
          ]),
        ]),
      );
    }
    return 0;
  });
}
