/** Tabletop exercise packs for the five scenarios, and the results entered afterwards. */
export {
  TABLETOP_SCENARIOS,
  TABLETOP_ROLES,
  TABLETOP_PACKS,
  ROLE_TITLES,
  type TabletopScenario,
  type TabletopRole,
  type TabletopPack,
} from './packs.js';
export { buildTabletop, tabletopScenarioNamed, type BuiltTabletop } from './build-pack.js';
export {
  renderTabletopMarkdown,
  renderTabletopHtml,
  TABLETOP_FORMATS,
  type TabletopFormat,
} from './render-pack.js';
export { parseTabletopResults, TabletopResultsSchema, type TabletopRecord } from './results.js';
