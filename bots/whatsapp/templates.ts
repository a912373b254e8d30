/**
 * The template definitions operators submit for approval (templates.json) and what a sender needs
 * to use them: the names, how many body parameters each takes and the quick-reply payloads of its
 * buttons, which come back as core commands (`x.extend`, `x.restore`) when tapped.
 */
import { readFileSync } from 'node:fs';
import { TemplateDefinition } from '@kapso/whatsapp-cloud-api';
import { encodeAction, type Locale } from '../../src/conversation/index.ts';

export const TEMPLATE_FILE = new URL('./templates.json', import.meta.url);

/**
 * The payload of every template's Stop quick-reply (kk «Тоқтату», ru «Стоп»). A tap on it comes
 * back as a template button message and stores the opt-out at once (inbound.ts): the parent chose
 * on the message that offered it. Typed as /stop, the same command asks for a confirmation first.
 */
export const STOP_PAYLOAD = encodeAction(0, { type: 'command', name: 'stop' });

/** The templates by purpose; the campaign sends them with `transport.sendTemplate`. */
export const TEMPLATES = {
  reminder: { name: 'kg_queue_extension_reminder', params: 2, buttonPayloads: [encodeAction(0, { type: 'command', name: 'extend' }), STOP_PAYLOAD] },
  stopListNotice: { name: 'kg_queue_stoplist_notice', params: 2, buttonPayloads: [encodeAction(0, { type: 'command', name: 'restore' }), STOP_PAYLOAD] },
  /** The education department answered and the window is closed: the tap opens it (src/services/support.ts). */
  supportAnswer: { name: 'kg_queue_support_answer', params: 1, buttonPayloads: [encodeAction(0, { type: 'command', name: 'write' }), STOP_PAYLOAD] },
  referralIssued: { name: 'kg_queue_referral_issued', params: 3, buttonPayloads: [encodeAction(0, { type: 'command', name: 'accept' }), STOP_PAYLOAD] },
  referralLapsed: { name: 'kg_queue_referral_lapsed', params: 1, buttonPayloads: [encodeAction(0, { type: 'command', name: 'applications' }), STOP_PAYLOAD] },
} as const;

/** A Meta create-template request, as stored in the file (snake_case, ready to POST). */
export interface TemplateCreateRequest {
  name: string;
  language: Locale;
  category: 'UTILITY';
  components: ({ type: 'BODY'; text: string; example: { body_text: string[][] } } | { type: 'BUTTONS'; buttons: { type: 'QUICK_REPLY'; text: string }[] })[];
}

export interface TemplateFile {
  templates: TemplateCreateRequest[];
  usage: Record<string, { purpose: string; parameters: string[]; buttonPayloads: string[] }>;
}

export function loadTemplateFile(): TemplateFile {
  return JSON.parse(readFileSync(TEMPLATE_FILE, 'utf8')) as TemplateFile;
}

/**
 * Checks a create request the way Meta's review does (through the client library's strict
 * builder): placeholders against examples, lengths, button kinds. Throws on a problem.
 */
export function validateTemplate(t: TemplateCreateRequest): void {
  TemplateDefinition.buildTemplateDefinition({
    name: t.name,
    language: t.language,
    category: t.category,
    components: t.components.map((c) =>
      c.type === 'BODY'
        ? { type: 'BODY' as const, text: c.text, example: { bodyText: c.example.body_text } }
        : { type: 'BUTTONS' as const, buttons: c.buttons.map((b) => ({ type: 'QUICK_REPLY' as const, text: b.text })) },
    ),
  });
}
