// labels.js — Chinese names for the codes the API uses. Every name lives in Go next to its code, in the area
// that owns it (roles, org levels, statuses, types, actions, document kinds and requirements, the coded fields
// of households and applications, campaign and ledger kinds, audit actions and entity types, the policy
// parameters), and comes from GET /api/v1/vocabulary: app.js awaits loadVocabulary() once before the first
// page, which fills the exported objects below in place. Nothing here names a code by hand.

/** Filled from the server by loadVocabulary(): {value: label} maps, and [{value,label}] lists in display order. */
export const ROLES = [];
export const EXCLUSIVE_ROLES = [];
export const ORG_LEVELS = {};
export const HOUSEHOLD_STATUS = {};
export const CATEGORIES = {};
export const HOUSEHOLD_ACTIONS = {};
export const DOCUMENT_KINDS = {};
export const APPLICATION_TYPES = {};
export const APPLICATION_STATUS = {};
export const APPLICATION_ACTIONS = {};
/** SPEC §4.1: the documents each aid type needs in the file before submission; GREEN_DOCUMENTS a green case's. */
export const REQUIRED_DOCUMENTS = {};
export const GREEN_DOCUMENTS = [];
/** the school stages 金秋助学 covers (SPEC §4.1). */
export const EDUCATION_STAGES = [];
export const CAMPAIGN_KINDS = {};
export const CAMPAIGN_STATUS = {};
export const FUND_KINDS = [];
export const AID_TYPES = [];
export const FUND_PURPOSES = [];
export const TRANSFER_KINDS = [];
export const TRANSFER_STATES = [];
export const PAYMENT_METHODS = [];
/** every audit action code the server can write → its name (SPEC §7); the kinds of record events are about. */
export const AUDIT_ACTIONS = {};
export const ENTITY_TYPES = {};
/** SPEC §3.1: the coded fields of a household and its members. */
export const GENDERS = {};
export const INDUSTRIES = {};
export const CAUSES = {};
export const RELATIONS = {};
export const SCHOOL_STAGES = {};
export const EMPLOYMENT = {};
export const HEALTH = {};
export const DISABILITY = {};
export const EXIT_REASONS = {};
/** SPEC §4: why a case may take the green channel, what proves receipt, the retrospective review's outcomes. */
export const GREEN_REASONS = {};
export const RECEIPT_KINDS = {};
export const REVIEW_OUTCOMES = {};
export const REFERRAL_STATUS = {};
export const CAMPAIGN_ACTIONS = {};
export const DELIVERY_STATUS = {};
export const ENROLMENT_STATUS = {};
export const SITE_KINDS = {};
export const WARMTH_RESULTS = {};
/** what an import does with each household of the file (SPEC §8.3); the annual review's conclusions (SPEC §3.3). */
export const IMPORT_ACTIONS = {};
export const REVIEW_DECISIONS = [];
/**
 * SPEC §2 policy parameters, in display order: {key, label, kind, unit, group, hint}. kind: money (fen in JSON,
 * yuan on screen), ratio (a decimal number), int (a whole number with unit). A key the server sends that is
 * not listed is still shown, under its key.
 */
export const POLICY_PARAMS = [];

const asMap = (items) => Object.fromEntries(items.map((x) => [x.value, x.label]));
const fillMap = (target, items) => Object.assign(target, asMap(items || []));
const fillList = (target, items) => target.splice(0, target.length, ...(items || []));

/** loadVocabulary fills the exports above from GET /api/v1/vocabulary (once; later calls reuse the answer). */
let loaded = null;
export function loadVocabulary(api) {
  if (!loaded) {
    loaded = api('GET', '/vocabulary').then((v) => {
      fillList(ROLES, v.roles);
      fillList(EXCLUSIVE_ROLES, v.exclusive_roles);
      fillMap(ORG_LEVELS, v.org_levels);
      fillMap(HOUSEHOLD_STATUS, v.household_statuses);
      fillMap(CATEGORIES, v.household_categories);
      fillMap(HOUSEHOLD_ACTIONS, v.household_steps);
      fillMap(DOCUMENT_KINDS, v.document_kinds);
      fillMap(APPLICATION_TYPES, v.application_types);
      fillMap(APPLICATION_STATUS, v.application_statuses);
      fillMap(APPLICATION_ACTIONS, v.application_actions);
      Object.assign(REQUIRED_DOCUMENTS, v.required_documents || {});
      fillList(GREEN_DOCUMENTS, v.green_documents);
      fillList(EDUCATION_STAGES, v.education_stages);
      fillMap(CAMPAIGN_KINDS, v.campaign_kinds);
      fillMap(CAMPAIGN_STATUS, v.campaign_statuses);
      fillList(FUND_KINDS, v.account_kinds);
      fillList(AID_TYPES, v.aid_types);
      fillList(FUND_PURPOSES, v.fund_purposes);
      fillList(TRANSFER_KINDS, v.transfer_kinds);
      fillList(TRANSFER_STATES, v.transfer_states);
      fillList(PAYMENT_METHODS, v.payment_methods);
      fillMap(AUDIT_ACTIONS, v.audit_actions);
      fillMap(ENTITY_TYPES, v.audit_entity_types);
      fillMap(GENDERS, v.genders);
      fillMap(INDUSTRIES, v.industries);
      fillMap(CAUSES, v.causes);
      fillMap(RELATIONS, v.relations);
      fillMap(SCHOOL_STAGES, v.school_stages);
      fillMap(EMPLOYMENT, v.employment_statuses);
      fillMap(HEALTH, v.health_states);
      fillMap(DISABILITY, v.disabilities);
      fillMap(EXIT_REASONS, v.exit_reasons);
      fillMap(GREEN_REASONS, v.green_reasons);
      fillMap(RECEIPT_KINDS, v.receipt_kinds);
      fillMap(REVIEW_OUTCOMES, v.review_outcomes);
      fillMap(REFERRAL_STATUS, v.referral_statuses);
      fillMap(CAMPAIGN_ACTIONS, v.campaign_actions);
      fillMap(DELIVERY_STATUS, v.delivery_statuses);
      fillMap(ENROLMENT_STATUS, v.enrolment_statuses);
      fillMap(SITE_KINDS, v.site_kinds);
      fillMap(WARMTH_RESULTS, v.warmth_results);
      fillMap(IMPORT_ACTIONS, v.import_actions);
      fillList(REVIEW_DECISIONS, v.review_decisions);
      fillList(POLICY_PARAMS, v.policy_params);
    }).catch((err) => { loaded = null; throw err; });
  }
  return loaded;
}

/** label returns the Chinese label of value in a [{value,label}] list or a {value: label} map, or the value itself. */
export function label(vocab, value) {
  if (value === null || value === undefined || value === '') return '';
  if (Array.isArray(vocab)) {
    const hit = vocab.find((x) => String(x.value) === String(value));
    return hit ? hit.label : String(value);
  }
  return vocab[value] ?? String(value);
}

/** roleList: roles as an array, whether the server sent an array or a comma-separated string. */
export function roleList(v) {
  if (Array.isArray(v)) return v;
  if (!v) return [];
  return String(v).split(/[,\s]+/).filter(Boolean);
}

/** actionLabel: an audit action code's name, as the server names it ("fund.receive" → 经费·来款入账). */
export function actionLabel(action) {
  if (!action) return '';
  return AUDIT_ACTIONS[action] || String(action);
}

export function roleLabel(role) {
  return label(ROLES, role);
}

export function orgLevelLabel(level) {
  return label(ORG_LEVELS, level);
}

/** options: a {value: label} map → [{value,label}] for select(). */
export function options(map) {
  return Object.entries(map).map(([value, label]) => ({ value, label }));
}

/** maskName: 张三丰 → 张*丰 (for printed lists, SPEC §8.1). */
export function maskName(s) {
  const r = [...(s || '')];
  if (r.length <= 1) return s || '';
  if (r.length === 2) return r[0] + '*';
  return r[0] + '*'.repeat(r.length - 2) + r[r.length - 1];
}
