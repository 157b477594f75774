// 救助申请 (SPEC §4), the pieces the list, the detail page and the queues (queues.js) share: the status and
// green-channel badges, the live countdown to a deadline, the warning flags, the list columns, and the dialogs of the
// finance and review actions (actionDialogs, by action name).

import { api, serverNow } from '/api.js';
import {
  h, field, select, badge, alert, formatFen, formatDate, formatDateTime, formDialog, validationError,
} from '/ui.js';
import {
  APPLICATION_TYPES, APPLICATION_STATUS, RECEIPT_KINDS, REVIEW_OUTCOMES, PAYMENT_METHODS, DOCUMENT_KINDS, options,
  label,
} from '/labels.js';

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

export const undecided = (a) => a.status === 'submitted' || a.status === 'first_approved';

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

export function summary(a) {
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
