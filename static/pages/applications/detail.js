// 救助申请 (SPEC §4): #/applications/{id} the detail page (fields, status, green-channel deadlines, money, decisions
// with their snapshots, history) with exactly the actions the server lists; #/applications/{id}/decide the decision
// view (every rule check, the snapshot numbers, and the supervisor's approve / return / reject).

import { api, withQuery } from '/api.js';
import {
  h, clear, pageHeader, card, field, formActions, bindForm, linkButton, button, badge, dl, alert, errorBox, formatFen,
  formatDate, formatDateTime, confirmDialog, toast, validationError,
} from '/ui.js';
import {
  APPLICATION_STATUS, GREEN_REASONS, APPLICATION_ACTIONS, RECEIPT_KINDS, REVIEW_OUTCOMES, PAYMENT_METHODS, CATEGORIES,
  HOUSEHOLD_STATUS, SCHOOL_STAGES, DOCUMENT_KINDS, TRANSFER_STATES, label, actionLabel,
} from '/labels.js';
import { statusBadge, greenBadge, undecided, countdown, flags, actionDialogs } from '/pages/applications/shared.js';

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

/** render: #/applications/{id} the detail page, #/applications/{id}/decide the decision view. */
export async function render(root, params, ctx) {
  if (params.rest[1] === 'decide') return renderDecide(root, params.id, ctx);
  return renderDetail(root, params.id, ctx);
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
  root.append(pageHeader(`救助申请 ${a.app_no}`, greenBadge(a),
    linkButton('打印审批表', `#/approval-forms?ids=${a.id}`, { id: 'application-print' }), linkButton('返回列表', '#/applications')));
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
