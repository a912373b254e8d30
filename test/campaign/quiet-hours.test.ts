import { describe, expect, it } from 'vitest';
import { registryHold, URGENT_WINDOW } from '../../src/campaign/quiet-hours.ts';
import { almaty } from './support.ts';

const DAYTIME = { startMinute: 9 * 60, endMinute: 20 * 60 };

describe('registry notices and the quiet hours', () => {
  it("a referral goes at once from 07:00 to 23:00 Almaty, outside the reminders' window too; at night it waits for 07:00", () => {
    expect(registryHold('REGISTRY_REFERRAL_ISSUED', almaty('2026-12-20 07:00'), DAYTIME)).toBeNull();
    expect(registryHold('REGISTRY_REFERRAL_ISSUED', almaty('2026-12-20 22:59'), DAYTIME)).toBeNull();
    expect(registryHold('REGISTRY_REFERRAL_LAPSED', almaty('2026-12-20 21:00'), DAYTIME)).toBeNull();
    expect(registryHold('REGISTRY_REFERRAL_ISSUED', almaty('2026-12-20 23:00'), DAYTIME)).toEqual({ until: almaty('2026-12-21 07:00'), reason: 'night' });
    expect(registryHold('REGISTRY_REFERRAL_ISSUED', almaty('2026-12-21 03:15'), DAYTIME)).toEqual({ until: almaty('2026-12-21 07:00'), reason: 'night' });
    expect(URGENT_WINDOW).toEqual({ startMinute: 420, endMinute: 1380 });
  });

  it("other registry news keeps the reminders' daytime window; other rows are not its business", () => {
    expect(registryHold('REGISTRY_ENROLLED', almaty('2026-12-20 21:00'), DAYTIME)).toEqual({ until: almaty('2026-12-21 09:00'), reason: 'night' });
    expect(registryHold('REGISTRY_NEW_APPLICATION', almaty('2026-12-20 12:00'), DAYTIME)).toBeNull();
    expect(registryHold('REMINDER', almaty('2026-12-20 03:00'), DAYTIME)).toBeNull();
  });

  it('URGENT_WINDOW changes the hours', () => {
    const always = { startMinute: 0, endMinute: 24 * 60 };
    expect(registryHold('REGISTRY_REFERRAL_ISSUED', almaty('2026-12-21 03:15'), DAYTIME, always)).toBeNull();
  });
});
