/**
 * The page an SMS links to, `<PUBLIC_URL>/s/<token>`, in Kazakh and Russian at once (an SMS
 * reader's language is not known). It offers the ways to extend — the Telegram and WhatsApp bots
 * through the parent's deep links (links.ts), the portal — and the button that stops the SMS. Two
 * links and a stop instruction do not fit an SMS of two Cyrillic parts; one short link to this page
 * does, and the parent picks the messenger they have.
 *
 * GET only shows it: link previews and scanners open every link in a message, and must not opt
 * anyone out. The stop button POSTs to the same address and records the opt-out of SMS for the
 * parent the token names; stopping again changes nothing, and a second button brings the SMS back.
 * No session: the signed token is the credential, and the page shows nothing about the parent.
 * Every text is escaped; the headers keep the page out of frames, caches and referrers (the token
 * is in its address).
 */
import type { Clock } from '../clock.ts';
import type { Locale } from '../conversation/core/views.ts';
import type { HttpRequest, HttpResponse, HttpServer } from '../http/server.ts';
import type { Translator } from '../i18n/translator.ts';
import type { Logger } from '../log.ts';
import type { Db } from '../services/db.ts';
import { optedOut, optIn, optOut } from '../services/opt-outs.ts';
import { escapeHtml } from '../stats/html-escape.ts';
import { SMS_PAGE_PATH, type BotLinks, type LinkService } from './links.ts';

export interface SmsPageDeps {
  prisma: Db;
  links: LinkService;
  translator: Translator;
  clock: Clock;
  logger: Logger;
  /** Where the page's portal button leads (PORTAL_URL). */
  portalUrl: string;
}

type PageKind = 'open' | 'stopped' | 'resumed' | 'invalid';

const LANGUAGES: Locale[] = ['kk', 'ru'];

const HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
};

export function registerSmsPage(http: HttpServer, deps: SmsPageDeps): void {
  http.routePrefix('GET', SMS_PAGE_PATH, (req) => show(deps, req));
  http.routePrefix('POST', SMS_PAGE_PATH, (req) => act(deps, req));
}

async function pageOf(deps: SmsPageDeps, req: HttpRequest) {
  const token = req.path.slice(SMS_PAGE_PATH.length);
  return /^[A-Za-z0-9_-]{1,64}$/.test(token) ? deps.links.smsPage(deps.prisma, token, deps.clock.now()) : null;
}

async function show(deps: SmsPageDeps, req: HttpRequest): Promise<HttpResponse> {
  const found = await pageOf(deps, req);
  if (found === null) return page(deps, 'invalid', null, 404);
  const stopped = (await optedOut(deps.prisma, [found.parentId], 'SMS')).has(found.parentId);
  return page(deps, stopped ? 'stopped' : 'open', found.bots);
}

async function act(deps: SmsPageDeps, req: HttpRequest): Promise<HttpResponse> {
  const found = await pageOf(deps, req);
  if (found === null) return page(deps, 'invalid', null, 404);
  const wanted = new URLSearchParams(req.body.toString('utf8')).get('do');
  if (wanted === 'resume') {
    await optIn(deps.prisma, found.parentId, 'SMS');
    deps.logger.info('SMS opt-out lifted on the SMS page');
    return page(deps, 'resumed', found.bots);
  }
  if (wanted !== 'stop') return page(deps, 'open', found.bots, 400);
  await optOut(deps.prisma, found.parentId, 'SMS', 'sms', deps.clock.now());
  deps.logger.info('SMS opt-out recorded on the SMS page');
  return page(deps, 'stopped', found.bots);
}

/** What the SMS part of each page says, and its button (the form posts `do` with the button's value). */
const CONTENT: Record<PageKind, { text: string; button: { value: 'stop' | 'resume'; label: string } | null }> = {
  open: { text: 'smsPage.question', button: { value: 'stop', label: 'smsPage.stopButton' } },
  stopped: { text: 'smsPage.stopped', button: { value: 'resume', label: 'smsPage.resumeButton' } },
  resumed: { text: 'smsPage.resumed', button: { value: 'stop', label: 'smsPage.stopButton' } },
  invalid: { text: 'smsPage.invalid', button: null },
};

export function page(deps: Pick<SmsPageDeps, 'translator' | 'portalUrl'>, kind: PageKind, bots: BotLinks | null, status = 200): HttpResponse {
  const tr = deps.translator;
  const { text, button } = CONTENT[kind];
  const both = (key: string) => LANGUAGES.map((l) => escapeHtml(tr.t(l, key))).join(' / ');
  const paragraphs = (key: string) => LANGUAGES.map((l) => `<p lang="${l}">${escapeHtml(tr.t(l, key))}</p>`).join('');
  const ways = bots
    ? `<section>${paragraphs('smsPage.extend')}<nav>${[
        bots.telegram ? link(bots.telegram, both('smsPage.telegramButton')) : '',
        bots.whatsapp ? link(bots.whatsapp, both('smsPage.whatsappButton')) : '',
        link(deps.portalUrl, both('smsPage.portalButton'), true),
      ].join('')}</nav></section>`
    : '';
  const form = button
    ? `<form method="post"><input type="hidden" name="do" value="${button.value}"><button type="submit">${both(button.label)}</button></form>`
    : '';
  const body = `<!doctype html>
<html lang="kk"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">
<title>${both('smsPage.title')}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;margin:0;padding:1.5rem;color:#1b1b1b}main{max-width:34rem;margin:auto}h1{font-size:1.2rem}section{border-bottom:1px solid #ddd;padding-bottom:1rem}nav a{display:block;text-align:center;text-decoration:none;padding:.8rem;margin-top:.6rem;border-radius:.5rem;background:#1f5fbf;color:#fff}nav a.quiet{background:#e8eef8;color:#1f5fbf}button{font:inherit;padding:.7rem 1.2rem;margin-top:1rem;border:1px solid #888;border-radius:.5rem;background:#fff;color:#1b1b1b}</style>
</head><body><main><h1>${both('smsPage.title')}</h1>${ways}${paragraphs(text)}${form}</main></body></html>
`;
  return { status, headers: HEADERS, body };
}

/** A button-like link out of the page; the label is escaped by the caller, the address here. */
function link(href: string, label: string, quiet = false): string {
  return `<a href="${escapeHtml(href)}" rel="noopener noreferrer"${quiet ? ' class="quiet"' : ''}>${label}</a>`;
}
