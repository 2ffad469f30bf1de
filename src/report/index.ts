/** Reports: post-incident reviews, notification drafts and deadline clocks, exports to SOC tools. */
export {
  REGULATIONS,
  CLOCK_RULES,
  deadlineClocks,
  knownRegulations,
  type Regulation,
  type DeadlineClock,
  type ClockRule,
} from './clocks.js';
export { buildReview, duration, type Review, type ReviewInput } from './review.js';
export { fairnessFromAlerts, type ReviewFairness } from './fairness.js';
export { notificationDrafts, type NotificationDraft } from './drafts.js';
export { renderMarkdown } from './render-markdown.js';
export { renderHtml } from './render-html.js';
export { ReportErrorCodes, type ReportErrorCode, reportError } from './errors.js';
export { toStixBundle, stixId } from './stix.js';
export { toOcsfFindings, OCSF_VERSION } from './ocsf.js';
export { alertToCef, incidentToCef, cefHeaderField, cefExtensionValue } from './cef.js';
export {
  formatSyslog,
  sendSyslog,
  parseSyslogUrl,
  SYSLOG_FACILITIES,
  type SyslogFacility,
  type SyslogTarget,
} from './syslog.js';
export {
  alertToTheHive,
  incidentToTheHiveCase,
  postTheHive,
  type TheHiveAlert,
  type TheHiveCase,
  type TheHiveTarget,
} from './thehive.js';
export { createAlertSinks, type AlertSink, type AlertSinks, type SinkStats } from './sinks.js';
