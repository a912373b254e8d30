/** The configuration from the environment. bots/ imports src/config/ only through this file. */
export { ConfigError, loadConfig, type Config } from './env.ts';
