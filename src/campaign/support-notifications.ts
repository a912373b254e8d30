/**
 * The education department's messages to a parent's chat, as neutral messages the channels render
 * like any screen: an operator's reply, the close of the conversation (with the menu back), and
 * the "you have an answer" message whose WhatsApp template opens a closed window. Their buttons are
 * commands, so they work on any keyboard and any day.
 */
import type { Button, Message, Text } from '../conversation/core/io.ts';
import { MENU_BUTTONS } from '../conversation/core/screens.ts';

const text = (key: string, params?: Text['params']): Text => (params ? { key, params } : { key });
const writeButton: Button = { text: text('support.replyButton'), action: { type: 'command', name: 'write' }, role: 'option' };
const menuButton: Button = { text: text('common.menu'), action: { type: 'command', name: 'menu' }, role: 'nav' };

const note = (body: Text[], buttons: Button[]): Message => ({ kind: 'message', body, buttons, seq: 0, mode: 'new' });

/** The operator's words go as written, in a paragraph of their own under the department's heading. */
export function supportReplyMessage(reply: string): Message {
  return note([text('support.replyTitle'), text('support.replyText', { text: reply })], [writeButton, menuButton]);
}

/** A chat linked to a parent gets the menu back; one that is not starts identification again. */
export function supportClosedMessage(linked: boolean): Message {
  return note([text('support.closed')], linked ? MENU_BUTTONS : [{ text: text('common.continue'), action: { type: 'command', name: 'start' }, role: 'nav' }]);
}

export function supportNudgeMessage(): Message {
  return note([text('support.nudge')], [writeButton]);
}
