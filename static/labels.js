// labels.js — Chinese names for the codes the API uses. The names of the codes the server owns (roles, org
// levels, statuses, types, actions, document kinds and requirements, campaign and ledger kinds, every audit
// action) live in Go next to the codes and come from GET /api/v1/vocabulary: app.js awaits loadVocabulary()
// once before the first page, which fills the exported objects below in place. What is listed here by hand
// are names of the UI's own (form vocabularies, policy parameter labels).

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
/** every audit action code the server can write → its name (SPEC §7). */
export const AUDIT_ACTIONS = {};

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

/** Entity types of the audit trail, for its filter. */
export const ENTITY_TYPES = {
  session: '登录会话', user: '用户', org: '组织', policy: '政策参数', household: '困难职工档案', application: '救助申请',
  fund_transfer: '经费转账', fund_account: '经费账户', referral: '转介', campaign: '帮扶活动', campaign_purchase: '采购',
  campaign_delivery: '配送', campaign_enrolment: '体检报名', holiday: '节假日', import: '导入', export: '导出',
  audit_checkpoint: '审计检查点', report: '报表', demo: '演示数据',
};

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

/**
 * SPEC §2 policy parameters, in display order. kind: money (fen in JSON, yuan on screen), ratio (a decimal number),
 * int (a whole number with unit); hint explains the rule. A key the server sends that is not listed here is still shown, under its key.
 */
export const POLICY_PARAMS = [
  { key: 'dibao_monthly_fen', label: '低保标准（每人每月）', kind: 'money', group: '认定标准' },
  { key: 'relative_multiplier', label: '相对困难倍数', kind: 'ratio', unit: '倍', group: '认定标准', hint: '家庭人均月收入低于低保标准的此倍数，认定为相对困难。' },
  { key: 'accident_expense_ratio', label: '意外致困支出比例', kind: 'ratio', unit: '倍', group: '认定标准', hint: '当年自付医疗、意外支出超过家庭收入的此倍数，认定为意外致困。' },
  { key: 'living_cap_year_fen', label: '生活救助年度上限（每户）', kind: 'money', group: '救助标准' },
  { key: 'medical_cap_year_fen', label: '大病/医疗救助年度上限（每户）', kind: 'money', group: '救助标准' },
  { key: 'education_higher_filed_fen', label: '金秋助学·高等教育（建档户）', kind: 'money', group: '救助标准' },
  { key: 'education_higher_unfiled_fen', label: '金秋助学·高等教育（非建档户）', kind: 'money', group: '救助标准' },
  { key: 'education_senior_filed_fen', label: '金秋助学·高中（建档户）', kind: 'money', group: '救助标准' },
  { key: 'education_senior_unfiled_fen', label: '金秋助学·高中（非建档户）', kind: 'money', group: '救助标准' },
  { key: 'warmth_amount_fen', label: '送温暖金额（每户每年）', kind: 'money', group: '救助标准' },
  { key: 'household_cap_year_fen', label: '每户年度现金救助总额上限', kind: 'money', group: '救助标准' },
  { key: 'second_approval_above_fen', label: '两级审批起点金额', kind: 'money', group: '审批规则', hint: '申请金额超过此数，须两名审批人先后批准。' },
  { key: 'publicity_days', label: '公示期', kind: 'int', unit: '个工作日', group: '审批规则' },
  { key: 'green_max_amount_fen', label: '绿色通道单笔上限', kind: 'money', group: '绿色通道' },
  { key: 'green_sla_hours', label: '绿色通道审批时限', kind: 'int', unit: '小时', group: '绿色通道' },
  { key: 'green_docs_days', label: '绿色通道补交材料期限', kind: 'int', unit: '天', group: '绿色通道' },
  { key: 'green_monthly_quota', label: '绿色通道每月审批名额', kind: 'int', unit: '件', group: '绿色通道', hint: '每个组织辖区每月可批准的绿色通道申请数。' },
];

// ───── 困难职工档案 (SPEC §3) ─────
export const INDUSTRIES = {
  catering: '餐饮', accommodation: '住宿', retail: '零售', manufacturing: '制造业', construction: '建筑业', logistics: '物流', other: '其他',
};
export const CAUSES = {
  illness: '因病', disability: '因残', unemployment: '失业', laid_off: '下岗', schooling: '因学', disaster: '因灾',
  accident: '意外', pandemic: '疫情影响', zero_employment: '零就业家庭', other: '其他',
};
export const RELATIONS = { spouse: '配偶', child: '子女', parent: '父母', sibling: '兄弟姐妹', grandchild: '孙辈', grandparent: '祖父母', other: '其他' };
export const SCHOOL_STAGES = { none: '无', primary: '小学', junior_high: '初中', senior_high: '高中', vocational: '中职', higher_ed: '高等教育' };
export const EMPLOYMENT = { employed: '在岗', flexible: '灵活就业', unemployed: '失业', laid_off: '下岗', retired: '退休', student: '在校', preschool: '学龄前', none: '无' };
export const HEALTH = { healthy: '健康', chronic: '慢性病', serious: '重病' };
export const DISABILITY = { none: '无', mild: '轻度残疾', severe: '重度残疾' };
export const EXIT_REASONS = { recovered: '已脱困', retired: '已退休', moved: '迁出本区', deceased: '已故', other: '其他' };

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

// ───── 救助申请 (SPEC §4) ─────
/** SPEC §4.3: why a case may take the green channel. */
export const GREEN_REASONS = {
  pandemic: '受疫情影响行业（餐饮、住宿、零售）', accident: '突发意外或灾害', critical_illness: '重大疾病',
};
export const RECEIPT_KINDS = { signature: '签字领取记录', bank_receipt: '银行回单' };
export const REVIEW_OUTCOMES = { confirmed: '确认无误', flagged: '存疑标记' };
