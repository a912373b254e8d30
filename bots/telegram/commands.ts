/**
 * The command menu of the Telegram clients, per app language: kk and ru users see the commands
 * described in their language; everyone else sees the default language's descriptions.
 */
import type { Api } from 'grammy';
import type { BotCommand } from 'grammy/types';
import { ADVERTISED_COMMANDS, LOCALES, type Locale } from '../../src/conversation/index.ts';
import type { Translator } from '../../src/i18n/index.ts';

/** Clients in other languages see the commands described in Kazakh, the state language. */
const DEFAULT_COMMANDS_LOCALE: Locale = 'kk';

export function commandList(tr: Translator, locale: Locale): BotCommand[] {
  return ADVERTISED_COMMANDS.map((command) => ({ command, description: tr.t(locale, `commands.${command}`) }));
}

export async function registerCommands(api: Api, tr: Translator): Promise<void> {
  for (const locale of LOCALES) await api.setMyCommands(commandList(tr, locale), { language_code: locale });
  await api.setMyCommands(commandList(tr, DEFAULT_COMMANDS_LOCALE));
}
