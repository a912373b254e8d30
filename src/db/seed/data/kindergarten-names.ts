/**
 * Proper names of kindergartens as they appear in Kazakh registries (kept unchanged in both
 * languages), and the two name patterns: ru «Детский сад № 12 «Балапан»», kk «№ 12 «Балапан» балабақшасы».
 */

/** Kazakh names, most common for state kindergartens. */
export const KAZAKH_NAMES = [
  'Балапан',
  'Айгөлек',
  'Ақбота',
  'Балдырған',
  'Күншуақ',
  'Нұрлы бала',
  'Ертегі',
  'Жұлдыз',
  'Қарлығаш',
  'Бөбек',
  'Еркетай',
  'Шұғыла',
  'Мөлдір',
  'Арай',
  'Аққу',
  'Айналайын',
  'Бәйтерек',
  'Самал',
  'Болашақ',
  'Ақниет',
  'Зерек',
  'Балауса',
  'Құлыншақ',
  'Қуаныш',
  'Жауқазын',
  'Бақыт',
  'Шаттық',
  'Алтын бесік',
  'Мерей',
  'Нұршуақ',
  'Достық',
  'Ботақан',
  'Гүлдер',
  'Ақжелкен',
  'Еркемай',
] as const;

/** Russian names, common for older and Russian-language kindergartens. */
export const RUSSIAN_NAMES = [
  'Солнышко',
  'Радуга',
  'Колокольчик',
  'Теремок',
  'Ромашка',
  'Берёзка',
  'Сказка',
  'Золотой ключик',
  'Ласточка',
  'Журавлик',
  'Светлячок',
  'Незабудка',
  'Алёнушка',
  'Улыбка',
  'Родничок',
  'Дюймовочка',
] as const;

/** Names private kindergartens like to take. */
export const PRIVATE_NAMES = [
  'Smart Kids',
  'Kinder Land',
  'Baby Club',
  'Little Star',
  'Монтессори',
  'Умка',
  'Гномик',
  'Бала Сити',
  'Kids Planet',
  'Мега Бала',
  'Happy Kids',
  'Ақылды бала',
] as const;

export type KindergartenKind = 'kindergarten' | 'nursery' | 'special';

export const KINDERGARTEN_NAME = {
  ru: (kind: KindergartenKind, number: number, name: string) =>
    `${{ kindergarten: 'Детский сад', nursery: 'Ясли-сад', special: 'Специальный детский сад' }[kind]} № ${number} «${name}»`,
  kk: (kind: KindergartenKind, number: number, name: string) =>
    `№ ${number} «${name}» ${{ kindergarten: 'балабақшасы', nursery: 'бөбекжай-бақшасы', special: 'арнайы балабақшасы' }[kind]}`,
} as const;
