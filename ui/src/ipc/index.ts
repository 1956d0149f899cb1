// The only door to the Rust shell: nothing outside this folder imports @tauri-apps/api.

export * from './commands';
export * from './events';
export type * from './types';
export type { AppError } from './app-error';
export { toAppError } from './app-error';
export { ERROR_CODES, type ErrorCode } from './error-codes';
