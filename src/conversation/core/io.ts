/**
 * The neutral vocabulary between the core and the channels. Channels turn platform updates into
 * `Input`s and render `Output`s; they know nothing of the questionnaire.
 */
import type { EffectResult } from './effects.ts';
import type { RenderMode } from './state.ts';
import type { GeoPoint } from './views.ts';

/** A localisable text: an i18next key and its interpolation parameters. */
export interface Text {
  key: string;
  params?: Record<string, Param>;
}

/**
 * An interpolation value. Texts nest (a status inside an application line); dates are rendered in
 * Asia/Almaty time and amounts with the locale's grouping by the channel's renderer.
 */
export type Param =
  | string
  | number
  | Text
  | { date: string; withTime?: boolean }
  | { amount: number }
  /** A fractional number in the language's notation ("0,4"), with `digits` after the sign. */
  | { decimal: number; digits: number }
  /** Items joined with the locale's list separator. */
  | { list: Param[] };

/**
 * Commands work at any point and on any keyboard (they carry no screen seq), so menu buttons and
 * the buttons of reminders and stop-list notices never go stale. Only the first five are
 * advertised in the clients' command menus. `stop` asks to confirm an opt-out of this channel's
 * messages (typed "stop", "стоп", "тоқтату" mean it too); `notify` opts in again.
 */
export const COMMANDS = [
  'start',
  'menu',
  'language',
  'help',
  'cancel',
  'applications',
  'extend',
  'restore',
  'questionnaire',
  'stop',
  'notify',
  'write',
  /** How to accept a referral (the referral notice's button). */
  'accept',
] as const;
export const ADVERTISED_COMMANDS = ['start', 'menu', 'language', 'help', 'cancel'] as const;
export type Command = (typeof COMMANDS)[number];

/** What a button does. Encoded into callback data / reply ids by `actionCodec`, with the screen's seq. */
export type Action =
  | { type: 'choose'; value: string }
  /** Multi-select: set the option to `on` (idempotent, so a double press changes nothing). */
  | { type: 'toggle'; value: string; on: boolean }
  | { type: 'done' }
  | { type: 'back' }
  | { type: 'page'; page: number }
  | { type: 'command'; name: Command };

export type Input =
  /**
   * /start on Telegram, the first message on WhatsApp. `languageHint` is the client's language
   * code; `link` the token of a deep link the parent followed (Telegram's start parameter).
   */
  | { type: 'start'; languageHint?: string | null; link?: string | null }
  | { type: 'command'; name: Command }
  /** A button press; `seq` is the screen instance the button was drawn for. */
  | { type: 'action'; seq: number; action: Action }
  /** A press whose data could not be decoded (forged, truncated or from an old release). */
  | { type: 'badAction' }
  | { type: 'text'; text: string }
  /** A shared contact; `own` is the channel's check that it is the sender's own number. */
  | { type: 'contact'; phone: string; own: boolean }
  /** The sender's number as the platform proves it (WhatsApp): identification skips the contact step. */
  | { type: 'verifiedPhone'; phone: string }
  | { type: 'location'; point: GeoPoint }
  /** A photo or document the parent sent: kept for the education department when writing to it. */
  | { type: 'attachment'; file: AttachmentRef }
  /** Stickers, voice, photos and other messages the conversation has no use for. */
  | { type: 'unsupported' }
  /**
   * The Stop quick-reply of a business-initiated message (a WhatsApp template): the parent chose
   * on the message that offered it, so the opt-out is stored without a confirmation step.
   */
  | { type: 'templateStop' }
  | { type: 'result'; result: EffectResult };

/**
 * A file as the platform announces it, before it is downloaded: `ref` is the platform's file id
 * (Telegram file_id, WhatsApp media id), fetched by the channel's `FileSource` when it is kept.
 */
export interface AttachmentRef {
  ref: string;
  kind: 'photo' | 'document';
  /** As the platform declares them; the bytes are checked anyway. */
  mime: string | null;
  size: number | null;
  name: string | null;
  caption: string | null;
}

/**
 * `option`: an answer (typed numbers refer to these); `nav`: moves or acts; `explain`: opens the
 * options' descriptions — only for channels that cannot show a description beside each option.
 */
export type ButtonRole = 'option' | 'nav' | 'explain';

export interface Button {
  text: Text;
  /** Secondary line (WhatsApp list row description); channels without one may ignore it. */
  description?: Text;
  action: Action;
  /** Marked as chosen: a tick in multi-select, the current choice in single select. */
  selected?: boolean;
  role: ButtonRole;
}

export interface Message {
  kind: 'message';
  /** Paragraphs, joined by the channel with blank lines. */
  body: Text[];
  buttons: Button[];
  /** Title of the WhatsApp list button / a heading; optional. */
  listTitle?: Text;
  /** The screen instance the buttons belong to. */
  seq: number;
  /**
   * How the message relates to what the chat already shows:
   * - `new`: a screen shown for the first time (a new screen instance, or one the parent asked for);
   * - `edit`: the same screen redrawn after a press on it (a toggle, a page turn) — a channel that
   *   can, edits the pressed message; otherwise it sends a new one;
   * - `refresh`: the same screen instance with changed content after input that did not come from
   *   its buttons (a typed search, typed option numbers) — edited in place where the channel knows
   *   the screen's message, sent anew otherwise;
   * - `repeat`: the same screen, unchanged, after a notice (stray text, a stale press) — a channel
   *   that knows the chat shows it need not send it again.
   */
  mode: RenderMode;
  /** Ask the client for the sender's contact or location with a native control. */
  request?: 'contact' | 'location';
  /**
   * The options' descriptions: `shown` lists them with the message (a kindergarten's demand),
   * `onRequest` keeps them behind the `explain` button where a channel has no room beside each
   * option (question 6's personal-account features on Telegram). Default `shown`.
   */
  details?: 'shown' | 'onRequest';
  /** Data paging drawn by the core (the kindergarten list). */
  paging?: { page: number; pages: number };
  /**
   * A channel that must split long option lists (WhatsApp lists hold 10 rows) asks for a slice
   * with a `page` action; the core redraws the screen and echoes the requested slice here.
   */
  viewPage?: number;
}

/** A short notice: a callback-query answer on Telegram, a plain message elsewhere. */
export interface Notice {
  kind: 'notice';
  text: Text;
}

export type Output = Message | Notice;
