/**
 * Runs the state machine's effects with the services. The parent is always the one linked to this
 * chat, looked up here on every effect — an effect never names a parent, so a forged or stale
 * conversation cannot act for someone else.
 *
 * Errors: `submitQuestionnaire` throws `InvalidAnswersError` (services/questionnaire.ts) when the
 * answers fail validation or name an unknown kindergarten; nothing is written then, and the runtime
 * decides how to answer (the state machine only offers kindergartens it was shown, so this means a
 * forged or outdated state). Database errors propagate unchanged.
 */
import type { Config } from '../../config/env.ts';
import type { Clock } from '../../clock.ts';
import { listApplications } from '../../services/applications.ts';
import { findChatLink, setLocale } from '../../services/chats.ts';
import type { Db } from '../../services/db.ts';
import { identifyPhone, verifyIin } from '../../services/identification.ts';
import type { KindergartenPages } from '../../services/kindergarten-pages.ts';
import { searchKindergartens } from '../../services/kindergartens.ts';
import { loadParentContext } from '../../services/parent-context.ts';
import { hasQuestionnaire, loadQuestionnaireStatus, submitQuestionnaire } from '../../services/questionnaire.ts';
import { listStopListed, restoreApplication } from '../../services/restore.ts';
import { chatParents, optIn, optOut } from '../../services/opt-outs.ts';
import type { LinkService } from '../../links/links.ts';
import { getCurrentSeason, toSeasonView, type SeasonRef } from '../../services/seasons.ts';
import { randomUUID } from 'node:crypto';
import { DEFAULT_SUPPORT_SETTINGS, recordParentMessage, supportHours, type FileSource } from '../../services/support.ts';
import type { Effect, EffectResult } from '../core/effects.ts';
import { loadConversation } from './store.ts';
import type { ChannelName, Locale } from '../core/views.ts';

export interface EffectContext {
  prisma: Db;
  config: Pick<Config, 'identification' | 'restorePolicy'> & Partial<Pick<Config, 'support'>>;
  /** A chat's channel (SMS has no chats). */
  channel: ChannelName;
  chatId: string;
  clock: Clock;
  /** Kindergarten picker pages shared by the chats of this instance; without it every search reads the database. */
  kindergartenPages?: KindergartenPages;
  /**
   * The chat's language as the conversation has it, stored on the link when identification
   * succeeds. When absent, the stored conversation's language is used, then the chat's old link's.
   */
  locale?: Locale | null;
  /** Redeems deep links (src/links); absent → every link is refused. */
  links?: LinkService;
  /** The sender's number as the platform proves it (WhatsApp), for opt-outs of registry phones. */
  senderPhone?: string | null;
  /** The platform update being handled: a message to the department is recorded once per update. */
  inboundKey?: string;
  /** Downloads the files parents send (the channel's platform). */
  files?: FileSource;
}

/** The language a newly linked chat gets when nothing else names one. */
const FALLBACK_LOCALE: Locale = 'kk';

const iso = (d: Date | null): string | null => (d === null ? null : d.toISOString());

type ParentEffect = Extract<
  Effect,
  { type: 'loadApplications' | 'loadQuestionnaireContext' | 'submitQuestionnaire' | 'loadStopListed' | 'restoreApplication' }
>;

export async function executeEffect(ctx: EffectContext, effect: Effect): Promise<EffectResult | null> {
  const { prisma, channel, chatId } = ctx;
  switch (effect.type) {
    case 'identifyPhone': {
      const r = await identifyPhone(prisma, ctx.config.identification, { channel, chatId, phone: effect.phone, now: ctx.clock.now() });
      return { type: 'phoneIdentified', found: r.found, lockedUntil: iso(r.lockedUntil) };
    }
    case 'verifyIin': {
      const locale = await linkLocale(ctx);
      const r = await verifyIin(prisma, ctx.config.identification, {
        channel,
        chatId,
        phone: effect.phone,
        iin: effect.iin,
        locale,
        now: ctx.clock.now(),
      });
      return { type: 'iinVerified', outcome: r.outcome, attemptsLeft: r.attemptsLeft, lockedUntil: iso(r.lockedUntil) };
    }
    case 'setLocale':
      await setLocale(prisma, { channel, chatId, locale: effect.locale });
      return null;
    case 'searchKindergartens': {
      // The registry is public: no parent needed, and one chat's page may be another's.
      const read = () => searchKindergartens(prisma, effect);
      const r = await (ctx.kindergartenPages ? ctx.kindergartenPages.get(effect, read) : read());
      return { type: 'kindergartensFound', items: r.items, total: r.total, page: r.page };
    }
    case 'loadSeason': {
      const season = await getCurrentSeason(prisma, ctx.clock.now());
      return { type: 'seasonLoaded', season: season ? toSeasonView(season) : null };
    }
    case 'redeemLink': {
      const r = ctx.links ? await ctx.links.redeem(prisma, effect.token, ctx.clock.now()) : null;
      return { type: 'linkRedeemed', phone: r?.phone ?? null, locale: r?.locale ?? null };
    }
    case 'optOut':
    case 'optIn': {
      // The parents this chat stands for, not only a linked one: see chatParents.
      const who = await chatParents(prisma, { channel, chatId, phone: channel === 'WHATSAPP' ? (ctx.senderPhone ?? null) : null });
      if (effect.type === 'optIn') {
        await optIn(prisma, who.parentIds, channel);
        return { type: 'optedIn', parents: who.parentIds.length };
      }
      await optOut(prisma, who.parentIds, channel, effect.source, ctx.clock.now());
      return { type: 'optedOut', parents: who.parentIds.length, locale: who.locale };
    }
    case 'supportMessage':
    case 'supportAttachment': {
      const now = ctx.clock.now();
      const r = await recordParentMessage(prisma, {
        channel,
        chatId,
        locale: ctx.locale ?? FALLBACK_LOCALE,
        // Without an update (the console chat), each step is its own message.
        key: ctx.inboundKey ?? randomUUID(),
        text: effect.type === 'supportMessage' ? effect.text : effect.file.caption,
        ...(effect.type === 'supportAttachment'
          ? { file: { ref: { ref: effect.file.ref, size: effect.file.size, name: effect.file.name }, source: ctx.files } }
          : {}),
        now,
      });
      return { type: 'supportRecorded', outcome: r.outcome, opened: r.opened, hours: supportHours(ctx.config.support ?? DEFAULT_SUPPORT_SETTINGS, now) };
    }
    default: {
      const now = ctx.clock.now();
      const parent = await loadParentContext(prisma, channel, chatId, now);
      if (!parent) return { type: 'notLinked' };
      return executeParentEffect(ctx, parent.parentId, parent.season, now, effect);
    }
  }
}

async function executeParentEffect(ctx: EffectContext, parentId: number, season: SeasonRef | null, now: Date, effect: ParentEffect): Promise<EffectResult> {
  const { prisma, channel } = ctx;
  const seasonView = season ? toSeasonView(season) : null;
  switch (effect.type) {
    case 'loadApplications':
      return { type: 'applicationsLoaded', items: await listApplications(prisma, parentId, season), season: seasonView };
    case 'loadQuestionnaireContext': {
      const status = season ? await loadQuestionnaireStatus(prisma, parentId, season) : { stored: null, needExtension: 0 };
      return { type: 'questionnaireContextLoaded', season: seasonView, ...status };
    }
    case 'submitQuestionnaire': {
      // Without an open season there is no validity to extend to and nowhere to file the answers.
      if (!season) return { type: 'questionnaireSubmitted', extended: 0, validUntil: null };
      const r = await submitQuestionnaire(prisma, { parentId, season, answers: effect.answers, channel, now });
      return { type: 'questionnaireSubmitted', extended: r.extended, validUntil: iso(r.validUntil) };
    }
    case 'loadStopListed':
      return {
        type: 'stopListedLoaded',
        items: await listStopListed(prisma, parentId, season),
        questionnaireFilled: season ? await hasQuestionnaire(prisma, parentId, season.id) : false,
        season: seasonView,
      };
    case 'restoreApplication': {
      const r = await restoreApplication(prisma, ctx.config.restorePolicy, {
        parentId,
        applicationId: effect.applicationId,
        season,
        channel,
        now,
      });
      return { type: 'restoreResult', outcome: r.outcome, validUntil: iso(r.validUntil) };
    }
  }
}

/** The language to store on the link made by a successful identification. */
async function linkLocale(ctx: EffectContext): Promise<Locale> {
  if (ctx.locale) return ctx.locale;
  const { state } = await loadConversation(ctx.prisma, ctx.channel, ctx.chatId);
  if (state.locale) return state.locale;
  const link = await findChatLink(ctx.prisma, ctx.channel, ctx.chatId);
  if (link) return link.locale;
  return FALLBACK_LOCALE;
}
