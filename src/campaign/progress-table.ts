/** Campaign progress as an operator's plain-text table (labels in English and Russian). */
import { formatAlmaty } from '../domain/almaty-time.ts';
import { OPENING_OFFSET } from './outbox-kinds.ts';
import type { CampaignProgress } from './progress.ts';
import type { SmsPlan } from './sms/plan.ts';

const pct = (part: number, whole: number) => (whole > 0 ? ` (${((100 * part) / whole).toFixed(1)} %)` : '');

export function progressRows(p: CampaignProgress): [string, string][] {
  const rows: [string, string][] = [
    ['Season / Сезон', `${p.season.code}: opens ${formatAlmaty(p.season.opensAt)}, deadline ${formatAlmaty(p.season.deadline)} (Almaty)`],
    ['As of / На момент', formatAlmaty(p.at)],
    ['Applications needing extension / Заявлений к продлению', String(p.applicationsNeedingExtension)],
    ['Parents needing extension / Родителей к продлению', String(p.parentsNeedingExtension)],
    ['  of them reachable in a chat / из них с чатом', `${p.parentsNeedingExtensionLinked}${pct(p.parentsNeedingExtensionLinked, p.parentsNeedingExtension)}`],
    ['Parents extended / Родителей продлили', `${p.parentsExtended} (${p.applicationsExtended} applications)`],
    ['  after a reminder / после напоминания', String(p.extendedAfterReminder)],
    ['Linked parents / Родителей с чатом', `${p.linkedParents.total} (Telegram ${p.linkedParents.TELEGRAM}, WhatsApp ${p.linkedParents.WHATSAPP})`],
  ];
  for (const r of p.reminders) {
    const label = r.offsetDays === OPENING_OFFSET ? 'opening day / день открытия' : `${r.offsetDays} days before / за ${r.offsetDays} дн.`;
    rows.push([`Reminded: ${label}`, `${r.parentsReminded} parents, ${r.messagesSent} sent, ${r.pending} pending`]);
  }
  const c = p.coverage;
  if (c) {
    rows.push(
      ['Audience this season / Аудитория кампании', `${c.audience} parents who needed to extend`],
      [
        '  reached / охвачено',
        `${c.reached}${pct(c.reached, c.audience)}: chat ${c.byChat}, WhatsApp at the registry phone ${c.byWhatsappOutreach}, SMS ${c.bySms}`,
      ],
      ['  reached, then extended / охвачено и продлили', `${c.reachedThenExtended}${pct(c.reachedThenExtended, c.reached)}`],
      ['  asked to stop / отказались от сообщений', `${c.optedOut}${pct(c.optedOut, c.audience)}`],
      ['  out of reach / недоступны', `${c.unreachable}${pct(c.unreachable, c.audience)}`],
    );
  }
  rows.push(
    ['Unreachable chats / Недоступных чатов', String(p.unreachableChats)],
    ['Outbox pending / В очереди', `${p.outbox.pending} (+${p.outbox.sending} sending)`],
    ['Outbox sent / Отправлено', String(p.outbox.sent)],
    ['Outbox failed / Ошибок', String(p.outbox.failed)],
    ['Outbox cancelled / Отменено', String(p.outbox.cancelled)],
    ['Delayed by WhatsApp tier / Отложено лимитом WhatsApp', `${p.delayedByTier.parents} parents (${p.delayedByTier.rows} messages)`],
    ['Stop-listed by the purge / В стоп-листе после чистки', `${p.stopListedByPurge} (${p.purgeRuns} runs)`],
    ['Stop-list notices / Уведомлений о стоп-листе', `${p.stopListNotices.planned} planned, ${p.stopListNotices.sent} sent`],
    ['Restored / Восстановлено', String(p.restored)],
  );
  return rows;
}

export function formatProgressTable(p: CampaignProgress): string {
  return formatRows(progressRows(p));
}

export function formatRows(rows: [string, string][]): string {
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n');
}

/** The SMS plan as label/value rows (ops campaign status, campaign:status). */
export function smsPlanRows(plan: SmsPlan): [string, string][] {
  const size = (kind: string) =>
    plan.perMessage
      .filter((m) => m.kind === kind)
      .map((m) => `${m.locale} ${m.segments}`)
      .join(', ');
  return [
    ['SMS parts per message / Частей в одном SMS', `reminder ${size('REMINDER')}; stop-list notice ${size('STOPLIST_NOTICE')}`],
    ['SMS waiting / SMS ждут отправки', `${plan.waiting.messages} messages, ${plan.waiting.segments} parts`],
    ['SMS parts spent this season / Частей потрачено за сезон', String(plan.spent)],
    [
      'SMS budget today / Бюджет SMS сегодня',
      `${plan.today.spent} of ${plan.today.budget} parts spent, ${plan.today.left} left; ${plan.today.deferredToLaterDays} messages wait for a later day`,
    ],
    ['Budget days the waiting SMS need / Дней бюджета на ожидающие SMS', String(plan.daysNeeded)],
  ];
}
