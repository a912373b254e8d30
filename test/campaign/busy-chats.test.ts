import { describe, expect, it } from 'vitest';
import { busyUntil, inQuestionnaire, reminderHold, type ChatActivity } from '../../src/campaign/busy-chats.ts';
import { almaty, SETTINGS } from './support.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const window = SETTINGS.window; // 09:00–20:00 Almaty

const idle: ChatActivity = { movedAt: null, screen: null, lastInboundAt: null };
const moved = (at: Date, screen = 'menu'): ChatActivity => ({ movedAt: at, screen, lastInboundAt: null });

describe('busy chats', () => {
  const now = almaty('2026-12-20 12:00');

  it('the questionnaire is q1 … summary; the menu, the identification and the stop-list are not', () => {
    for (const s of ['q1', 'q2', 'q2why', 'q3', 'q4', 'q5', 'q5other', 'q6', 'q6other', 'summary']) expect(inQuestionnaire(s)).toBe(true);
    for (const s of ['language', 'contact', 'iin', 'menu', 'applications', 'stopList', 'restoreConfirm', 'myQuestionnaire', 'help', null, 'q7']) {
      expect(inQuestionnaire(s)).toBe(false);
    }
  });

  it('busy for an hour after any move, up to but not at the hour', () => {
    expect(busyUntil(moved(new Date(now.getTime() - MINUTE)), now)).toEqual(new Date(now.getTime() + HOUR - MINUTE));
    expect(busyUntil(moved(new Date(now.getTime() - HOUR + 1)), now)).toEqual(new Date(now.getTime() + 1));
    expect(busyUntil(moved(new Date(now.getTime() - HOUR)), now)).toBeNull();
    expect(busyUntil(idle, now)).toBeNull();
  });

  it('inside the questionnaire busy for 12 hours; one left a day ago is not busy', () => {
    expect(busyUntil(moved(new Date(now.getTime() - 3 * HOUR), 'q3'), now)).toEqual(new Date(now.getTime() + 9 * HOUR));
    expect(busyUntil(moved(new Date(now.getTime() - 3 * HOUR), 'menu'), now)).toBeNull();
    expect(busyUntil(moved(new Date(now.getTime() - 12 * HOUR), 'summary'), now)).toBeNull();
    expect(busyUntil(moved(new Date(now.getTime() - 24 * HOUR), 'q2'), now)).toBeNull();
  });

  it('the later of the conversation move and the last inbound message counts', () => {
    const a = { movedAt: new Date(now.getTime() - 5 * HOUR), screen: 'menu', lastInboundAt: new Date(now.getTime() - 10 * MINUTE) };
    expect(busyUntil(a, now)).toEqual(new Date(now.getTime() + 50 * MINUTE));
    expect(busyUntil({ ...idle, lastInboundAt: new Date(now.getTime() - 10 * MINUTE) }, now)).toEqual(new Date(now.getTime() + 50 * MINUTE));
  });

  it('an activity time in the future counts as now', () => {
    expect(busyUntil(moved(new Date(now.getTime() + 30 * 24 * HOUR)), now)).toEqual(new Date(now.getTime() + HOUR));
  });
});

describe('reminder hold', () => {
  it('an idle chat inside the window: sent now', () => {
    expect(reminderHold(idle, almaty('2026-12-20 12:00'), window)).toBeNull();
    expect(reminderHold(moved(almaty('2026-12-19 12:00'), 'q4'), almaty('2026-12-20 12:00'), window)).toBeNull();
  });

  it('active a minute ago at midday: after the quiet hour, the same day', () => {
    expect(reminderHold(moved(almaty('2026-12-20 11:59')), almaty('2026-12-20 12:00'), window)).toEqual({ until: almaty('2026-12-20 12:59'), reason: 'busy' });
  });

  it('in the questionnaire a minute ago: the next morning', () => {
    expect(reminderHold(moved(almaty('2026-12-20 11:59'), 'q2'), almaty('2026-12-20 12:00'), window)).toEqual({
      until: almaty('2026-12-21 09:00'),
      reason: 'busy',
    });
  });

  it('across the evening boundary: a quiet hour ending at 20:00 or later waits for 09:00', () => {
    expect(reminderHold(moved(almaty('2026-12-20 18:59')), almaty('2026-12-20 19:00'), window)).toEqual({ until: almaty('2026-12-20 19:59'), reason: 'busy' });
    expect(reminderHold(moved(almaty('2026-12-20 19:00')), almaty('2026-12-20 19:30'), window)).toEqual({ until: almaty('2026-12-21 09:00'), reason: 'busy' });
    expect(reminderHold(moved(almaty('2026-12-20 19:30')), almaty('2026-12-20 19:45'), window)).toEqual({ until: almaty('2026-12-21 09:00'), reason: 'busy' });
  });

  it('a late-night questionnaire session: 12 h later, inside the next day’s window', () => {
    expect(reminderHold(moved(almaty('2026-12-20 23:30'), 'summary'), almaty('2026-12-21 09:00'), window)).toEqual({
      until: almaty('2026-12-21 11:30'),
      reason: 'busy',
    });
  });

  it('outside the window, even an idle chat waits for the opening', () => {
    expect(reminderHold(idle, almaty('2026-12-20 20:00'), window)).toEqual({ until: almaty('2026-12-21 09:00'), reason: 'night' });
    expect(reminderHold(idle, almaty('2026-12-21 08:59'), window)).toEqual({ until: almaty('2026-12-21 09:00'), reason: 'night' });
    expect(reminderHold(idle, almaty('2026-12-20 19:59:59'), window)).toBeNull();
  });
});
