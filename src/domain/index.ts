/** The domain rules the channels use. bots/ imports src/domain/ only through this file. */
export { maskPhone } from './mask.ts';
export { withinServiceWindow } from './service-window.ts';
