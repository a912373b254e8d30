/**
 * The demo city: Kokshetau (Көкшетау), administrative centre of Akmola Region, about 150 000
 * people. Coordinates and districts are approximate; they only need to look plausible on a map.
 */

export interface District {
  /** Stored in `Kindergarten.district` (the registry keeps one name; Russian as the portal exports). */
  ru: string;
  kk: string;
  /** Offset of the district's centre from the city centre, km (north, east). */
  northKm: number;
  eastKm: number;
  /** How far its kindergartens spread around that centre, km. */
  radiusKm: number;
  /** Share of the city's kindergartens and families. */
  weight: number;
  /** Microdistricts are addressed by number of building, e.g. "мкр. Сарыарка, 12". */
  microdistrict: boolean;
}

export interface Street {
  kk: string;
  ru: string;
}

export const CITY = {
  kk: 'Көкшетау',
  ru: 'Кокшетау',
  latitude: 53.2836,
  longitude: 69.3961,
  /** No kindergarten or family lies farther from the centre than this. */
  maxRadiusKm: 6,
} as const;

export const DISTRICTS: readonly District[] = [
  { ru: 'Центральный', kk: 'Орталық', northKm: 0, eastKm: 0, radiusKm: 1.6, weight: 30, microdistrict: false },
  { ru: 'Васильковский', kk: 'Васильковский', northKm: -1.2, eastKm: 2.8, radiusKm: 1.0, weight: 20, microdistrict: true },
  { ru: 'Сарыарка', kk: 'Сарыарқа', northKm: 2.4, eastKm: 1.6, radiusKm: 1.0, weight: 15, microdistrict: true },
  { ru: 'Бирлик', kk: 'Бірлік', northKm: -2.6, eastKm: -1.4, radiusKm: 1.1, weight: 15, microdistrict: true },
  { ru: 'Коктем', kk: 'Көктем', northKm: 1.8, eastKm: -2.6, radiusKm: 1.0, weight: 12, microdistrict: true },
  { ru: 'Станционный', kk: 'Станционный', northKm: -3.8, eastKm: 3.2, radiusKm: 0.8, weight: 8, microdistrict: false },
];

/** Streets of the central and private-house parts of the city. */
export const STREETS: readonly Street[] = [
  { kk: 'Абай көшесі', ru: 'ул. Абая' },
  { kk: 'Назарбаев даңғылы', ru: 'просп. Назарбаева' },
  { kk: 'Абылай хан даңғылы', ru: 'просп. Абылай хана' },
  { kk: 'Әуезов көшесі', ru: 'ул. Ауэзова' },
  { kk: 'Сәтбаев көшесі', ru: 'ул. Сатпаева' },
  { kk: 'Уәлиханов көшесі', ru: 'ул. Валиханова' },
  { kk: 'Ақан сері көшесі', ru: 'ул. Акана серэ' },
  { kk: 'Біржан сал көшесі', ru: 'ул. Биржан сала' },
  { kk: 'Кенесары көшесі', ru: 'ул. Кенесары' },
  { kk: 'Момышұлы көшесі', ru: 'ул. Момышулы' },
  { kk: 'Жамбыл көшесі', ru: 'ул. Жамбыла' },
  { kk: 'Әуелбеков көшесі', ru: 'ул. Ауельбекова' },
  { kk: 'Мағжан Жұмабаев көшесі', ru: 'ул. Магжана Жумабаева' },
  { kk: 'Ғабит Мүсірепов көшесі', ru: 'ул. Габита Мусрепова' },
  { kk: 'Мәлік Ғабдуллин көшесі', ru: 'ул. Малика Габдуллина' },
  { kk: 'Бөкейхан көшесі', ru: 'ул. Букейхана' },
  { kk: 'Темірбеков көшесі', ru: 'ул. Темирбекова' },
  { kk: 'Горький көшесі', ru: 'ул. Горького' },
  { kk: 'Потанин көшесі', ru: 'ул. Потанина' },
  { kk: 'Шевченко көшесі', ru: 'ул. Шевченко' },
];

/** "Сарыарқа ш/а, 12" / "мкр. Сарыарка, 12". */
export const MICRODISTRICT_ADDRESS = {
  kk: (district: string, house: number) => `${district} ш/а, ${house}`,
  ru: (district: string, house: number) => `мкр. ${district}, ${house}`,
} as const;

export const STREET_ADDRESS = {
  kk: (street: string, house: number) => `${street}, ${house}`,
  ru: (street: string, house: number) => `${street}, ${house}`,
} as const;
