/** kindergartens.csv: the region's kindergartens, upserted by number. */
import { z } from 'zod';
import type { ColumnSpec } from '../columns.ts';
import { decimal, languages, OWNERSHIP, positiveInt, text, YES_NO } from '../fields.ts';
import { issueReasons, type ImportKind } from '../kind.ts';

export const KINDERGARTEN_COLUMNS: readonly ColumnSpec[] = [
  { key: 'number', aliases: ['номер', '№', 'нөмір'], required: true, ru: 'номер сада в регионе (уникальный)', en: "the kindergarten's number in the region (unique)", example: '12' },
  { key: 'name_kk', aliases: ['название_каз', 'атауы'], required: true, ru: 'название на казахском', en: 'name in Kazakh', example: '«Балапан» балабақшасы' },
  { key: 'name_ru', aliases: ['название', 'название_рус'], required: true, ru: 'название на русском', en: 'name in Russian', example: 'Детский сад «Балапан»' },
  { key: 'address_kk', aliases: ['адрес_каз', 'мекенжайы'], required: true, ru: 'адрес на казахском', en: 'address in Kazakh', example: 'Абай даңғылы, 10' },
  { key: 'address_ru', aliases: ['адрес', 'адрес_рус'], required: true, ru: 'адрес на русском', en: 'address in Russian', example: 'проспект Абая, 10' },
  { key: 'ownership', aliases: ['форма_собственности', 'меншік_нысаны'], required: true, ru: 'STATE/гос/мемлекеттік или PRIVATE/частный/жеке', en: 'STATE or PRIVATE (ru/kk spellings accepted)', example: 'гос' },
  { key: 'languages', aliases: ['языки', 'язык_обучения', 'оқыту_тілі'], required: true, ru: 'языки обучения через запятую: KK/каз, RU/рус', en: 'languages of instruction, comma-separated: KK, RU', example: '"KK, RU"' },
  { key: 'capacity', aliases: ['мест', 'вместимость', 'орын_саны'], required: true, ru: 'число мест', en: 'number of places', example: '240' },
  { key: 'district', aliases: ['район', 'аудан'], required: true, ru: 'район', en: 'district', example: 'Алмалинский' },
  { key: 'latitude', aliases: ['широта', 'lat'], required: true, ru: 'широта (точка или запятая)', en: 'latitude (point or comma)', example: '43.2389' },
  { key: 'longitude', aliases: ['долгота', 'lon', 'lng'], required: true, ru: 'долгота', en: 'longitude', example: '76.8897' },
  { key: 'correctional', aliases: ['коррекционный', 'түзету'], required: false, ru: 'коррекционный сад: да/нет (по умолчанию нет)', en: 'correctional: yes/no (default no)', example: 'нет' },
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
  key: (row) => row.number,
  async writeBatch(db, rows, _context, write) {
    if (!write || rows.length === 0) return [];
    const col = <T>(f: (r: KindergartenRow) => T) => rows.map((r) => f(r.row));
    await db.$executeRaw`
      INSERT INTO kindergartens ("number", "nameKk", "nameRu", "addressKk", "addressRu", ownership, languages, capacity,
                                 district, latitude, longitude, correctional)
      SELECT t.number, t.name_kk, t.name_ru, t.address_kk, t.address_ru, t.ownership::"Ownership",
             t.languages::"InstructionLanguage"[], t.capacity, t.district, t.latitude, t.longitude, t.correctional
      FROM unnest(${col((r) => r.number)}::int[], ${col((r) => r.name_kk)}::text[], ${col((r) => r.name_ru)}::text[],
                  ${col((r) => r.address_kk)}::text[], ${col((r) => r.address_ru)}::text[], ${col((r) => r.ownership)}::text[],
                  ${col((r) => `{${r.languages.join(',')}}`)}::text[], ${col((r) => r.capacity)}::int[], ${col((r) => r.district)}::text[],
                  ${col((r) => r.latitude)}::float8[], ${col((r) => r.longitude)}::float8[], ${col((r) => r.correctional === 'yes')}::bool[])
        AS t(number, name_kk, name_ru, address_kk, address_ru, ownership, languages, capacity, district, latitude, longitude, correctional)
      ON CONFLICT ("number") DO UPDATE SET
        "nameKk" = EXCLUDED."nameKk", "nameRu" = EXCLUDED."nameRu", "addressKk" = EXCLUDED."addressKk",
        "addressRu" = EXCLUDED."addressRu", ownership = EXCLUDED.ownership, languages = EXCLUDED.languages,
        capacity = EXCLUDED.capacity, district = EXCLUDED.district, latitude = EXCLUDED.latitude,
        longitude = EXCLUDED.longitude, correctional = EXCLUDED.correctional`;
    return [];
  },
};
