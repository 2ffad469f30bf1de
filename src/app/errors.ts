export const AppErrorCodes = {
  APP_SECRET_INVALID: 'APP_SECRET_INVALID',
} as const;
