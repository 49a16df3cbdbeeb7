export * from './mask';
export * from './maskAP';
export * from './dice';
export * from './classification';
