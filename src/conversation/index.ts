/**
 * The conversation's public face, for the channels (bots/) and the rest of the product: the pure
 * core (the state machine, its vocabulary, the effect loop) and the runtime that runs it against
 * the database. Inside src/ the modules import each other directly; bots/ imports only this.
 */
export { decodeAction, encodeAction, MAX_ACTION_BYTES } from './core/action-codec.ts';
export type { Effect, EffectResult } from './core/effects.ts';
export { ADVERTISED_COMMANDS, COMMANDS } from './core/io.ts';
export type { Action, AttachmentRef, Button, ButtonRole, Command, Input, Message, Notice, Output, Param, Text } from './core/io.ts';
export { MAX_EFFECTS_PER_INPUT, runConversation, runConversationSync, type EffectPerformer, type EffectResolver, type Ran } from './core/run.ts';
export { initialState, STATE_VERSION, type ConversationState, type Screen } from './core/state.ts';
export { step } from './core/step.ts';
export { LOCALES, type ChannelName, type Locale } from './core/views.ts';
export { ConversationRuntime, localeFromHint, UNKNOWN_LOCALE, type ChatRef, type HandleOptions, type Reply } from './runtime/runtime.ts';
export { ScreenAnchorBook, type ScreenAnchor } from './runtime/screen-anchor.ts';
export { toLoaded, type LoadedConversation } from './runtime/store.ts';
