// labels.js — Chinese names for the codes the API uses. Pages add their own vocabularies here
// (household statuses, application types, …) so that every page shows a code the same way.

/** SPEC §1.2 roles, in the order they are shown. */
export const ROLES = [
  { value: 'caseworker', label: '经办人' },
  { value: 'supervisor', label: '审批人' },
  { value: 'finance', label: '财务' },
  { value: 'auditor', label: '经审' },
  { value: 'admin', label: '管理员' },
];

/** roles that combine with no other role (SPEC §1.2). */
export const EXCLUSIVE_ROLES = ['auditor', 'admin'];

/** SPEC §1.1 org levels. */
export const ORG_LEVELS = {
  1: '区总工会',
  2: '街道/乡镇工会',
  3: '社区工会',
  4: '基层工会',
};

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

/** Entity types and verbs that audit actions are made of ("user.create" → 用户·新建). Areas add theirs. */
export const ENTITY_TYPES = {
  session: '登录会话', user: '用户', org: '组织', policy: '政策参数', household: '困难职工档案', member: '家庭成员',
  document: '材料', visit: '入户走访', referral: '转介', application: '救助申请', fund: '经费', account: '账户',
  transfer: '转账', allocation: '下拨', campaign: '帮扶活动', goods: '物资', purchase: '采购', delivery: '发放',
  enrolment: '体检报名', holiday: '节假日', import: '导入', export: '导出', audit: '审计', checkpoint: '审计检查点', report: '报表',
};

export const ACTION_VERBS = {
  create: '新建', update: '修改', delete: '删除', login: '登录', logout: '退出', login_failed: '登录失败',
  locked: '锁定', lock: '锁定', unlock: '解锁', password: '修改密码', password_change: '修改密码', login_refused: '登录被拒绝', password_reset: '重置密码',
  rename: '重命名', disable: '停用', enable: '启用', submit: '提交', approve: '批准', return: '退回', reject: '驳回',
  exit: '撤档', reopen: '返困重开', visit: '入户走访', publicize: '公示', file: '建档', review: '复核',
  disburse: '发放', void: '作废', confirm_receipt: '确认领取', post: '记账', reverse: '冲正', read: '查看',
  read_full: '查看完整信息', export: '导出', object: '登记异议', resolve_objection: '处理异议', document_upload: '上传材料',
  document_delete: '删除材料', document_read: '查看材料', duplicate_override: '授权重复建档', helped: '已帮扶', declined: '未帮扶', import: '导入', verify: '校验', checkpoint: '签署检查点',
};

/** Whole actions whose name reads better than entity·verb. */
export const ACTIONS = {
  'session.login': '登录', 'session.logout': '退出登录', 'session.login_failed': '登录失败',
  'session.login_refused': '登录被拒绝', 'user.locked': '账户锁定',
};

/** actionLabel: "user.create" → "用户·新建" when every part is known, else the code itself. */
export function actionLabel(action) {
  if (!action) return '';
  if (ACTIONS[action]) return ACTIONS[action];
  const parts = String(action).split('.');
  const out = parts.map((p, i) => (i === parts.length - 1 ? ACTION_VERBS[p] : ENTITY_TYPES[p] || ACTION_VERBS[p]));
  return out.every(Boolean) ? out.join('·') : String(action);
}

/** SPEC §6 ledger: account kinds, what budget lines are for, purposes (专款专用), transfer kinds and states. */
export const FUND_KINDS = [
  { value: 'fund', label: '经费来源' },
  { value: 'budget', label: '预算科目' },
  { value: 'allocation', label: '下拨额度' },
  { value: 'stock', label: '库存' },
  { value: 'payee', label: '收款人' },
  { value: 'expense', label: '支出' },
  { value: 'external', label: '外部来款' },
];

export const AID_TYPES = [
  { value: 'living', label: '生活救助' },
  { value: 'medical', label: '医疗救助' },
  { value: 'education', label: '金秋助学' },
  { value: 'warmth', label: '送温暖' },
  { value: 'condolence', label: '慰问' },
  { value: 'cooling', label: '送清凉' },
  { value: 'health_check', label: '职工体检' },
];

export const FUND_PURPOSES = [
  { value: 'general', label: '日常帮扶' },
  { value: 'epidemic', label: '疫情防控' },
  { value: 'education', label: '助学' },
  { value: 'medical', label: '医疗救助' },
  { value: 'disaster', label: '灾害救助' },
];

export const TRANSFER_KINDS = [
  { value: 'receive', label: '来款入账' },
  { value: 'budget', label: '安排预算' },
  { value: 'allocate', label: '下拨' },
  { value: 'reserve', label: '预留支付' },
  { value: 'transfer', label: '转账' },
  { value: 'reverse', label: '冲销' },
];

export const TRANSFER_STATES = [
  { value: 'pending', label: '待入账' },
  { value: 'posted', label: '已入账' },
  { value: 'voided', label: '已作废' },
];

export const PAYMENT_METHODS = [
  { value: 'bank', label: '银行转账（实名卡）' },
  { value: 'cash', label: '现金（签字领取）' },
];
// ───── 困难职工档案 (SPEC §3) ─────
export const HOUSEHOLD_STATUS = {
  draft: '草稿', submitted: '已提交', visited: '已走访', publicizing: '公示中', filed: '已建档',
  review_due: '待年审', exited: '已撤档', rejected: '已驳回',
};
export const CATEGORIES = { deep: '深度困难', relative: '相对困难', accident: '意外致困', ineligible: '不符合条件' };
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
export const DOCUMENT_KINDS = {
  id_scan: '身份证复印件', statement: '本人签字承诺书', household_register: '户口簿', income_proof: '收入证明', dibao_certificate: '低保证', diagnosis: '诊断证明',
  receipt: '医疗费用票据', admission_letter: '录取通知书', consent: '核对授权书', visit_record: '入户走访记录', publicity_record: '公示记录', other: '其他材料',
};
export const HOUSEHOLD_ACTIONS = {
  submit: '提交', return: '退回修改', reject: '驳回', visit: '登记入户走访', publicize: '开始公示', object: '登记异议',
  'resolve-objection': '处理异议', file: '审核建档', review: '年度复核', exit: '撤档', reopen: '返困重开',
};

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
/** the aid types an application may have (SPEC §4.1), in the order the form offers them. */
export const APPLICATION_TYPES = {
  living: '生活救助', medical: '医疗救助', education: '金秋助学', warmth: '送温暖', condolence: '慰问',
};
export const APPLICATION_STATUS = {
  draft: '草稿', returned: '已退回', submitted: '待审批', first_approved: '待复审', approved: '已批准待发放',
  disbursed: '已发放', received: '已签收', rejected: '已驳回', cancelled: '已作废', recovered: '已追回',
};
/** SPEC §4.3: why a case may take the green channel. */
export const GREEN_REASONS = {
  pandemic: '受疫情影响行业（餐饮、住宿、零售）', accident: '突发意外或灾害', critical_illness: '重大疾病',
};
export const APPLICATION_ACTIONS = {
  edit: '修改', submit: '提交', approve: '批准', return: '退回修改', reject: '驳回', disburse: '发放', void: '作废',
  'confirm-receipt': '确认签收', review: '事后复核',
};
export const RECEIPT_KINDS = { signature: '签字领取记录', bank_receipt: '银行回单' };
export const REVIEW_OUTCOMES = { confirmed: '确认无误', flagged: '存疑标记' };
ACTION_VERBS['confirm-receipt'] = '确认签收';
ACTION_VERBS.first_approve = '初审批准';
ACTIONS['application.review'] = '救助申请·事后复核';
ACTIONS['application.void'] = '救助申请·作废';
