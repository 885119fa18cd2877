export * from './errors';
export * from './user';
export * from './auth';
export * from './me';
export * from './sessions';
export * from './config';
export * from './endpoints';
export * from './openapi';
