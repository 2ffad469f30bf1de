/** Response: containment actions (and, later, incidents and playbooks). */
export {
  createActionService,
  type ActionService,
  type ActionServiceOptions,
  type ActionRecords,
  type PolicyPublisher,
} from './action-service.js';
export { RespondErrorCodes } from './errors.js';
