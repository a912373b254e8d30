/** kindergartens.csv: the region's kindergartens, upserted by number. */
import { z } from 'zod';
import type { ColumnSpec } from '../columns.ts';
import { decimal, languages, OWNERSHIP, positiveInt, text, YES_NO } from '../fields.ts';
import { issueReasons, NO_EVENTS, type ImportKind } from '../kind.ts';

export const KINDERGARTEN_COLUMNS: readonly ColumnSpec[] = [
  {
    key: 'number',
    aliases: ['номер', '№', 'нөмір'],
    required: true,
    ru: 'номер сада в регионе (уникальный)',
    en: "the kindergarten's number in the region (unique)",
    example: '12',
  },
  { key: 'name_kk', aliases: ['название_каз', 'атауы'], required: true, ru: 'название на казахском', en: 'name in Kazakh', example: '«Балапан» балабақшасы' },
  { key: 'name_ru', aliases: ['название', 'название_рус'], required: true, ru: 'название на русском', en: 'name in Russian', example: 'Детский сад «Балапан»' },
  { key: 'address_kk', aliases: ['адрес_каз', 'мекенжайы'], required: true, ru: 'адрес на казахском', en: 'address in Kazakh', example: 'Абай даңғылы, 10' },
  { key: 'address_ru', aliases: ['адрес', 'адрес_рус'], required: true, ru: 'адрес на русском', en: 'address in Russian', example: 'проспект Абая, 10' },
  {
    key: 'ownership',
    aliases: ['форма_собственности', 'меншік_нысаны'],
    required: true,
    ru: 'STATE/гос/мемлекеттік или PRIVATE/частный/жеке',
    en: 'STATE or PRIVATE (ru/kk spellings accepted)',
    example: 'гос',
  },
  {
    key: 'languages',
    aliases: ['языки', 'язык_обучения', 'оқыту_тілі'],
    required: true,
    ru: 'языки обучения через запятую: KK/каз, RU/рус',
    en: 'languages of instruction, comma-separated: KK, RU',
    example: '"KK, RU"',
  },
  { key: 'capacity', aliases: ['мест', 'вместимость', 'орын_саны'], required: true, ru: 'число мест', en: 'number of places', example: '240' },
  { key: 'district', aliases: ['район', 'аудан'], required: true, ru: 'район', en: 'district', example: 'Алмалинский' },
  { key: 'latitude', aliases: ['широта', 'lat'], required: true, ru: 'широта (точка или запятая)', en: 'latitude (point or comma)', example: '43.2389' },
  { key: 'longitude', aliases: ['долгота', 'lon', 'lng'], required: true, ru: 'долгота', en: 'longitude', example: '76.8897' },
  {
    key: 'correctional',
    aliases: ['коррекционный', 'түзету'],
    required: false,
    ru: 'коррекционный сад: да/нет (по умолчанию нет)',
    en: 'correctional: yes/no (default no)',
    example: 'нет',
  },
];

const schema = z.object({
  number: positiveInt(),
  name_kk: text(300),
  name_ru: text(300),
  address_kk: text(500),
  address_ru: text(500),
  ownership: OWNERSHIP.schema,
  languages,
  capacity: positiveInt(100_000),
  district: text(200),
  latitude: decimal(-90, 90),
  longitude: decimal(-180, 180),
  correctional: YES_NO.schema,
});

export type KindergartenRow = z.output<typeof schema>;

export const kindergartensKind: ImportKind<KindergartenRow, null> = {
  name: 'kindergartens',
  columns: KINDERGARTEN_COLUMNS,
  keyColumn: 'number',
  prepare: async () => null,
  parse(cells) {
    const r = schema.safeParse(cells);
    return r.success ? { ok: true, row: r.data } : { ok: false, reasons: issueReasons(r.error.issues) };
  },
  stagingKey: 'number',
  keyOf: (r) => r.number,
  staging: [
    ['number', 'int'],
    ['name_kk', 'text'],
    ['name_ru', 'text'],
    ['address_kk', 'text'],
    ['address_ru', 'text'],
    ['ownership', 'text'],
    ['languages', 'text[]'],
    ['capacity', 'int'],
    ['district', 'text'],
    ['latitude', 'float8'],
    ['longitude', 'float8'],
    ['correctional', 'bool'],
  ],
  stage: (r) => [
    r.number,
    r.name_kk,
    r.name_ru,
    r.address_kk,
    r.address_ru,
    r.ownership,
    `{${r.languages.join(',')}}`,
    r.capacity,
    r.district,
    r.latitude,
    r.longitude,
    r.correctional === 'yes',
  ],
  async merge(s, stage) {
    await s.query(`
      INSERT INTO kindergartens ("number", "nameKk", "nameRu", "addressKk", "addressRu", ownership, languages, capacity,
                                 district, latitude, longitude, correctional)
      SELECT number, name_kk, name_ru, address_kk, address_ru, ownership::"Ownership", languages::"InstructionLanguage"[],
             capacity, district, latitude, longitude, correctional
      FROM ${stage}
      ON CONFLICT ("number") DO UPDATE SET
        "nameKk" = EXCLUDED."nameKk", "nameRu" = EXCLUDED."nameRu", "addressKk" = EXCLUDED."addressKk",
        "addressRu" = EXCLUDED."addressRu", ownership = EXCLUDED.ownership, languages = EXCLUDED.languages,
        capacity = EXCLUDED.capacity, district = EXCLUDED.district, latitude = EXCLUDED.latitude,
        longitude = EXCLUDED.longitude, correctional = EXCLUDED.correctional
      WHERE (kindergartens."nameKk", kindergartens."nameRu", kindergartens."addressKk", kindergartens."addressRu", kindergartens.ownership,
             kindergartens.languages, kindergartens.capacity, kindergartens.district, kindergartens.latitude, kindergartens.longitude,
             kindergartens.correctional)
        IS DISTINCT FROM (EXCLUDED."nameKk", EXCLUDED."nameRu", EXCLUDED."addressKk", EXCLUDED."addressRu", EXCLUDED.ownership,
             EXCLUDED.languages, EXCLUDED.capacity, EXCLUDED.district, EXCLUDED.latitude, EXCLUDED.longitude, EXCLUDED.correctional)`);
    return NO_EVENTS;
  },
};
