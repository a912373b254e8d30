/**
 * The conversation's public face, for the channels (bots/): the vocabulary the channels render
 * and decode, and the runtime that runs the pure core against the database. Inside src/ the
 * modules import each other directly; bots/ imports only this (test/architecture checks it).
 */
export { decodeAction, encodeAction, MAX_ACTION_BYTES } from './core/action-codec.ts';
export { ADVERTISED_COMMANDS } from './core/io.ts';
export type { Action, AttachmentRef, Button, ButtonRole, Input, Message, Output, Text } from './core/io.ts';
export { LOCALES, type ChannelName, type Locale } from './core/views.ts';
export { ConversationRuntime, localeFromHint, UNKNOWN_LOCALE, type ChatRef } from './runtime/runtime.ts';
export { ScreenAnchorBook, type ScreenAnchor } from './runtime/screen-anchor.ts';
export { toLoaded, type LoadedConversation } from './runtime/store.ts';
