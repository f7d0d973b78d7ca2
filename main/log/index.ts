export { createLogger, type Logger, type LoggerOptions, type LogLevel, type LogSetup } from './logger';
export { LogRing, levelAtLeast } from './log-ring';
export { REDACTED, Secret } from './redaction';
