/** Texts in the chat's language. bots/ imports src/i18n/ only through this file. */
export type { TextLocale, Translator } from './translator.ts';
