/** An update whose handling failed this often is given up: a poison update must not crash the bot forever. */
export const MAX_ATTEMPTS = 3;
