/**
 * What a parent types to stop the messages: the SMS convention "STOP" and its Russian and Kazakh
 * words, in any case, alone in the message (trailing punctuation allowed). "токтату" is how
 * "тоқтату" comes out of a keyboard without Kazakh letters. A word inside a sentence is not
 * taken: "стоп-лист" or "как остановить?" go on as ordinary text.
 */
const STOP_WORDS = new Set(['stop', 'стоп', 'тоқтату', 'токтату']);

export function isStopWord(text: string): boolean {
  const word = text
    .trim()
    .replace(/^[\p{P}\s]+|[\p{P}\s]+$/gu, '')
    .toLowerCase();
  return STOP_WORDS.has(word);
}
