import { describe, expect, it } from 'vitest';
import { loadTemplateFile, TEMPLATES, validateTemplate } from '../../bots/whatsapp/templates.ts';
import { decodeAction } from '../../src/conversation/core/action-codec.ts';

const file = loadTemplateFile();

describe('WhatsApp template definitions for approval', () => {
  it('define every template the senders use, in kk and ru, as UTILITY', () => {
    for (const { name } of Object.values(TEMPLATES)) {
      const variants = file.templates.filter((t) => t.name === name);
      expect(variants.map((t) => t.language).sort(), name).toEqual(['kk', 'ru']);
      expect(variants.every((t) => t.category === 'UTILITY')).toBe(true);
    }
    expect(file.templates).toHaveLength(Object.keys(TEMPLATES).length * 2);
  });

  it("pass the client library's strict template review (placeholders, examples, lengths, buttons)", () => {
    for (const t of file.templates) expect(() => validateTemplate(t), `${t.name}/${t.language}`).not.toThrow();
    const broken = structuredClone(file.templates[0]!);
    const body = broken.components.find((c) => c.type === 'BODY')!;
    if (body.type === 'BODY') body.example.body_text = [['only one']];
    expect(() => validateTemplate(broken)).toThrow();
  });

  it('take the parameters and carry the quick-reply payloads the usage section and TEMPLATES promise', () => {
    for (const { name, params, buttonPayloads } of Object.values(TEMPLATES)) {
      const usage = file.usage[name]!;
      expect(usage.parameters).toHaveLength(params);
      expect(usage.buttonPayloads).toEqual(buttonPayloads);
      for (const payload of buttonPayloads) expect(decodeAction(payload)?.action.type).toBe('command');
      for (const t of file.templates.filter((x) => x.name === name)) {
        const body = t.components.find((c) => c.type === 'BODY');
        const placeholders = new Set(body?.type === 'BODY' ? [...body.text.matchAll(/\{\{(\d+)\}\}/g)].map((m) => m[1]) : []);
        expect([...placeholders].sort()).toEqual(Array.from({ length: params }, (_, i) => String(i + 1)));
        const buttons = t.components.find((c) => c.type === 'BUTTONS');
        expect(buttons?.type === 'BUTTONS' && buttons.buttons.length).toBe(buttonPayloads.length);
        // Meta refuses a body that starts or ends with a parameter.
        expect(body?.type === 'BODY' && /^\{\{|\}\}$/.test(body.text.trim())).toBe(false);
      }
    }
  });
});
