// 救助申请 (SPEC §4): #/applications the list with search, filters and paging; #/applications/new (?household_id=)
// and #/applications/{id}/edit the form whose fields follow the aid type; #/applications/{id} the detail page
// (fields, status, green-channel deadlines, money, decisions with their snapshots, history) with exactly the actions
// the server lists; #/applications/{id}/decide the decision view (every rule check, the snapshot numbers, and the
// supervisor's approve / return / reject). The dialogs for the finance and review actions are exported for queues.js.

import { api, withQuery, loadOrgs, serverNow } from '/api.js';
import {
  h, clear, pageHeader, card, field, select, formActions, bindForm, listView, linkButton, button, badge, dl, alert,
  errorBox, formatFen, fenToYuan, formatDate, formatDateTime, moneyInput, affix, formDialog, confirmDialog, toast, validationError,
  errorMessage,
} from '/ui.js';
import {
  APPLICATION_TYPES, APPLICATION_STATUS, GREEN_REASONS, APPLICATION_ACTIONS, RECEIPT_KINDS, REVIEW_OUTCOMES,
  PAYMENT_METHODS, CATEGORIES, HOUSEHOLD_STATUS, SCHOOL_STAGES, DOCUMENT_KINDS, TRANSFER_STATES, options, label, actionLabel,
} from '/labels.js';
import { headFields, membersBlock, incomeFields, expenseFields, causeFields, exclusionFields, householdBody } from '/pages/households.js';

export async function render(root, params, ctx) {
  if (params.path === '/applications/new') return renderForm(root, null, params.query, ctx);
  if (!params.id) return renderList(root, params, ctx);
  if (params.rest[1] === 'edit') return renderForm(root, params.id, {}, ctx);
  if (params.rest[1] === 'decide') return renderDecide(root, params.id, ctx);
  return renderDetail(root, params.id, ctx);
}

// ───── shared pieces (queues.js uses them too) ─────

const STATUS_KIND = {
  draft: 'muted', returned: 'warn', submitted: 'info', first_approved: 'info', approved: 'ok', disbursed: 'ok',
  received: 'ok', rejected: 'danger', cancelled: 'muted', recovered: 'warn',
};

export function statusBadge(s) {
  return badge(label(APPLICATION_STATUS, s), STATUS_KIND[s] || 'info');
}

export function greenBadge(a) {
  return a.green ? badge('绿色通道', 'ok') : null;
}

const undecided = (a) => a.status === 'submitted' || a.status === 'first_approved';

/**
 * countdownText: the time left to a deadline, as a supervisor reads it — "剩余 23小时12分", "剩余 3天4小时",
 * "已超时 2小时". Minutes are dropped once days are shown.
 */
export function countdownText(deadline, now = serverNow()) {
  const ms = Date.parse(deadline) - now;
  if (Number.isNaN(ms)) return '';
  const mins = Math.floor(Math.abs(ms) / 60000);
  const d = Math.floor(mins / 1440);
  const hr = Math.floor((mins % 1440) / 60);
  const m = mins % 60;
  const span = d >= 2 ? `${d}天${hr ? `${hr}小时` : ''}` : `${d * 24 + hr}小时${ms >= 0 || m ? `${m}分` : ''}`;
  if (ms >= 0) return `剩余 ${span}`;
  return `已超时 ${d * 24 + hr === 0 ? `${m}分` : span.replace(/0分$/, '')}`;
}

let ticker = null;

function tick() {
  const els = document.querySelectorAll('.countdown[data-deadline]');
  if (!els.length) { clearInterval(ticker); ticker = null; return; }
  const now = serverNow();
  els.forEach((el) => {
    el.textContent = countdownText(el.dataset.deadline, now);
    const late = Date.parse(el.dataset.deadline) < now;
    el.classList.toggle('countdown-late', late);
    el.classList.toggle('countdown-soon', !late && Date.parse(el.dataset.deadline) - now < 4 * 3600 * 1000);
  });
}

/** countdown: a live "剩余 …" / "已超时 …" to deadline; every one on the page is redrawn each 15 seconds. */
export function countdown(deadline) {
  if (!deadline) return h('span', { class: 'muted' }, '—');
  const el = h('span', { class: 'countdown', dataset: { deadline }, title: `审批时限：${formatDateTime(deadline)}` },
    countdownText(deadline));
  queueMicrotask(tick);
  if (!ticker) ticker = setInterval(tick, 15000);
  return el;
}

/** deadlineCell: the countdown of an undecided application, or nothing once it is decided. */
export function deadlineCell(a) {
  return undecided(a) && a.decide_by ? countdown(a.decide_by) : h('span', { class: 'muted' }, '—');
}

/** flags: the warnings an application carries (overdue, documents overdue or missing, review due). */
export function flags(a) {
  return [
    a.overdue ? badge('审批超时', 'danger') : null,
    a.docs_overdue ? badge('补交材料逾期', 'danger') : (a.green && a.missing_docs && a.missing_docs.length && !undecided(a) && a.status !== 'draft' ? badge('待补交材料', 'warn') : null),
    a.review_due ? badge('待事后复核', 'warn') : null,
  ].filter(Boolean);
}

function applicant(a) {
  return [a.applicant_name, a.household_id ? null : h('span', { class: 'muted' }, '（未建档）')];
}

/** columns shared by the list and the queues. */
export const COLUMNS = {
  appNo: { key: 'app_no', title: '申请编号', nowrap: true, render: (a) => h('a', { href: `#/applications/${a.id}` }, a.app_no) },
  type: { key: 'type', title: '类型', nowrap: true, render: (a) => a.type_name || label(APPLICATION_TYPES, a.type) },
  applicant: { key: 'applicant_name', title: '申请人', nowrap: true, render: applicant },
  org: { key: 'org_name', title: '基层工会' },
  amount: { key: 'amount_fen', title: '金额' },
  green: { key: 'green', title: '通道', nowrap: true, render: (a) => (a.green ? greenBadge(a) : h('span', { class: 'muted' }, '普通')) },
  status: { key: 'status', title: '状态', nowrap: true, render: (a) => [statusBadge(a.status), ...flags(a)] },
  submitted: { key: 'submitted_at', title: '提交时间', nowrap: true, render: (a) => formatDateTime(a.submitted_at) || '—' },
  deadline: { key: 'decide_by', title: '审批时限', nowrap: true, render: deadlineCell },
};

function summary(a) {
  return h('p', { class: 'field-wide muted' }, `${a.app_no} · ${a.type_name || label(APPLICATION_TYPES, a.type)} · ${a.applicant_name} · ${formatFen(a.amount_fen)}`);
}

/** disburseDialog: finance pays an approved application (SPEC §4.2: the reserved transfer is posted). */
export function disburseDialog(a) {
  return formDialog({
    title: '发放救助金',
    formId: 'disburse-form',
    submitText: '确认发放',
    body: h('div', { class: 'form-grid' }, summary(a),
      field('凭证号', h('input', { name: 'voucher_no', maxlength: 64, autocomplete: 'off' }), { required: true }),
      field('支付方式', select('payment_method', [{ value: '', label: '请选择' }, ...PAYMENT_METHODS], ''), { required: true,
        hint: '银行转账须档案登记了本人实名银行卡。' })),
    onSubmit: (data) => api('POST', `/applications/${a.id}/disburse`, { voucher_no: data.voucher_no, payment_method: data.payment_method }),
  });
}

/** voidDialog: finance cancels an approved, unpaid application; the reservation is released. */
export function voidDialog(a) {
  return formDialog({
    title: '作废申请',
    formId: 'void-form',
    submitText: '作废',
    danger: true,
    body: h('div', { class: 'form-grid' }, summary(a),
      alert('作废后预留的救助金释放回预算科目，申请不能再发放。', 'warn'),
      field('作废原因', h('textarea', { name: 'reason', rows: 3, maxlength: 500 }), { required: true, wide: true })),
    onSubmit: (data) => api('POST', `/applications/${a.id}/void`, { reason: data.reason }),
  });
}

/** receiptDialog: the caseworker or finance records how the money was received. */
export function receiptDialog(a) {
  return formDialog({
    title: '确认签收',
    formId: 'receipt-form',
    submitText: '确认签收',
    body: h('div', { class: 'form-grid' }, summary(a),
      field('签收凭据', select('receipt_kind', options(RECEIPT_KINDS), a.payment_method === 'bank' ? 'bank_receipt' : 'signature'), { required: true }),
      field('凭据编号', h('input', { name: 'receipt_ref', maxlength: 100, placeholder: '签字表编号或银行回单号' }), { required: true })),
    onSubmit: (data) => api('POST', `/applications/${a.id}/confirm-receipt`, data),
  });
}

/** reviewDialog: SPEC §4.3 retrospective review (事后复核) of a green-channel case by another supervisor. */
export function reviewDialog(a) {
  return formDialog({
    title: '绿色通道事后复核',
    formId: 'review-form',
    submitText: '提交复核',
    body: h('div', { class: 'form-grid' }, summary(a),
      a.missing_docs && a.missing_docs.length
        ? alert(`尚缺材料：${a.missing_docs.map((k) => label(DOCUMENT_KINDS, k)).join('、')}${a.docs_due ? `（应于 ${formatDate(a.docs_due)} 前补交）` : ''}`, a.docs_overdue ? 'error' : 'warn')
        : null,
      field('复核结论', h('div', { class: 'choices', role: 'radiogroup' }, Object.entries(REVIEW_OUTCOMES).map(([v, t]) => h('label', { class: 'choice' },
        h('input', { type: 'radio', name: 'outcome', value: v, checked: v === 'confirmed' }), h('span', null, t)))), { required: true, wide: true }),
      field('复核意见', h('textarea', { name: 'note', rows: 3, maxlength: 500 }), { wide: true, hint: '存疑标记须写明理由；存疑案件进入异常报告，可冲销追回。' })),
    onSubmit: (data) => {
      if (data.outcome === 'flagged' && !data.note) throw validationError({ note: '存疑标记须写明理由' });
      return api('POST', `/applications/${a.id}/review`, { outcome: data.outcome, note: data.note });
    },
  });
}

/** actionDialogs: the actions done in a dialog, by name; each resolves with the new application or null. */
export const actionDialogs = { disburse: disburseDialog, void: voidDialog, 'confirm-receipt': receiptDialog, review: reviewDialog };

// ───── list ─────

function renderList(root, params, ctx) {
  const year = new Date().getFullYear();
  root.append(pageHeader('救助申请',
    ctx.hasRole('caseworker') ? linkButton('申请救助', '#/applications/new', { kind: 'primary', id: 'application-new' }) : null));
  // From a household's page: only its applications (the filter is not one of the list's own, so it is kept here).
  const householdID = params.query.household_id;
  if (householdID) {
    root.append(alert(h('span', null, '仅显示该档案的救助申请。', h('a', { href: `#/households/${householdID}` }, '返回档案'), '　',
      h('a', { href: '#/applications' }, '显示全部')), 'info'));
  }
  const box = card(null);
  root.append(box);
  listView(box, {
    id: 'application-list',
    syncUrl: !householdID,
    query: params.query,
    search: '申请人姓名、申请编号或完整身份证号',
    filters: [
      { name: 'status', label: '状态', type: 'select', options: options(APPLICATION_STATUS) },
      { name: 'type', label: '类型', type: 'select', options: options(APPLICATION_TYPES) },
      { name: 'green', label: '通道', type: 'select', all: '全部通道', options: [{ value: '1', label: '绿色通道' }, { value: '0', label: '普通' }] },
      { name: 'year', label: '年度', type: 'select', options: [year, year - 1, year - 2].map((y) => ({ value: y, label: `${y}年` })) },
    ],
    load: (q) => api('GET', withQuery('/applications', { ...q, household_id: householdID })),
    exportPath: withQuery('/applications/export', { household_id: householdID }),
    unmasked: ctx.hasRole('finance', 'auditor'),
    rowLink: (a) => `#/applications/${a.id}`,
    empty: '没有符合条件的申请',
    columns: [COLUMNS.appNo, COLUMNS.type, COLUMNS.applicant, COLUMNS.org, COLUMNS.amount, COLUMNS.green, COLUMNS.status,
      { key: 'created_at', title: '创建', nowrap: true, render: (a) => `${formatDate(a.created_at)} ${a.created_by_name}` }],
  });
}

// ───── the form ─────

/** SPEC §4.1 documents each type needs in the household's file before submission (relief.RequiredDocs). */
const REQUIRED_DOCS = {
  living: ['id_scan', 'income_proof'], medical: ['id_scan', 'diagnosis', 'receipt'], education: ['id_scan', 'admission_letter'],
  warmth: [], condolence: ['id_scan'],
};
const GREEN_DOCS = ['id_scan', 'statement'];
const FILED = ['filed', 'review_due'];
const STUDYING = ['senior_high', 'vocational', 'higher_ed'];

/** educationAmount mirrors the policy table the server applies (SPEC §2, §4.1), to show the amount before saving. */
function educationAmount(params, stage, filed) {
  if (!params) return 0;
  if (stage === 'higher_ed') return filed ? params.education_higher_filed_fen : params.education_higher_unfiled_fen;
  if (stage === 'senior_high' || stage === 'vocational') return filed ? params.education_senior_filed_fen : params.education_senior_unfiled_fen;
  return 0;
}

/** toggle shows or hides a block; hidden blocks' controls are disabled, so the form neither reads nor requires them. */
function toggle(el, on) {
  el.hidden = !on;
  el.querySelectorAll('input,select,textarea').forEach((c) => {
    if (c.dataset.keepDisabled) return;
    c.disabled = !on;
  });
}

/** the household fields the server may name without the "household." prefix (its checks after the struct tags). */
function householdFieldPaths(fields, box) {
  const out = {};
  for (const [k, v] of Object.entries(fields || {})) {
    const nested = !k.startsWith('household.') && (/^members\[\d+\]/.test(k) || box.querySelector(`[name="${CSS.escape('household.' + k)}"]`));
    out[nested ? `household.${k}` : k] = v;
  }
  return out;
}

const UPLOAD_ACCEPT = 'image/jpeg,image/png,application/pdf';

async function renderForm(root, id, query, ctx) {
  let a = { type: query.type || 'living', household_id: Number(query.household_id) || 0, green: false, purpose: '' };
  if (id) {
    try { a = await api('GET', `/applications/${encodeURIComponent(id)}`); } catch (err) { root.append(errorBox(err)); return; }
    if (!a.actions.includes('edit')) {
      root.append(pageHeader(`申请 ${a.app_no}`), alert(`申请当前状态为「${label(APPLICATION_STATUS, a.status)}」，不能修改。`, 'warn'),
        h('p', null, h('a', { href: `#/applications/${a.id}` }, '返回申请详情')));
      return;
    }
  }
  let savedId = id ? Number(id) : 0;
  let opened = !!a.opened_household; // this application opened its household's file (SPEC §4.3)
  const title = id ? `修改申请 ${a.app_no}` : '申请救助';
  ctx.setTitle(title);
  const back = linkButton('返回', id ? `#/applications/${id}` : (a.household_id ? `#/households/${a.household_id}` : '#/applications'));
  root.append(pageHeader(title, back));
  if (a.status === 'returned' && a.last_reason) root.append(alert(`退回理由：${a.last_reason}`, 'warn'));

  const grassroots = (await loadOrgs().catch(() => [])).filter((o) => o.level === 4);
  let hh = null;        // the chosen household (GET /households/:id)
  let hhDocs = {};      // document kinds in its file
  let policy = null;    // the current policy params for the household's (or chosen org's) union
  const uploading = {}; // document kind → true while its file is being sent

  // 救助对象: a household from the file, or (送温暖 only) a holiday-duty worker without one.
  const hhInput = h('input', { type: 'hidden', name: 'household_id', 'data-type': 'int', value: a.household_id || '' });
  const hhSummary = h('div', { id: 'app-household' });
  const hhSearch = h('input', { type: 'search', id: 'app-household-q', placeholder: '姓名、档案编号、身份证号', 'aria-label': '查找档案' });
  const hhResults = select('', [{ value: '', label: '（先查找）' }], '', { id: 'app-household-pick', 'aria-label': '选择档案' });
  hhResults.removeAttribute('name');
  hhSearch.removeAttribute('name');
  const finder = h('div', { class: 'list-filters', id: 'app-household-finder' }, hhSearch,
    button('查找', () => findHouseholds(), { id: 'app-household-find' }), hhResults);
  hhSearch.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') { ev.preventDefault(); findHouseholds(); } });
  hhResults.addEventListener('change', () => { if (hhResults.value) chooseHousehold(Number(hhResults.value)); });
  async function findHouseholds() {
    const q = hhSearch.value.trim();
    if (!q) return;
    try {
      const r = await api('GET', withQuery('/households', { q, per_page: 20 }));
      hhResults.replaceChildren(h('option', { value: '' }, r.items.length ? `找到 ${r.total} 户，请选择` : '没有找到档案'),
        ...r.items.map((x) => h('option', { value: x.id }, `${x.file_no} ${x.name} ${x.id_number}（${label(HOUSEHOLD_STATUS, x.status)}）`)));
    } catch (err) { toast(err.message, 'error'); }
  }
  const openedNote = h('div', { id: 'app-new-file', hidden: true });
  const householdBlock = h('div', { class: 'field field-wide' },
    h('span', { class: 'field-label' }, '困难职工档案', h('span', { class: 'req' }, '*')), hhInput, openedNote, hhSummary, finder);

  const workerToggle = h('input', { type: 'checkbox', id: 'app-worker', checked: !a.household_id && a.type === 'warmth' && !!a.id });
  const workerChoice = h('label', { class: 'choice', id: 'app-worker-choice' }, workerToggle, h('span', null, '未建档的节日坚守岗位职工'));
  const workerBlock = h('div', { class: 'form-grid', id: 'app-worker-fields' },
    field('职工姓名', h('input', { name: 'applicant_name', value: a.household_id ? '' : a.applicant_name || '', maxlength: 40 }), { required: true }),
    field('身份证号', h('input', { name: 'applicant_id_number', maxlength: 18, autocomplete: 'off', placeholder: a.id && !a.household_id ? `原：${a.applicant_id_number}` : '' }), { required: true }),
    field('手机号', h('input', { name: 'applicant_phone', maxlength: 11, autocomplete: 'off', inputmode: 'numeric' })),
    field('基层工会', select('org_id', [{ value: '', label: '请选择' }, ...grassroots.map((o) => ({ value: o.id, label: o.name }))], a.household_id ? '' : a.org_id || '', { 'data-type': 'number' }), { required: true }),
    field('坚守岗位情况', h('textarea', { name: 'duty_note', rows: 2, maxlength: 200, placeholder: '如：春节期间在岗值守的环卫工人' }, a.duty_note || ''), { required: true, wide: true }));

  // 绿色通道 without a file: the file is opened alongside (SPEC §4.3), from the household form's own pieces.
  const P = 'household.';
  const subjectExisting = h('input', { type: 'radio', name: 'subject', value: 'existing', id: 'app-subject-existing', checked: true });
  const subjectNew = h('input', { type: 'radio', name: 'subject', value: 'new', id: 'app-subject-new' });
  const subjectChoice = h('div', { class: 'choices', role: 'radiogroup', id: 'app-subject' },
    h('label', { class: 'choice' }, subjectExisting, h('span', null, '选择已有档案')),
    h('label', { class: 'choice' }, subjectNew, h('span', null, '申请人尚未建档，同时新建档案')));
  const blank = { members: [], secondary_causes: [], migrant: false };
  const newFileBlock = h('div', { id: 'app-new-household', class: 'subform' },
    alert('保存时同时建立困难职工档案并提交建档审核；建档审核照常进行（入户走访、公示），不影响本申请的审批。档案只需填写户主信息，家庭成员、收支可先按申请人所述填写。', 'info'),
    h('h3', { class: 'subform-title' }, '户主信息'),
    h('div', { class: 'form-grid' }, headFields(blank, grassroots, P)),
    h('h3', { class: 'subform-title' }, '致困原因'),
    h('div', { class: 'form-grid' }, causeFields(blank, P)),
    h('details', { class: 'subform-more', id: 'app-new-household-more' },
      h('summary', null, '家庭成员、近12个月收支、排除情形'),
      h('h3', { class: 'subform-title' }, '家庭成员'),
      membersBlock(blank, P, 'app-member-add'),
      h('h3', { class: 'subform-title' }, '近12个月家庭收入（元）'),
      h('div', { class: 'form-grid form-grid-narrow' }, incomeFields(blank, P)),
      h('h3', { class: 'subform-title' }, '近12个月刚性支出（元）'),
      h('div', { class: 'form-grid form-grid-narrow' }, expenseFields(blank, P)),
      h('h3', { class: 'subform-title' }, '排除情形（有任一项则不符合建档条件）'),
      h('div', { class: 'choices' }, exclusionFields(blank, P))));

  // 救助内容
  const typeSel = select('type', options(APPLICATION_TYPES), a.type, { id: 'app-type' });
  const amountInput = moneyInput('amount_fen', a.amount_fen || null, { id: 'app-amount' });
  const amountField = field('申请金额', affix(amountInput, '元'), { required: true });
  const amountHint = h('div', { class: 'field-hint', id: 'app-amount-hint' });
  amountField.append(amountHint);
  const oopField = field('自付医疗费用', affix(moneyInput('out_of_pocket_fen', a.out_of_pocket_fen || null, { id: 'app-oop' }), '元'),
    { required: true, hint: '按医疗费用票据载明的自付金额填写；救助金额不得超过此数。' });
  const studentSel = select('student_member_id', [{ value: '', label: '请选择' }], '', { 'data-type': 'number', id: 'app-student' });
  const studentField = field('在读学生', studentSel, { required: true });
  const eduAmount = h('div', { class: 'field', id: 'app-edu-amount' }, h('span', { class: 'field-label' }, '助学金额'), h('strong', { id: 'app-edu-amount-value' }, '—'),
    h('div', { class: 'field-hint' }, '按政策参数中的助学标准（学段、是否建档）确定，不能修改。'));
  const purpose = h('textarea', { name: 'purpose', rows: 3, maxlength: 500, placeholder: '简述致困情况和申请事由' }, a.purpose || '');

  // 绿色通道
  const greenBox = h('input', { type: 'checkbox', name: 'green', 'data-type': 'bool', id: 'app-green', checked: !!a.green });
  const greenBlock = h('div', { class: 'form-grid', id: 'app-green-fields' },
    field('绿色通道事由', select('green_reason', [{ value: '', label: '请选择' }, ...options(GREEN_REASONS)], a.green_reason || '', { id: 'app-green-reason' }), { required: true }),
    field('情况说明', h('textarea', { name: 'green_note', rows: 2, maxlength: 500, id: 'app-green-note' }, a.green_note || ''), { wide: true }));
  const greenHint = h('div', { class: 'field-hint', id: 'app-green-hint' });

  // 材料: what the household's file has of what this case needs, with an upload for each one missing; the
  // server's "documents" refusal appears here.
  const docsList = h('ul', { class: 'doc-checklist', id: 'app-docs' });
  const docsField = h('div', { class: 'field field-wide' }, h('span', { class: 'field-label' }, '所需材料（上传到档案）'),
    h('input', { type: 'hidden', name: 'documents', disabled: true, 'data-keep-disabled': '1' }), docsList);

  const saveBtn = h('button', { type: 'submit', class: 'btn', id: 'application-save', dataset: { intent: 'save' } }, '保存草稿');
  const submitBtn = h('button', { type: 'submit', class: 'btn btn-primary', id: 'application-submit', dataset: { intent: 'submit' } }, '提交审批');
  const form = h('form', { class: 'form', id: 'application-form' },
    h('div', { class: 'form-error', role: 'alert', hidden: true }),
    h('section', { class: 'form-section' }, h('h2', { class: 'card-title' }, '绿色通道'),
      h('label', { class: 'choice' }, greenBox, h('span', null, '走绿色通道（急难救助：先救助、后补材料）')), greenHint, greenBlock),
    h('section', { class: 'form-section' }, h('h2', { class: 'card-title' }, '救助对象'), subjectChoice, workerChoice, householdBlock, workerBlock, newFileBlock),
    h('section', { class: 'form-section' }, h('h2', { class: 'card-title' }, '救助内容'),
      h('div', { class: 'form-grid' }, field('救助类型', typeSel, { required: true }), studentField, eduAmount, oopField, amountField,
        field('申请事由', purpose, { required: true, wide: true }))),
    h('section', { class: 'form-section' }, docsField),
    formActions(saveBtn, submitBtn));
  let intent = 'save';
  form.querySelectorAll('button[type="submit"]').forEach((b) => b.addEventListener('click', () => { intent = b.dataset.intent; }));

  const more = newFileBlock.querySelector('details');
  const unfold = (names) => {
    if (names.some((n) => more.querySelector(`[name="${CSS.escape(n)}"]`))) more.open = true;
  };

  const isWorker = () => typeSel.value === 'warmth' && workerToggle.checked;
  // The new file is offered while nothing is saved yet: a saved draft names its household (PUT cannot open one).
  const canOpenFile = () => greenBox.checked && !savedId && !Number(query.household_id) && typeSel.value !== 'education' && !isWorker();
  const isNewFile = () => canOpenFile() && subjectNew.checked;
  const filed = () => !!hh && FILED.includes(hh.status);
  const canUpload = () => !!hh && (hh.actions || []).includes('documents');

  function docItem(k, need) {
    const name = label(DOCUMENT_KINDS, k);
    if (isNewFile()) return h('li', { class: 'doc-pending', dataset: { kind: k } }, name, h('span', { class: 'muted' }, '（保存后上传到新档案）'));
    if (!hh) return h('li', { dataset: { kind: k } }, name);
    if (hhDocs[k]) return h('li', { class: 'doc-ok', dataset: { kind: k } }, `✓ ${name}`);
    const li = h('li', { class: need ? 'doc-missing' : 'doc-later', dataset: { kind: k } }, need ? `✗ ${name}` : name);
    const note = need ? '档案中尚无，请上传' : `可后补（批准后 ${policy ? policy.green_docs_days : 30} 天内），也可现在上传`;
    if (!canUpload()) { li.append(h('span', { class: 'muted' }, need ? '（档案中尚无）' : '（可后补）')); return li; }
    if (uploading[k]) { li.append(h('span', { class: 'muted doc-note' }, '上传中…')); return li; }
    // The native file input is hidden behind a button with Chinese text (the browser's own says "Choose File").
    const file = h('input', { type: 'file', accept: UPLOAD_ACCEPT, id: `app-doc-${k}`, class: 'visually-hidden' });
    file.addEventListener('change', () => { if (file.files.length) uploadDoc(k, file.files[0]); });
    li.append(h('label', { class: 'btn btn-small doc-upload', for: file.id, id: `app-doc-${k}-button`, title: 'JPG、PNG 图片或 PDF，不超过10MB' }, '上传文件', file),
      h('span', { class: 'muted doc-note' }, note));
    return li;
  }

  async function uploadDoc(kind, file) {
    const fd = new FormData();
    fd.append('kind', kind);
    fd.append('file', file);
    uploading[kind] = true;
    update();
    try {
      await api('POST', `/households/${hh.id}/documents`, fd);
      const docs = await api('GET', `/households/${hh.id}/documents`);
      hhDocs = Object.fromEntries(docs.items.filter((d) => !d.deleted_at).map((d) => [d.kind, true]));
      toast(`已上传${label(DOCUMENT_KINDS, kind)}`);
    } catch (err) {
      toast(errorMessage(err), 'error', 8000);
    } finally {
      delete uploading[kind];
      update();
    }
  }

  function update() {
    const t = typeSel.value;
    workerChoice.hidden = t !== 'warmth' || isNewFile();
    if (t !== 'warmth') workerToggle.checked = false;
    subjectChoice.hidden = !canOpenFile();
    toggle(householdBlock, !isWorker() && !isNewFile());
    toggle(workerBlock, isWorker());
    toggle(newFileBlock, isNewFile());
    finder.hidden = !!hh && (opened || (!!Number(query.household_id) && !id));
    openedNote.hidden = !(opened && hh);
    toggle(oopField, t === 'medical');
    toggle(studentField, t === 'education');
    eduAmount.hidden = t !== 'education';
    toggle(amountField, t !== 'education');
    toggle(greenBlock, greenBox.checked);
    // A new file's documents can only be uploaded once it exists: the first save opens it, then they are sent.
    submitBtn.hidden = isNewFile();
    saveBtn.textContent = isNewFile() ? '保存草稿并建档' : '保存草稿';
    saveBtn.classList.toggle('btn-primary', isNewFile());
    const p = policy || {};
    amountHint.textContent = {
      living: p.living_cap_year_fen ? `生活救助每户每年不超过 ${formatFen(p.living_cap_year_fen)}。` : '',
      medical: p.medical_cap_year_fen ? `医疗救助每户每年不超过 ${formatFen(p.medical_cap_year_fen)}，且不超过自付费用。` : '',
      warmth: p.warmth_amount_fen ? `政策标准 ${formatFen(p.warmth_amount_fen)}，每户每年一次。` : '',
      condolence: '一次性慰问。',
    }[t] || '';
    // 送温暖 defaults to the policy amount; a default the user did not touch goes when the type changes.
    if (t === 'warmth' && !amountInput.value && p.warmth_amount_fen) { amountInput.value = fenToYuan(p.warmth_amount_fen); amountInput.dataset.auto = '1'; }
    if (t !== 'warmth' && amountInput.dataset.auto) { amountInput.value = ''; delete amountInput.dataset.auto; }
    const stu = hh && hh.members.find((m) => String(m.id) === studentSel.value);
    const eduFen = stu ? educationAmount(p, stu.school_stage, filed()) : 0;
    eduAmount.querySelector('strong').textContent = stu ? (eduFen ? formatFen(eduFen) : '该学段不在助学范围') : '—';
    greenHint.textContent = p.green_max_amount_fen
      ? `单笔不超过 ${formatFen(p.green_max_amount_fen)}；只需身份证明和本人签字承诺书，其余材料 ${p.green_docs_days} 天内补交；审批人须在 ${p.green_sla_hours} 小时内作出决定，事后由另一名审批人复核。`
      : '';
    const need = isWorker() ? [] : (greenBox.checked ? GREEN_DOCS : REQUIRED_DOCS[t] || []);
    const later = greenBox.checked && !isWorker() ? (REQUIRED_DOCS[t] || []).filter((k) => !GREEN_DOCS.includes(k)) : [];
    docsList.replaceChildren(
      ...(need.length ? need.map((k) => docItem(k, true)) : [h('li', { class: 'muted' }, '无需上传材料')]),
      ...later.map((k) => (hh && canUpload() && !hhDocs[k] ? docItem(k, false) : h('li', { class: 'muted' }, `${label(DOCUMENT_KINDS, k)}（可后补）`))));
  }

  async function loadPolicy(orgId) {
    try { policy = (await api('GET', withQuery('/policies/current', { org_id: orgId }))).params; } catch { policy = null; }
  }

  async function chooseHousehold(hid) {
    hhInput.value = hid;
    hhSummary.replaceChildren(h('span', { class: 'muted' }, '加载中…'));
    try {
      const [x, docs] = await Promise.all([api('GET', `/households/${hid}`), api('GET', `/households/${hid}/documents`)]);
      hh = x;
      hhDocs = Object.fromEntries(docs.items.filter((d) => !d.deleted_at).map((d) => [d.kind, true]));
      await loadPolicy(x.org_id);
      hhSummary.replaceChildren(dl([
        ['档案', h('a', { href: `#/households/${x.id}`, target: '_blank', rel: 'noopener', id: 'app-household-link' }, `${x.file_no} ${x.name}`)],
        ['身份证号', x.id_number], ['基层工会', x.org_name],
        ['档案状态', label(HOUSEHOLD_STATUS, x.status)],
        ['困难类别', x.category ? label(CATEGORIES, x.category) : `${label(CATEGORIES, x.suggested_category)}（系统建议，未建档）`],
      ], 'details-inline'));
      openedNote.replaceChildren(alert(h('span', null, '已随本申请新建档案 ', h('strong', { id: 'app-new-file-no' }, x.file_no),
        '，建档审核另行进行。请在下方「所需材料」上传身份证明和本人签字承诺书，然后提交审批。'), 'ok'));
      const students = x.members.filter((m) => STUDYING.includes(m.school_stage));
      studentSel.replaceChildren(h('option', { value: '' }, students.length ? '请选择' : '本户没有在读高中及以上的学生'),
        ...students.map((m) => h('option', { value: m.id }, `${m.name}（${label(SCHOOL_STAGES, m.school_stage)}）`)));
      if (a.student_member_id) studentSel.value = String(a.student_member_id);
    } catch (err) {
      hh = null;
      hhSummary.replaceChildren(errorBox(err));
    }
    update();
  }

  amountInput.addEventListener('input', () => { delete amountInput.dataset.auto; });
  typeSel.addEventListener('change', update);
  workerToggle.addEventListener('change', update);
  greenBox.addEventListener('change', update);
  studentSel.addEventListener('change', update);
  subjectChoice.addEventListener('change', update);
  form.querySelector('[name="org_id"]').addEventListener('change', async (ev) => {
    if (isWorker() && ev.target.value) { await loadPolicy(ev.target.value); update(); }
  });
  form.querySelector(`[name="${P}org_id"]`).addEventListener('change', async (ev) => {
    if (isNewFile() && ev.target.value) { await loadPolicy(ev.target.value); update(); }
  });

  bindForm(form, async (data) => {
    const body = {
      type: data.type, purpose: data.purpose, green: !!data.green, amount_fen: data.amount_fen ?? 0,
      out_of_pocket_fen: data.out_of_pocket_fen ?? 0, student_member_id: data.student_member_id ?? 0,
    };
    if (body.green) { body.green_reason = data.green_reason; body.green_note = data.green_note || ''; }
    const newFile = isNewFile();
    if (isWorker()) {
      Object.assign(body, { org_id: data.org_id ?? 0, applicant_name: data.applicant_name, applicant_id_number: (data.applicant_id_number || '').toUpperCase(),
        applicant_phone: data.applicant_phone || '', duty_note: data.duty_note });
    } else if (newFile) {
      body.household = householdBody(data, newFileBlock, P);
    } else {
      if (!data.household_id) throw validationError({ household_id: '请查找并选择困难职工档案' });
      body.household_id = data.household_id;
    }
    if (data.type === 'education') body.amount_fen = 0; // fixed by the policy table
    let saved;
    try {
      saved = await api(savedId ? 'PUT' : 'POST', savedId ? `/applications/${savedId}` : '/applications', body);
    } catch (err) {
      if (newFile && err.fields) {
        err.fields = householdFieldPaths(err.fields, newFileBlock);
        unfold(Object.keys(err.fields));
      }
      throw err;
    }
    if (!savedId) {
      savedId = saved.id;
      // From now on this form edits the saved draft, so that a retry after a refusal does not make a second one.
      history.replaceState(history.state, '', `#/applications/${saved.id}/edit`);
      back.setAttribute('href', `#/applications/${saved.id}`);
      root.querySelector('.page-header h1').textContent = `修改申请 ${saved.app_no}`;
      ctx.setTitle(`修改申请 ${saved.app_no}`);
    }
    if (newFile) {
      // The file exists now: the form goes on with it as the chosen household, for its documents and the submission.
      opened = true;
      subjectExisting.checked = true;
      newFileBlock.remove();
      await chooseHousehold(saved.household_id);
      toast(`草稿已保存：${saved.app_no}；已新建档案 ${hh ? hh.file_no : ''}`);
      openedNote.scrollIntoView({ block: 'center' });
      return;
    }
    if (intent !== 'submit') {
      toast(`草稿已保存：${saved.app_no}`);
      ctx.navigate(`#/applications/${saved.id}`);
      return;
    }
    try {
      await api('POST', `/applications/${saved.id}/submit`, {});
    } catch (err) {
      err.message = `草稿已保存（${saved.app_no}），但未能提交：${err.message}`;
      throw err;
    }
    toast(`已提交审批：${saved.app_no}`);
    ctx.navigate(`#/applications/${saved.id}`);
  });

  // A refusal of a field in the folded part of the new file's fields unfolds it (bindForm shows a client-side
  // refusal before this listener runs; the server's comes through unfold in the handler).
  form.addEventListener('submit', () => { if (more.querySelector('.field-error')) more.open = true; });

  root.append(card(null, form));
  if (a.household_id) await chooseHousehold(a.household_id);
  else {
    if (a.id && !a.household_id) await loadPolicy(a.org_id);
    update();
  }
}

// ───── detail ─────

function checksList(checks) {
  return h('ul', { class: 'checks', id: 'app-checks' }, (checks || []).map((c) => h('li', { class: c.ok ? 'check-ok' : 'check-fail', dataset: { rule: c.rule } },
    h('span', { class: 'check-mark', 'aria-label': c.ok ? '通过' : '未通过' }, c.ok ? '✓' : '✗'),
    h('span', { class: 'check-name' }, c.name), h('span', { class: 'check-msg' }, c.message))));
}

/** snapshotNumbers: what a decision rests on — the policy version, what was paid already, the household's category. */
function snapshotNumbers(s) {
  const p = s.policy || {};
  return dl([
    ['政策版本', p.id ? `第 ${p.id} 版（${p.org_name || '全区'}，${p.effective_from} 起施行）` : ''],
    ['本年同类已批', formatFen(s.paid ? s.paid.same_type_fen : 0)],
    ['本年已批合计', formatFen(s.paid ? s.paid.all_types_fen : 0)],
    ['困难类别', s.category ? label(CATEGORIES, s.category) : (s.household ? '' : '未建档职工')],
    ['认定依据', s.category_basis],
    ['档案材料', Object.keys(s.documents || {}).filter((k) => s.documents[k]).map((k) => label(DOCUMENT_KINDS, k)).join('、')],
    ['资金来源', s.funding ? `${s.funding.name}（批准前可用 ${formatFen(s.funding.available_before_fen)}）` : ''],
  ], 'snapshot');
}

function appFields(a, hh) {
  const file = hh ? `${hh.file_no}（${label(HOUSEHOLD_STATUS, hh.status)}）` : '查看档案';
  // null: a row that does not concern this type of application, left out
  return dl([
    ['申请编号', a.app_no], ['状态', h('span', { id: 'app-status' }, statusBadge(a.status))], ['救助类型', a.type_name],
    ['申请人', a.applicant_name], ['身份证号', a.applicant_id_number], ['手机号', a.applicant_phone],
    ['困难职工档案', a.household_id ? [h('a', { href: `#/households/${a.household_id}`, id: 'app-household-link' }, file),
      a.opened_household ? h('span', { class: 'muted' }, ' 随本申请新建') : null] : '未建档（节日坚守岗位职工）'],
    ['基层工会', a.org_name], ['年度', a.aid_year ? `${a.aid_year}年` : ''],
    ['申请金额', h('strong', { id: 'app-amount' }, formatFen(a.amount_fen))],
    ['自付医疗费用', a.type === 'medical' ? formatFen(a.out_of_pocket_fen) : null],
    ['学生', a.type === 'education' ? `${label(SCHOOL_STAGES, a.school_stage)}（${a.school_year} 学年）${a.student_id_number ? ' ' + a.student_id_number : ''}` : null],
    ['坚守岗位情况', a.household_id ? null : a.duty_note], ['申请事由', a.purpose],
    ['经办人', `${a.created_by_name} ${formatDateTime(a.created_at)}`], ['提交时间', formatDateTime(a.submitted_at)],
    ['初审批准', a.first_approved_at ? formatDateTime(a.first_approved_at) : null], ['批准时间', formatDateTime(a.approved_at)],
    ['发放', a.disbursed_at ? `${formatDateTime(a.disbursed_at)} · 凭证 ${a.voucher_no} · ${label(PAYMENT_METHODS, a.payment_method)}` : ''],
    ['签收', a.received_at ? `${formatDateTime(a.received_at)} · ${label(RECEIPT_KINDS, a.receipt_kind)} ${a.receipt_ref}` : ''],
    ['最近理由', a.last_reason],
  ].filter(([, v]) => v !== null));
}

function greenCard(a) {
  if (!a.green) return null;
  const docs = a.missing_docs || [];
  return card('绿色通道', h('div', { id: 'app-green' }, dl([
    ['事由', label(GREEN_REASONS, a.green_reason)], ['情况说明', a.green_note],
    ['审批时限', a.decide_by ? [formatDateTime(a.decide_by), ' ', undecided(a) ? countdown(a.decide_by) : null, a.overdue ? badge('已超时', 'danger') : null] : '提交后开始计时'],
    ['补交材料期限', a.docs_due ? [formatDate(a.docs_due), ' ', a.docs_overdue ? badge('已逾期', 'danger') : null] : '批准后开始计算'],
    ['尚缺材料', docs.length ? h('span', { class: a.docs_overdue ? 'text-danger' : '' }, docs.map((k) => label(DOCUMENT_KINDS, k)).join('、')) : '已齐全'],
    ['事后复核', a.reviewed_at
      ? [badge(label(REVIEW_OUTCOMES, a.review_outcome), a.review_outcome === 'flagged' ? 'danger' : 'ok'), ` ${formatDateTime(a.reviewed_at)}${a.review_note ? ' · ' + a.review_note : ''}`]
      : a.review_due ? badge('待复核', 'warn') : '批准后由另一名审批人复核'],
  ])));
}

function transfersCard(a) {
  const ts = a.transfers || [];
  return card('资金', h('table', { class: 'table table-compact', id: 'app-transfers' },
    h('thead', null, h('tr', null, ['编号', '业务', '从', '到', '金额', '状态', '凭证号', '时间'].map((t) => h('th', null, t)))),
    h('tbody', null, ts.length ? ts.map((t) => h('tr', null,
      h('td', null, h('a', { href: `#/funds/${t.debit_account_id}` }, `#${t.id}`)), h('td', null, t.kind_name), h('td', null, t.debit_name), h('td', null, t.credit_name),
      h('td', { class: 'num' }, formatFen(t.amount_fen)), h('td', null, label(TRANSFER_STATES, t.state)),
      h('td', null, t.settle_voucher_no || t.voucher_no || '—'), h('td', { class: 'nowrap' }, formatDateTime(t.settled_at || t.created_at))))
      : h('tr', null, h('td', { colspan: 8, class: 'table-empty' }, '批准后预留资金，发放时入账')))));
}

function decisionsCard(items) {
  return card('审批记录', items.length ? h('ol', { class: 'timeline', id: 'app-decisions' }, items.map((d) => {
    const s = d.snapshot || {};
    const failed = (s.checks || []).filter((c) => !c.ok).length;
    return h('li', null,
      h('span', { class: 'muted' }, formatDateTime(d.at)), ' ', h('strong', null, label(APPLICATION_ACTIONS, d.action)),
      ` · ${d.actor_name} → ${REVIEW_OUTCOMES[d.outcome] || label(APPLICATION_STATUS, d.outcome)}`, d.reason ? `（${d.reason}）` : '',
      h('details', { class: 'snapshot-details' }, h('summary', null, `决定时的依据（${(s.checks || []).length} 项规则${failed ? `，${failed} 项未通过` : '，全部通过'}）`),
        snapshotNumbers(s), checksList(s.checks)));
  })) : h('p', { class: 'muted' }, '尚无审批决定'));
}

function historyCard(items) {
  return card('办理历史', h('ol', { class: 'timeline', id: 'app-history' }, items.map((e) => h('li', null,
    h('span', { class: 'muted' }, formatDateTime(e.time)), ' ', h('strong', null, actionLabel(e.action)), ` · ${e.actor}`, e.reason ? `（${e.reason}）` : ''))));
}

async function renderDetail(root, id, ctx) {
  let a;
  try { a = await api('GET', `/applications/${encodeURIComponent(id)}`); } catch (err) { root.append(errorBox(err)); return; }
  const [decisions, hist, hh] = await Promise.all([
    api('GET', `/applications/${a.id}/decisions`), api('GET', withQuery(`/applications/${a.id}/history`, { per_page: 100 })),
    a.household_id ? api('GET', `/households/${a.household_id}`).catch(() => null) : null,
  ]);
  ctx.setTitle(`申请 ${a.app_no}`);
  const reload = () => { clear(root); renderDetail(root, id, ctx); };
  const buttons = [];
  for (const act of a.actions) {
    if (act === 'edit') buttons.push(linkButton('修改', `#/applications/${a.id}/edit`, { id: 'action-edit' }));
    else if (act === 'submit') {
      buttons.push(button('提交审批', async () => {
        if (!await confirmDialog({ title: '提交审批', message: `提交后由审批人审核，确定提交申请 ${a.app_no}？`, danger: false })) return;
        try { await api('POST', `/applications/${a.id}/submit`, {}); toast('已提交审批'); reload(); } catch (err) { toast(err.message, 'error', 8000); }
      }, { kind: 'primary', id: 'action-submit' }));
    } else if (act === 'approve') {
      buttons.push(linkButton('审批', `#/applications/${a.id}/decide`, { kind: 'primary', id: 'action-decide' }));
    } else if (actionDialogs[act]) {
      buttons.push(button(APPLICATION_ACTIONS[act], async () => {
        if (await actionDialogs[act](a)) { toast(`${APPLICATION_ACTIONS[act]}：已完成`); reload(); }
      }, { kind: act === 'void' ? 'danger' : 'primary', id: `action-${act}` }));
    }
  }
  root.append(pageHeader(`救助申请 ${a.app_no}`, greenBadge(a), linkButton('返回列表', '#/applications')));
  root.append(h('div', { class: 'page-actions', id: 'application-actions' }, buttons.length ? buttons : h('span', { class: 'muted' }, '当前没有您可执行的操作')));
  const warn = flags(a);
  if (warn.length) root.append(h('div', { class: 'badges', id: 'app-flags' }, warn));
  root.append(card('申请信息', appFields(a, hh)));
  const g = greenCard(a);
  if (g) root.append(g);
  root.append(transfersCard(a));
  root.append(decisionsCard(decisions.items));
  root.append(historyCard(hist.items));
}

// ───── the decision view ─────

async function renderDecide(root, id, ctx) {
  let a;
  let s;
  try {
    [a, s] = await Promise.all([api('GET', `/applications/${encodeURIComponent(id)}`), api('GET', `/applications/${encodeURIComponent(id)}/checks`)]);
  } catch (err) { root.append(errorBox(err)); return; }
  ctx.setTitle(`审批 ${a.app_no}`);
  root.append(pageHeader(`审批 ${a.app_no}`, greenBadge(a), linkButton('申请详情', `#/applications/${a.id}`), linkButton('返回审批队列', '#/approvals')));
  const failed = s.checks.filter((c) => !c.ok);
  root.append(card('申请', dl([
    ['状态', h('span', { id: 'app-status' }, statusBadge(a.status))], ['救助类型', a.type_name], ['申请人', a.applicant_name], ['基层工会', a.org_name],
    ['申请金额', h('strong', { id: 'app-amount' }, formatFen(a.amount_fen))],
    ...(a.type === 'medical' ? [['自付医疗费用', formatFen(a.out_of_pocket_fen)]] : []),
    ...(a.type === 'education' ? [['学生', `${label(SCHOOL_STAGES, a.school_stage)}（${a.school_year} 学年）`]] : []),
    ['申请事由', a.purpose], ['经办人', a.created_by_name], ['提交时间', formatDateTime(a.submitted_at)],
    ['审批时限', a.decide_by ? [formatDateTime(a.decide_by), ' ', undecided(a) ? countdown(a.decide_by) : null] : ''],
    ['绿色通道', a.green ? `${label(GREEN_REASONS, a.green_reason)}${a.green_note ? '：' + a.green_note : ''}` : '否'],
    ['最近理由', a.last_reason],
  ])));
  root.append(card(`规则检查（${failed.length ? `${failed.length} 项未通过` : '全部通过'}）`,
    h('p', { class: 'muted' }, `按当前数据计算（${formatDateTime(s.at)}），批准时在同一事务中再检查一次。`), checksList(s.checks)));
  root.append(card('决定依据', h('div', { id: 'app-snapshot' }, snapshotNumbers(s))));

  const acts = a.actions.filter((x) => ['approve', 'return', 'reject'].includes(x));
  if (!acts.length) {
    root.append(alert(undecided(a) ? '您不能审批此申请（职责分离：不能审批自己提交的申请，大额申请的两次批准须由不同审批人作出）。'
      : `申请当前状态为「${label(APPLICATION_STATUS, a.status)}」，无需审批。`, 'info'));
    return;
  }
  let chosen = 'approve';
  const reason = h('textarea', { name: 'reason', rows: 3, maxlength: 500, id: 'decision-reason', placeholder: '批准时可不填；退回或驳回须写明理由' });
  const form = h('form', { class: 'form', id: 'decision-form' },
    h('div', { class: 'form-error', role: 'alert', hidden: true }),
    failed.length && acts.includes('approve') ? alert('有规则未通过，批准将被拒绝；可退回经办人修改或驳回。', 'warn') : null,
    a.status === 'first_approved' ? alert('此为大额申请的第二次批准，须由另一名审批人作出。', 'info') : null,
    field('审批意见', reason, { wide: true }),
    formActions(acts.map((x) => h('button', {
      type: 'submit', id: `decision-${x}`, dataset: { action: x },
      class: ['btn', x === 'approve' ? 'btn-primary' : x === 'reject' ? 'btn-danger' : ''],
      onclick: () => { chosen = x; },
    }, APPLICATION_ACTIONS[x]))));
  bindForm(form, async (data) => {
    if (chosen !== 'approve' && !data.reason) throw validationError({ reason: `${APPLICATION_ACTIONS[chosen]}须写明理由` });
    if (chosen === 'reject' && !await confirmDialog({ title: '驳回申请', message: `驳回后申请终止，不能再提交。确定驳回 ${a.app_no}？` })) return;
    const r = await api('POST', `/applications/${a.id}/${chosen}`, { reason: data.reason || '' });
    toast(`${APPLICATION_ACTIONS[chosen]}：${r.app_no} ${label(APPLICATION_STATUS, r.status)}`);
    ctx.navigate(`#/applications/${a.id}`);
  });
  root.append(card('审批决定', form));
}
