/**
 * The six questions of the regional portal's extension questionnaire (docs/product.md §3.5): the answer
 * options as stable ids. Labels live in locales/<lng>/questionnaire.json under the same ids.
 */

export const OWNERSHIP_PREFERENCES = ['ANY', 'STATE', 'PRIVATE'] as const;

export const OWNERSHIP_REASONS = ['QUALITY', 'COST'] as const;

export const INSTRUCTION_LANGUAGES = ['KK', 'RU'] as const;

/** Maximum monthly parent payment, tenge: twelve brackets, "up to N". */
export const PAYMENT_BRACKETS = [10_000, 15_000, 20_000, 25_000, 30_000, 35_000, 40_000, 45_000, 50_000, 70_000, 90_000, 110_000] as const;
export type PaymentBracket = (typeof PAYMENT_BRACKETS)[number];

/** Paid extra sections; `other` asks for a free text. */
export const SECTIONS = [
  'football',
  'sportDance',
  'ballroomDance',
  'chess',
  'basketball',
  'drawing',
  'extendedDay',
  'funChemistry',
  'karate',
  'computerGraphics',
  'youngEcologist',
  'astronomy',
  'other',
] as const;
export type Section = (typeof SECTIONS)[number];

/** Digital services the parent wants; `other` asks for a free text. */
export const DIGITAL_SERVICES = [
  'invoices',
  'cashless',
  'absenceRecalculation',
  'attendance',
  'healthPassport',
  'portfolio',
  'teacherProfile',
  'nutrition',
  'eContracts',
  'androidApp',
  'iosApp',
  'onlineReception',
  'other',
] as const;
export type DigitalService = (typeof DIGITAL_SERVICES)[number];

export const MIN_KINDERGARTENS = 1;
export const MAX_KINDERGARTENS = 3;
export const OTHER_TEXT_MAX = 200;
export const QUESTION_COUNT = 6;
