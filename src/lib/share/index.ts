export * from './codec';
export * from './url';
