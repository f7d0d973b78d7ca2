export { createAesKeyProtector, createFileKeyProtector, type KeyProtector } from './key-protector';
