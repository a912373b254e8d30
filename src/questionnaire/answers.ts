import { z } from 'zod';
import {
  DIGITAL_SERVICES,
  INSTRUCTION_LANGUAGES,
  MAX_KINDERGARTENS,
  MIN_KINDERGARTENS,
  OTHER_TEXT_MAX,
  OWNERSHIP_PREFERENCES,
  OWNERSHIP_REASONS,
  PAYMENT_BRACKETS,
  SECTIONS,
} from './catalog.ts';

/** A chosen kindergarten, with both names so a summary renders in either language without a query. */
export const kindergartenRefSchema = z.object({
  id: z.number().int().positive(),
  number: z.number().int().positive(),
  nameKk: z.string(),
  nameRu: z.string(),
});
export type KindergartenRef = z.infer<typeof kindergartenRefSchema>;

export const otherTextSchema = z
  .string()
  .transform((s) => s.replace(/\s+/g, ' ').trim())
  .pipe(z.string().min(1).max(OTHER_TEXT_MAX));

const paymentSchema = z
  .number()
  .int()
  .refine((n) => (PAYMENT_BRACKETS as readonly number[]).includes(n), 'not a payment bracket');

/** Answers being filled in: every field may still be empty. Kept in the conversation state. */
export const draftSchema = z.object({
  kindergartens: z.array(kindergartenRefSchema).max(MAX_KINDERGARTENS),
  ownership: z.enum(OWNERSHIP_PREFERENCES).nullable(),
  ownershipReason: z.enum(OWNERSHIP_REASONS).nullable(),
  language: z.enum(INSTRUCTION_LANGUAGES).nullable(),
  maxPayment: paymentSchema.nullable(),
  sections: z.array(z.enum(SECTIONS)),
  sectionsOther: z.string().max(OTHER_TEXT_MAX).nullable(),
  /** True once the parent pressed Done on question 5: an empty list then means "none". */
  sectionsDone: z.boolean(),
  digital: z.array(z.enum(DIGITAL_SERVICES)),
  digitalOther: z.string().max(OTHER_TEXT_MAX).nullable(),
  digitalDone: z.boolean(),
});
export type Draft = z.infer<typeof draftSchema>;

export const emptyDraft = (): Draft => ({
  kindergartens: [],
  ownership: null,
  ownershipReason: null,
  language: null,
  maxPayment: null,
  sections: [],
  sectionsOther: null,
  sectionsDone: false,
  digital: [],
  digitalOther: null,
  digitalDone: false,
});

/** Complete, consistent answers: what is stored and what extends the applications. */
export const answersSchema = z
  .object({
    kindergartens: z.array(kindergartenRefSchema).min(MIN_KINDERGARTENS).max(MAX_KINDERGARTENS),
    ownership: z.enum(OWNERSHIP_PREFERENCES),
    ownershipReason: z.enum(OWNERSHIP_REASONS).nullable(),
    language: z.enum(INSTRUCTION_LANGUAGES),
    maxPayment: paymentSchema,
    sections: z.array(z.enum(SECTIONS)),
    sectionsOther: otherTextSchema.nullable(),
    digital: z.array(z.enum(DIGITAL_SERVICES)),
    digitalOther: otherTextSchema.nullable(),
  })
  .superRefine((a, ctx) => {
    const ids = a.kindergartens.map((k) => k.id);
    if (new Set(ids).size !== ids.length) ctx.addIssue({ code: 'custom', path: ['kindergartens'], message: 'duplicate' });
    // "Why" is asked only when the parent prefers state or private kindergartens.
    if ((a.ownership === 'ANY') !== (a.ownershipReason === null))
      ctx.addIssue({ code: 'custom', path: ['ownershipReason'], message: 'reason only for STATE/PRIVATE' });
    if (a.sections.includes('other') !== (a.sectionsOther !== null))
      ctx.addIssue({ code: 'custom', path: ['sectionsOther'], message: 'other text iff other chosen' });
    if (a.digital.includes('other') !== (a.digitalOther !== null))
      ctx.addIssue({ code: 'custom', path: ['digitalOther'], message: 'other text iff other chosen' });
  });
export type Answers = z.infer<typeof answersSchema>;
