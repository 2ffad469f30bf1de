export const RespondErrorCodes = {
  ACTION_TARGET_UNKNOWN: 'ACTION_TARGET_UNKNOWN',
} as const;
