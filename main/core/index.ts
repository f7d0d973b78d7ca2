export { ConfigError, type FileConfig, fileConfigSchema, loadConfigFile } from './config-file';
export { type Core, type CoreOptions, createCore, type ListenerFlags } from './create-core';
export { prepareDataDir, resolveDataDir } from './data-dir';
export { readAppVersion } from './version';
