import type { Locale } from '../../generated/prisma/enums.ts';
import type { Sex } from '../../domain/iin.ts';

/**
 * Fixed demo parents for trying the bots in the console chat (and for tests). They are always the
 * first parents of the seeded registry, whatever the seed; their phones and IINs never change.
 * Their children's birth dates are relative to the seed's `now`, so child IINs change with it: a
 * tester identifies with the parent's IIN.
 *
 * | phone          | IIN          | name                        | scenario                                       |
 * |----------------|--------------|-----------------------------|------------------------------------------------|
 * | +77010000001   | 900514401017 | Ахметова Айгерім Серікқызы  | 2 children, both need extension (kk)           |
 * | +77010000002   | 881102401023 | Иванова Елена Сергеевна     | 1 child stop-listed, 1 needs extension (ru)    |
 * | +77010000003   | 850120301037 | Нұрланов Данияр Болатұлы    | 1 child already extended this season, by Telegram, questionnaire on file (no language set) |
 */

export type DemoChildState = 'needsExtension' | 'stopListed' | 'extended';

export interface DemoChild {
  fullName: string;
  sex: Sex;
  /** Age in whole months at the seed's `now`; born on the 15th of that month. */
  ageMonths: number;
  /** IIN serial (digits 8–11). */
  serial: number;
  state: DemoChildState;
}

export interface DemoParent {
  phone: string;
  iin: string;
  fullName: string;
  sex: Sex;
  birthDate: Date;
  locale: Locale | null;
  /** Family language, for the generated questionnaire and kindergarten preferences. */
  speaks: 'kk' | 'ru';
  children: DemoChild[];
}

export const DEMO_PARENTS: readonly DemoParent[] = [
  {
    phone: '+77010000001',
    iin: '900514401017',
    fullName: 'Ахметова Айгерім Серікқызы',
    sex: 'F',
    birthDate: new Date('1990-05-14T00:00:00Z'),
    locale: 'kk',
    speaks: 'kk',
    children: [
      { fullName: 'Ахметов Нұрислам Ерланұлы', sex: 'M', ageMonths: 50, serial: 201, state: 'needsExtension' },
      { fullName: 'Ахметова Айару Ерланқызы', sex: 'F', ageMonths: 26, serial: 202, state: 'needsExtension' },
    ],
  },
  {
    phone: '+77010000002',
    iin: '881102401023',
    fullName: 'Иванова Елена Сергеевна',
    sex: 'F',
    birthDate: new Date('1988-11-02T00:00:00Z'),
    locale: 'ru',
    speaks: 'ru',
    children: [
      { fullName: 'Иванов Артём Андреевич', sex: 'M', ageMonths: 58, serial: 203, state: 'stopListed' },
      { fullName: 'Иванова София Андреевна', sex: 'F', ageMonths: 18, serial: 204, state: 'needsExtension' },
    ],
  },
  {
    phone: '+77010000003',
    iin: '850120301037',
    fullName: 'Нұрланов Данияр Болатұлы',
    sex: 'M',
    birthDate: new Date('1985-01-20T00:00:00Z'),
    locale: null,
    speaks: 'kk',
    children: [{ fullName: 'Нұрланова Томирис Даниярқызы', sex: 'F', ageMonths: 38, serial: 205, state: 'extended' }],
  },
];

/** Generated phones stay out of this block so a demo phone is never someone else's. */
export const DEMO_PHONE_PREFIX = '+770100000';
