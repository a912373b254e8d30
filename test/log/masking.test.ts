import { describe, expect, it } from 'vitest';
import { captureLogs } from './capture.ts';

const capture = () => captureLogs();

describe('logs never carry personal data unmasked', () => {
  it('masks IINs and phones in messages, fields, nested objects and errors', () => {
    const { logger, lines } = capture();
    logger.info('contact from +7 701 234 56 78 with IIN 900514401017');
    logger.info({ phone: '+77012345678', input: { text: 'мой ИИН 900514 401017' }, list: ['87011112233'] }, 'typed');
    logger.error({ err: new Error('no parent with iin 880101300015') }, 'failed');
    const all = lines.join('\n');
    expect(all).not.toMatch(/900514401017|900514 401017|\+77012345678|87011112233|880101300015|234 56 78/);
    expect(all).toContain('9005••••••17');
    expect(all).toContain('+7 7•• ••• ••78');
  });

  it('leaves ids, timestamps and counts readable', () => {
    const { logger, lines } = capture();
    logger.info({ updateId: 123456789, chatId: '55512', count: 5 }, 'update 1795623449957 handled');
    expect(lines[0]).toContain('1795623449957');
    expect(JSON.parse(lines[0]!)).toMatchObject({ updateId: 123456789, chatId: '55512', count: 5 });
  });
});
