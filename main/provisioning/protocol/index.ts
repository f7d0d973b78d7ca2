export * from './codes';
export * from './message';
export * from './topics';
