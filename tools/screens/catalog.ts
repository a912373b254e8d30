/**
 * Every screen and notice of the conversation, reached the way a parent reaches it: the real
 * state machine driven step by step over the demo city (world.ts), in one language. The screens
 * file for reviewers (`npm run screens`) and the every-screen test both read this catalog; a text
 * no shot reaches fails that test, so a new screen comes with its shot.
 */
import type { Input, Message, Output, Text } from '../../src/conversation/core/io.ts';
import { localeFromHint, UNKNOWN_LOCALE } from '../../src/conversation/runtime/runtime.ts';
import { initialState, type ConversationState } from '../../src/conversation/core/state.ts';
import { runConversationSync } from '../../src/conversation/core/run.ts';
import type { Locale } from '../../src/conversation/core/views.ts';
import { buildNotification } from '../../src/campaign/notifications.ts';
import { supportClosedMessage, supportNudgeMessage, supportReplyMessage } from '../../src/campaign/support-notifications.ts';
import { SUPPORT_TEXT_MAX } from '../../src/conversation/core/support-rules.ts';
import type { SupportOutcome } from '../../src/conversation/core/effects.ts';
import type { RegistryEventKind } from '../../src/campaign/outbox-kinds.ts';
import { buildRegistryNotice, type RegistryNotification } from '../../src/campaign/registry-notices.ts';
import type { TextLocale } from '../../src/i18n/translator.ts';
import type { Answers } from '../../src/questionnaire/answers.ts';
import { BAD_IINS, CATALOG_NOW, DEMO_IIN, DEMO_LINK, DEMO_PHONE, DemoWorld } from './world.ts';

/** A caption in both languages (the screens file of each language uses its own). */
export type Caption = Record<Locale, string>;

export interface Exchange {
  /** What the parent did, as they would tell it; null for the bot's own messages (reminders). */
  action: Caption | null;
  outputs: Output[];
  /** The language the channel renders these outputs in. */
  locale: TextLocale;
  /** The parent pressed a button (Telegram shows the first notice on the button, not as a message). */
  pressed?: boolean;
}

export type ChannelName = 'telegram' | 'whatsapp';

export interface Shot {
  id: string;
  title: Caption;
  exchanges: Exchange[];
  /** Channels where the parent can meet this; default both. */
  channels?: ChannelName[];
}

const cap = (kk: string, ru: string): Caption => ({ kk, ru });

/** A chat with the demo bot: inputs go through `step` with effects answered by the world, as the runtime does. */
export class Session {
  state: ConversationState = initialState();
  private last: Message | null = null;

  constructor(readonly world: DemoWorld) {}

  send(action: Caption | null, input: Input, hint: string | null = null): Exchange {
    if (this.state.locale === null && localeFromHint(hint)) this.state = { ...this.state, locale: localeFromHint(hint) };
    const ran = runConversationSync(this.state, input, (e) => this.world.resolve(e));
    this.state = ran.state;
    const outputs = ran.outputs;
    const messages = outputs.filter((o): o is Message => o.kind === 'message' && o.buttons.length > 0);
    if (messages.length > 0) this.last = messages.at(-1)!;
    return { action, outputs, locale: this.state.locale ?? UNKNOWN_LOCALE, ...(input.type === 'action' ? { pressed: true } : {}) };
  }

  text(action: Caption, text: string): Exchange {
    return this.send(action, { type: 'text', text });
  }

  command(name: Extract<Input, { type: 'command' }>['name']): Exchange {
    return this.send(cap(`/${name}`, `/${name}`), { type: 'command', name });
  }

  /** Presses the button of the last keyboard whose label (or the label it numbers) has this key. */
  press(action: Caption, key: string, value?: string): Exchange {
    const m = this.last;
    const b = m?.buttons.find((x) => labelKeys(x.text).includes(key) && (value === undefined || ('value' in x.action && x.action.value === value)));
    if (!m || !b) throw new Error(`catalog: no button ${key} ${value ?? ''} on the last keyboard`);
    return this.send(action, { type: 'action', seq: m.seq, action: b.action });
  }

  /** A press on a keyboard that is no longer current. */
  pressStale(action: Caption): Exchange {
    return this.send(action, { type: 'action', seq: Math.max(0, this.state.seq - 1), action: { type: 'back' } });
  }
}

/** The key of a label and of the texts it wraps ("1. Football" wraps the option's own label). */
function labelKeys(t: Text): string[] {
  const nested = Object.values(t.params ?? {}).flatMap((p) => (typeof p === 'object' && p !== null && 'key' in p ? labelKeys(p) : []));
  return [t.key, ...nested];
}

/** A chat of the demo parent, identified in `locale`, on the main menu. */
export function linked(locale: Locale, world = new DemoWorld()): Session {
  const s = new Session(world);
  s.send(null, { type: 'start', languageHint: null });
  s.press(cap('', ''), `language.${locale}`);
  s.send(null, { type: 'contact', phone: DEMO_PHONE, own: true });
  s.send(null, { type: 'text', text: DEMO_IIN });
  if (s.state.screen !== 'menu' || !s.state.linked) throw new Error('catalog: the demo parent was not identified');
  return s;
}

/** Picked kindergartens for a finished questionnaire. */
function answersOf(world: DemoWorld): Answers {
  const [a, b] = world.kindergartens;
  return {
    kindergartens: [a!, b!].map(({ id, number, nameKk, nameRu }) => ({ id, number, nameKk, nameRu })),
    ownership: 'STATE',
    ownershipReason: 'QUALITY',
    language: 'KK',
    maxPayment: 25_000,
    sections: ['chess', 'other'],
    sectionsOther: 'Жүзу / Плавание',
    digital: ['cashless', 'attendance'],
    digitalOther: null,
  };
}

const shot = (id: string, title: Caption, exchanges: Exchange[], channels?: ChannelName[]): Shot => ({
  id,
  title,
  exchanges,
  ...(channels ? { channels } : {}),
});

/** Every screen and notice, in the order a parent meets them, with the chat in `locale`. */
export function buildCatalog(locale: Locale): Shot[] {
  const shots: Shot[] = [];
  const other: Locale = locale === 'kk' ? 'ru' : 'kk';
  const add = (...s: Shot[]) => shots.push(...s);

  // ——— before a language is chosen ———
  {
    const s = new Session(new DemoWorld());
    add(
      shot('start', cap('Бірінші хабарлама: тіл таңдау', 'Первое сообщение: выбор языка'), [
        s.send(cap('/start (қолданбаның тілі белгісіз)', '/start (язык приложения неизвестен)'), { type: 'start', languageHint: null }),
      ]),
    );
    add(
      shot('before-language', cap('Тіл таңдалмай тұрып', 'До выбора языка'), [
        s.text(cap('«Сәлем» деп жазады', 'Пишет «Привет»'), 'Привет'),
        s.command('menu'),
        s.command('help'),
        s.send(cap('Стикер жібереді', 'Отправляет стикер'), { type: 'unsupported' }),
      ]),
    );
    const h = new Session(new DemoWorld());
    add(
      shot(
        'start-hint',
        cap('/start: қолданба тілі алдын ала таңдалады', '/start: язык приложения выбран заранее'),
        [h.send(cap(`/start (қолданба тілі: ${locale})`, `/start (язык приложения: ${locale})`), { type: 'start', languageHint: locale })],
        ['telegram'],
      ),
    );
  }

  // ——— identification ———
  {
    const s = new Session(new DemoWorld());
    s.send(null, { type: 'start', languageHint: null });
    add(
      shot(
        'contact',
        cap('Тіл таңдалды: нөмірмен бөлісу', 'Язык выбран: поделиться номером'),
        [
          s.press(cap(`«${locale === 'kk' ? 'Қазақша' : 'Русский'}» басады`, `Нажимает «${locale === 'kk' ? 'Қазақша' : 'Русский'}»`), `language.${locale}`),
          s.command('menu'),
          s.text(cap('Нөмірді қолмен жазады', 'Набирает номер вручную'), '+7 701 000 0002'),
          s.send(cap('Басқа адамның контактісін жібереді', 'Отправляет чужой контакт'), { type: 'contact', phone: DEMO_PHONE, own: false }),
          s.send(cap('Контактіде нөмір танылмайды', 'В контакте нераспознаваемый номер'), { type: 'contact', phone: '12', own: true }),
          s.send(cap('Кезекте жоқ нөмірмен бөліседі', 'Делится номером, которого нет в очереди'), { type: 'contact', phone: '+77019999999', own: true }),
        ],
        ['telegram'],
      ),
    );
    add(
      shot('iin', cap('ЖСН сұралады', 'Запрос ИИН'), [
        s.send(cap('Өз нөмірімен бөліседі', 'Делится своим номером'), { type: 'contact', phone: DEMO_PHONE, own: true }),
        ...(['format', 'birthDate', 'century', 'checkDigit', 'unassignable'] as const).map((k) =>
          s.text(cap(`Қате ЖСН (${k}): ${BAD_IINS[k]}`, `Неверный ИИН (${k}): ${BAD_IINS[k]}`), BAD_IINS[k]),
        ),
        s.text(cap('Басқа адамның ЖСН-і (4 мүмкіндік қалады)', 'ИИН другого человека (осталось 4 попытки)'), BAD_IINS.stranger),
        s.text(cap('Тағы біреуі', 'Ещё один'), BAD_IINS.stranger),
        s.text(cap('Тағы біреуі', 'Ещё один'), BAD_IINS.stranger),
        s.text(cap('Тағы біреуі (1 мүмкіндік қалады)', 'Ещё один (осталась 1 попытка)'), BAD_IINS.stranger),
        s.text(cap('Бесінші қате: сәйкестендіру бұғатталады', 'Пятая ошибка: вход заблокирован'), BAD_IINS.stranger),
        s.command('menu'),
        s.text(cap('Дұрыс ЖСН-ді жазады, бірақ бұғат әлі бар', 'Пишет верный ИИН, но блокировка ещё действует'), DEMO_IIN),
      ]),
    );
    const b = new Session(new DemoWorld());
    b.send(null, { type: 'start', languageHint: null });
    b.press(cap('', ''), `language.${locale}`);
    b.send(null, { type: 'contact', phone: DEMO_PHONE, own: true });
    add(shot('iin-back', cap('ЖСН қадамынан артқа', 'Назад с шага ИИН'), [b.press(cap('«Артқа» басады', 'Нажимает «Назад»'), 'common.back')], ['telegram']));
    add(
      shot('help-unidentified', cap('Кірмей тұрып анықтама', 'Помощь до входа'), [
        b.command('help'),
        b.press(cap('«Жалғастыру»', '«Продолжить»'), 'common.continue'),
      ]),
    );
    b.send(null, { type: 'contact', phone: DEMO_PHONE, own: true });
    add(
      shot('welcome', cap('Кіру және басты мәзір', 'Вход и главное меню'), [
        b.text(cap('Дұрыс ЖСН жазады', 'Пишет верный ИИН'), DEMO_IIN),
        b.send(cap('Нөмірімен қайта бөліседі', 'Снова делится номером'), { type: 'contact', phone: DEMO_PHONE, own: true }),
      ]),
    );
  }

  // ——— the menu and what it shows ———
  {
    const s = linked(locale);
    add(shot('applications', cap('Менің өтініштерім', 'Мои заявления'), [s.press(cap('«Менің өтініштерім»', '«Мои заявления»'), 'menu.applications')]));
    const none = linked(locale, new DemoWorld({ applications: 'none' }));
    add(shot('applications-none', cap('Өтініш жоқ', 'Заявлений нет'), [none.command('applications')]));
    add(shot('help', cap('Анықтама', 'Помощь'), [s.command('help')]));
    add(shot('accept-referral', cap('Жолдаманы қалай қабылдау керек', 'Как принять направление'), [s.command('accept')]));
    const closed = linked(locale, new DemoWorld({ seasonOpen: false }));
    add(
      shot('no-season', cap('Ұзарту кезеңі жарияланбаған', 'Сроки продления не объявлены'), [
        closed.command('help'),
        closed.command('extend'),
        closed.command('restore'),
      ]),
    );
    add(shot('language', cap('Тілді ауыстыру', 'Смена языка'), [s.command('language')]));
    s.press(cap('', ''), `language.${locale}`);
    add(
      shot('stray', cap('Күтпеген хабарламалар', 'Неожиданные сообщения'), [
        s.text(cap('Мәзірде мәтін жазады', 'Пишет текст в меню'), 'Сәлем'),
        s.text(cap('Белгісіз команда', 'Неизвестная команда'), '/start2'),
        s.send(cap('Геолокация жібереді', 'Отправляет геолокацию'), { type: 'location', point: { lat: 53.28, lon: 69.39 } }),
        s.pressStale(cap('Ескі хабарламадағы батырманы басады', 'Нажимает кнопку старого сообщения')),
      ]),
    );
    const gone = linked(locale, new DemoWorld({ linked: false }));
    add(shot('relink', cap('Чат ажыратылған: қайта кіру', 'Чат отвязан: вход заново'), [gone.command('applications')]));
  }

  // ——— the questionnaire ———
  const world = new DemoWorld({ needExtension: 2 });
  const q = linked(locale, world);
  const [k1, k2, k3, k4] = world.kindergartens;
  add(shot('q1', cap('1-сұрақ: балабақшалар', 'Вопрос 1: детские сады'), [q.press(cap('«Өтініштерді ұзарту»', '«Продлить заявления»'), 'menu.extend')]));
  add(
    shot('q1-pick', cap('1-сұрақ: таңдау, іздеу, беттер', 'Вопрос 1: выбор, поиск, страницы'), [
      q.send(cap('Ештеңе таңдамай «Дайын» басады', 'Нажимает «Готово», ничего не выбрав'), { type: 'action', seq: q.state.seq, action: { type: 'done' } }),
      q.send(cap(`№${k1!.number} балабақшаны белгілейді`, `Отмечает сад №${k1!.number}`), {
        type: 'action',
        seq: q.state.seq,
        action: { type: 'toggle', value: String(k1!.id), on: true },
      }),
      q.send(cap('Келесі бет', 'Следующая страница'), { type: 'action', seq: q.state.seq, action: { type: 'page', page: 1 } }),
      q.text(cap(`«${k3!.number}» деп іздейді`, `Ищет «${k3!.number}»`), String(k3!.number)),
      q.send(cap('Табылғанын белгілейді', 'Отмечает найденный'), {
        type: 'action',
        seq: q.state.seq,
        action: { type: 'toggle', value: String(k3!.id), on: true },
      }),
      q.text(cap('Атауы бойынша іздейді, ештеңе табылмайды', 'Ищет по названию, ничего не найдено'), 'Жоқ атау'),
      q.press(cap('«Іздеуді тазарту»', '«Сбросить поиск»'), 'q1.clearSearch'),
      q.send(cap('Тағы біреуін белгілейді', 'Отмечает ещё один'), {
        type: 'action',
        seq: q.state.seq,
        action: { type: 'toggle', value: String(k2!.id), on: true },
      }),
      q.send(cap('Төртіншісін белгілемек болады', 'Пытается отметить четвёртый'), {
        type: 'action',
        seq: q.state.seq,
        action: { type: 'toggle', value: String(k4!.id), on: true },
      }),
      q.send(cap('✖ арқылы біріншісін алып тастайды', 'Убирает первый кнопкой ✖'), {
        type: 'action',
        seq: q.state.seq,
        action: { type: 'toggle', value: String(k1!.id), on: false },
      }),
      q.press(cap('«Маған жақын»', '«Рядом со мной»'), 'q1.nearMe'),
      q.send(cap('Геолокация жібереді', 'Отправляет геолокацию'), { type: 'location', point: { lat: 53.2848, lon: 69.3836 } }),
      q.text(cap('Әріптер жазады', 'Пишет буквы'), 'Балапан'),
    ]),
  );
  q.press(cap('', ''), 'q1.clearSearch');
  add(shot('q2', cap('2-сұрақ: меншік нысаны', 'Вопрос 2: форма собственности'), [q.press(cap('«Дайын»', '«Готово»'), 'q1.done')]));
  add(
    shot('q2-why', cap('2-сұрақ: неге (мемлекеттік / жекеменшік)', 'Вопрос 2: почему (государственный / частный)'), [
      q.press(cap('«Мемлекеттік»', '«Государственная»'), 'options.ownership.STATE'),
      q.press(cap('«Артқа»', '«Назад»'), 'common.back'),
      q.press(cap('«Жекеменшік»', '«Частная»'), 'options.ownership.PRIVATE'),
    ]),
  );
  add(shot('q3', cap('3-сұрақ: оқыту тілі', 'Вопрос 3: язык обучения'), [q.press(cap('«Құны»', '«Стоимость»'), 'options.reason.COST')]));
  add(shot('q4', cap('4-сұрақ: ай сайынғы төлем', 'Вопрос 4: оплата в месяц'), [q.press(cap('«Қазақ тілі»', '«Казахский»'), 'options.language.KK')]));
  add(
    shot('q5', cap('5-сұрақ: секциялар мен үйірмелер', 'Вопрос 5: секции и кружки'), [
      q.press(cap('«25 000 ₸ дейін»', '«до 25 000 ₸»'), 'options.payment', '25000'),
      q.press(cap('«Футбол» белгілейді', 'Отмечает «Футбол»'), 'options.sections.football'),
      q.text(cap('«1, 4, 7» деп жазады', 'Пишет «1, 4, 7»'), '1, 4, 7'),
      q.text(cap('«99» деп жазады', 'Пишет «99»'), '99'),
      q.press(cap('«Басқа»', '«Другое»'), 'options.sections.other'),
      q.text(cap('Тым ұзын мәтін', 'Слишком длинный текст'), 'ә'.repeat(201)),
      q.text(cap('Өз нұсқасын жазады', 'Пишет свой вариант'), 'Жүзу'),
    ]),
  );
  add(
    shot('q6', cap('6-сұрақ: жеке кабинеттің мүмкіндіктері', 'Вопрос 6: возможности личного кабинета'), [
      q.press(cap('«Дайын»', '«Готово»'), 'common.done'),
      q.press(cap('«Бұл не?»', '«Что это значит?»'), 'q6.info'),
      q.press(cap('«Басқа»', '«Другое»'), 'options.digital.other'),
      q.press(cap('«Артқа»', '«Назад»'), 'common.back'),
    ]),
  );
  add(
    shot('summary', cap('Тексеру және растау', 'Проверка и подтверждение'), [
      q.press(cap('Ештеңе таңдамай «Дайын»', '«Готово», ничего не выбрав'), 'common.doneNone'),
      q.press(cap('«3-сұрақты өзгерту»', '«Изменить 3»'), 'summary.edit', 'e3'),
      q.press(cap('«Орыс тілі»', '«Русский»'), 'options.language.RU'),
    ]),
  );
  add(shot('resume', cap('Кейін жалғастыру', 'Продолжить позже'), [q.command('menu'), q.command('extend')]));
  add(
    shot('extended', cap('Өтініштер ұзартылды', 'Заявления продлены'), [
      q.press(cap('«Өтініштерді ұзарту (2)»', '«Продлить заявления (2)»'), 'summary.confirmExtend'),
    ]),
  );
  add(shot('my-questionnaire', cap('Менің сауалнамам', 'Моя анкета'), [q.command('questionnaire')]));
  add(
    shot('questionnaire-again', cap('Сауалнаманы жаңарту (ұзартатын өтініш жоқ)', 'Обновить анкету (продлевать нечего)'), [
      q.press(cap('«Сауалнаманы өзгерту»', '«Изменить анкету»'), 'myQuestionnaire.edit'),
      q.press(cap('«Сауалнаманы сақтау»', '«Сохранить анкету»'), 'summary.confirmSave'),
    ]),
  );
  const empty = linked(locale);
  add(shot('my-questionnaire-none', cap('Сауалнама әлі жоқ', 'Анкеты ещё нет'), [empty.command('questionnaire')]));
  const viaWhatsApp = linked(locale, new DemoWorld({ stored: answersOf(world), storedVia: 'WHATSAPP' }));
  add(shot('my-questionnaire-whatsapp', cap('WhatsApp-та толтырылған сауалнама', 'Анкета, заполненная в WhatsApp'), [viaWhatsApp.command('questionnaire')]));
  {
    // A conversation saved mid-way by an earlier release, confirmed incomplete.
    const s = linked(locale);
    s.command('extend');
    s.state = { ...s.state, screen: 'summary', seq: s.state.seq + 1 };
    add(
      shot('incomplete', cap('Толық емес сауалнаманы растау', 'Подтверждение неполной анкеты'), [
        s.send(cap('«Растау» басады', 'Нажимает «Подтвердить»'), { type: 'action', seq: s.state.seq, action: { type: 'choose', value: 'confirm' } }),
      ]),
    );
  }

  // ——— restore ———
  {
    const w = new DemoWorld();
    const s = linked(locale, w);
    add(shot('stop-list', cap('Стоп-парақ', 'Стоп-лист'), [s.press(cap('«Стоп-парақтан қалпына келтіру»', '«Восстановить из стоп-листа»'), 'menu.restore')]));
    add(
      shot('restore-forged', cap('Басқа біреудің өтінішіне жалған батырма', 'Поддельная кнопка с чужим заявлением'), [
        s.send(cap('Өзгертілген батырма', 'Подделанная кнопка'), { type: 'action', seq: s.state.seq, action: { type: 'choose', value: 'a1159' } }),
      ]),
    );
    add(
      shot('restore-questionnaire-first', cap('Қалпына келтіру: алдымен сауалнама', 'Восстановление: сначала анкета'), [
        s.press(cap('Өтінішті таңдайды', 'Выбирает заявление'), 'restore.option'),
        s.press(cap('«Иә, қалпына келтіру»', '«Да, восстановить»'), 'restore.confirmButton'),
      ]),
    );
    w.o = { ...w.o, stored: answersOf(w) };
    s.command('restore');
    s.press(cap('', ''), 'restore.option');
    add(shot('restored', cap('Қалпына келтірілді', 'Восстановлено'), [s.press(cap('«Иә, қалпына келтіру»', '«Да, восстановить»'), 'restore.confirmButton')]));
    for (const outcome of ['notAllowed', 'notFound', 'noSeason'] as const) {
      const wo = new DemoWorld({ stored: null, restoreOutcome: outcome });
      const r = linked(locale, wo);
      r.command('restore');
      r.press(cap('', ''), 'restore.option');
      add(
        shot(`restore-${outcome}`, cap(`Қалпына келтіру мүмкін емес (${outcome})`, `Восстановить нельзя (${outcome})`), [
          r.press(cap('«Иә, қалпына келтіру»', '«Да, восстановить»'), 'restore.confirmButton'),
        ]),
      );
    }
    const none = linked(locale, new DemoWorld({ stopListed: false }));
    add(shot('stop-list-none', cap('Стоп-парақ бос', 'Стоп-лист пуст'), [none.command('restore')]));
  }

  // ——— deep links from an SMS or a template, and stopping the messages ———
  {
    const s = new Session(new DemoWorld({ registryLocale: locale }));
    add(
      shot('link', cap('SMS-тағы сілтеме: бірден ЖСН', 'Ссылка из SMS: сразу ИИН'), [
        s.send(cap('Сілтеме бойынша ботқа кіреді', 'Переходит в бот по ссылке'), { type: 'start', languageHint: null, link: DEMO_LINK }),
        s.send(cap('Сол сілтемені тағы басады', 'Снова нажимает ту же ссылку'), { type: 'start', languageHint: null, link: DEMO_LINK }),
      ]),
    );
    const n = new Session(new DemoWorld({ registryLocale: null }));
    add(
      shot('link-no-language', cap('Сілтеме: тізілімде тіл көрсетілмеген', 'Ссылка: язык в реестре не указан'), [
        n.send(cap('Сілтеме бойынша ботқа кіреді', 'Переходит в бот по ссылке'), { type: 'start', languageHint: null, link: DEMO_LINK }),
        n.press(cap(`«${locale === 'kk' ? 'Қазақша' : 'Русский'}» басады`, `Нажимает «${locale === 'kk' ? 'Қазақша' : 'Русский'}»`), `language.${locale}`),
      ]),
    );
    const f = new Session(new DemoWorld());
    add(
      shot(
        'link-refused',
        cap('Сілтеме жарамсыз (жалған, пайдаланылған, мерзімі өткен)', 'Ссылка недействительна (поддельная, использованная, просроченная)'),
        [f.text(cap('Ескі сілтеменің коды бар хабарлама', 'Сообщение с кодом старой ссылки'), 'LoldOrForgedToken0123456')],
      ),
    );
  }
  {
    const s = linked(locale, new DemoWorld({ registryLocale: locale }));
    add(
      shot('opt-out', cap('«Стоп»: хабарламалардан бас тарту', '«Стоп»: отказ от сообщений'), [
        s.text(cap('«стоп» деп жазады', 'Пишет «стоп»'), 'стоп'),
        s.press(cap('«Артқа»', '«Назад»'), 'common.back'),
        s.text(cap('«Тоқтату» деп жазады', 'Пишет «Тоқтату»'), 'Тоқтату'),
        s.press(cap('Растайды', 'Подтверждает'), 'optOut.confirmButton'),
        // The button is on the message before the menu: a command, so it never goes stale.
        s.send(cap('«Қайта жіберу»', '«Снова присылать»'), { type: 'action', seq: s.state.seq, action: { type: 'command', name: 'notify' } }),
      ]),
    );
    const u = new Session(new DemoWorld({ registryLocale: locale }));
    add(
      shot(
        'opt-out-registry-phone',
        cap('Кезектегі нөмірден «STOP» (чат байланбаған)', '«STOP» с номера из очереди (чат не привязан)'),
        [
          u.text(cap('Бірінші хабарламасы — «STOP»', 'Первое сообщение — «STOP»'), 'STOP'),
          u.press(cap('Растайды', 'Подтверждает'), 'optOut.confirmButtonBoth'),
        ],
        ['whatsapp'],
      ),
    );
    const b = new Session(new DemoWorld({ registryLocale: null }));
    b.text(cap('', ''), 'stop');
    add(
      shot(
        'opt-out-no-language',
        cap('«STOP»: тізілімде тіл көрсетілмеген', '«STOP»: язык в реестре не указан'),
        [
          b.press(cap('Растайды', 'Подтверждает'), 'optOut.confirmButtonBoth'),
          b.send(cap('«Қосу / Включить»', '«Қосу / Включить»'), { type: 'action', seq: b.state.seq, action: { type: 'command', name: 'notify' } }),
        ],
        ['whatsapp'],
      ),
    );
    const t = new Session(new DemoWorld({ chatParents: 0 }));
    t.send(null, { type: 'start', languageHint: locale });
    add(
      shot(
        'opt-out-nobody',
        cap('Байланбаған чатта /stop', '/stop в непривязанном чате'),
        [
          t.text(cap('/stop', '/stop'), '/stop'),
          t.press(cap('Растайды', 'Подтверждает'), 'optOut.confirmButton'),
          t.text(cap('/notify', '/notify'), '/notify'),
        ],
        ['telegram'],
      ),
    );
    const w = new Session(new DemoWorld({ registryLocale: locale }));
    add(
      shot(
        'template-stop',
        cap('Үлгі хабарламадағы «Тоқтату» батырмасы', 'Кнопка «Стоп» в шаблонном сообщении'),
        [w.send(cap('«Тоқтату» басады', 'Нажимает «Стоп»'), { type: 'templateStop' })],
        ['whatsapp'],
      ),
    );
  }

  // ——— writing to the education department ———
  {
    const s = linked(locale);
    const photo = {
      type: 'attachment' as const,
      file: { ref: 'photo-1', kind: 'photo' as const, mime: 'image/jpeg', size: 120_000, name: null, caption: null },
    };
    add(
      shot('support', cap('Білім бөліміне жазу', 'Написать в отдел образования'), [
        s.press(cap('«Білім бөліміне жазу» басады', 'Нажимает «Написать в отдел образования»'), 'menu.write'),
        s.text(cap('Сұрағын жазады', 'Пишет вопрос'), 'Өтінішім стоп-параққа түсті / Заявление ушло в стоп-лист'),
        s.send(cap('Құжаттың фотосын жібереді', 'Отправляет фото документа'), photo),
        s.command('menu'),
        s.text(cap('Мәзірде тағы жазады', 'Пишет ещё, находясь в меню'), 'Қосымша / Дополнение'),
        s.text(cap(`${SUPPORT_TEXT_MAX + 1} таңбалық хабарлама`, `Сообщение в ${SUPPORT_TEXT_MAX + 1} символ`), 'x'.repeat(SUPPORT_TEXT_MAX + 1)),
      ]),
    );
    const night = linked(locale, new DemoWorld({ supportHoursOpen: false }));
    night.command('write');
    add(
      shot('support-after-hours', cap('Жұмыс уақытынан тыс жазады', 'Пишет в нерабочее время'), [
        night.text(cap('Сұрағын жазады', 'Пишет вопрос'), 'Сәлеметсіз бе / Здравствуйте'),
      ]),
    );
    const refusals: [SupportOutcome, Caption][] = [
      ['fileTooBig', cap('6 МБ файл', 'Файл 6 МБ')],
      ['fileType', cap('Excel файлы', 'Файл Excel')],
      ['fileFailed', cap('Платформа файлды бермейді', 'Платформа не отдаёт файл')],
      ['slowDown', cap('Минутына 21-хабарлама', '21-е сообщение за минуту')],
      ['slowDownQuiet', cap('Сол минуттағы 22-хабарлама (үнсіз)', '22-е сообщение в ту же минуту (без ответа)')],
    ];
    add(
      shot(
        'support-refused',
        cap('Бөлім қабылдамайтын хабарламалар', 'Что отдел не принимает'),
        refusals.map(([outcome, caption]) => {
          const r = linked(locale, new DemoWorld({ supportOutcome: outcome }));
          r.command('write');
          return r.send(caption, outcome.startsWith('file') ? photo : { type: 'text', text: '…' });
        }),
      ),
    );
    const menu = linked(locale);
    add(
      shot('support-attach-hint', cap('Мәзірде құжат жібереді', 'Отправляет документ, находясь в меню'), [
        menu.send(cap('Фото жібереді', 'Отправляет фото'), photo),
      ]),
    );
    const u = new Session(new DemoWorld());
    u.send(null, { type: 'start', languageHint: null });
    u.press(cap('', ''), `language.${locale}`);
    add(
      shot('support-unidentified', cap('Кірмей тұрып жазу (ЖСН табылмады)', 'Написать до входа (ИИН не найден)'), [
        u.command('help'),
        u.press(cap('«Бөлімге жазу» басады', 'Нажимает «Написать в отдел»'), 'menu.write'),
        u.text(cap('Жазады', 'Пишет'), 'ЖСН табылмады / ИИН не находится'),
        u.press(cap('«Артқа» басады', 'Нажимает «Назад»'), 'common.back'),
      ]),
    );
  }
  add(
    shot('support-messages', cap('Бөлімнің хабарламалары', 'Сообщения отдела'), [
      bot(locale, supportReplyMessage(locale === 'kk' ? 'Өтінішіңіз қалпына келтірілді.' : 'Ваше заявление восстановлено.')),
      bot(locale, supportClosedMessage(true)),
      bot(locale, supportClosedMessage(false)),
      bot(locale, supportNudgeMessage()),
    ]),
  );

  // ——— the campaign's messages ———
  const deadline = new Date(world.season.deadline);
  add(
    shot('reminder', cap('Еске салу', 'Напоминание'), [
      bot(locale, buildNotification('REMINDER', { count: 2, deadline, daysLeft: 30 })),
      bot(locale, buildNotification('REMINDER', { count: 1, deadline, daysLeft: 1 })),
      bot(locale, buildNotification('REMINDER', { count: 1, deadline, daysLeft: 0 })),
    ]),
  );
  add(
    shot('stop-list-notice', cap('Стоп-параққа ауыстырылды', 'Перенесено в стоп-лист'), [
      bot(locale, buildNotification('STOPLIST_NOTICE', { queueNumbers: [1377], stopListedAt: CATALOG_NOW })),
      bot(locale, buildNotification('STOPLIST_NOTICE', { queueNumbers: [1377, 2210], stopListedAt: CATALOG_NOW })),
    ]),
  );

  const referralKg = {
    number: 12,
    nameKk: '«Балапан» балабақшасы',
    nameRu: 'Детский сад «Балапан»',
    addressKk: 'Абай даңғылы, 10',
    addressRu: 'проспект Абая, 10',
  };
  const news = (event: RegistryEventKind, more: Partial<RegistryNotification> = {}) =>
    bot(locale, buildRegistryNotice({ event, queueNumber: 2210, kindergarten: null, group: null, acceptBy: null, ...more }));
  add(
    shot('registry-notices', cap('Тізілімнен жаңалық', 'Новости из реестра'), [
      news('REFERRAL_ISSUED', { kindergarten: referralKg, group: 'Балапан (2–3)', acceptBy: new Date('2026-01-20T18:59:59.000Z') }),
      news('REFERRAL_ISSUED', { kindergarten: referralKg }),
      news('REFERRAL_LAPSED'),
      news('ENROLLED'),
      news('WITHDRAWN'),
      news('NEW_APPLICATION'),
    ]),
  );

  // ——— what the runtime answers by itself ———
  add(
    shot('runtime', cap('Қате және бос емес кезде', 'Ошибка и занятость'), [
      { action: cap('Сервер уақытша қате береді', 'Временная ошибка сервера'), outputs: [{ kind: 'notice', text: { key: 'common.error' } }], locale },
      { action: cap('Екі хабарлама бір уақытта', 'Два сообщения одновременно'), outputs: [{ kind: 'notice', text: { key: 'common.busy' } }], locale },
    ]),
  );
  void other;
  return shots;
}

/** A message the bot sends by itself (a reminder, a notice), in the chat's language. */
function bot(locale: Locale, message: Message): Exchange {
  return { action: null, outputs: [message], locale };
}
