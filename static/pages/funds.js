// 经费台账 (SPEC §6): #/funds lists the accounts in scope with posted, pending and available balances and the
// finance actions (来款入账, 安排预算, 下拨, new fund sources and budget lines); #/funds/{id} is one account's
// statement with a running balance, where a posted transfer can be reversed (冲销) with a reason.
// Money is fen in JSON and yuan on screen; refusals come from the server and are shown as it words them.

import { api, withQuery, loadOrgs, loadAll } from '/api.js';
import {
  h, pageHeader, card, field, select, checkboxes, affix, moneyInput, formDialog, listView, button, linkButton,
  badge, dl, alert, errorBox, formatFen, formatNumber, formatDateTime, validationError, printButton,
} from '/ui.js';
import {
  label, FUND_KINDS, AID_TYPES, FUND_PURPOSES, TRANSFER_KINDS, TRANSFER_STATES, PAYMENT_METHODS,
} from '/labels.js';

export async function render(root, params, ctx) {
  if (params.id) return renderStatement(root, params, ctx);
  return renderOverview(root, params, ctx);
}

/** amount shows an account's or transfer's amount: money as yuan, goods with their unit. */
export function amount(row, key) {
  if (row.unit === 'CNY') return formatFen(row[`${key}_fen`]);
  const v = row[`${key}_qty`];
  return v === undefined ? '' : `${formatNumber(v)} ${row.unit}`;
}

function purposeText(acc) {
  if (acc.kind === 'fund') return (acc.purposes || []).map((p) => label(FUND_PURPOSES, p)).join('、');
  if (acc.purpose) return label(FUND_PURPOSES, acc.purpose);
  return '';
}

const STATE_BADGE = { pending: 'warn', posted: 'ok', voided: 'muted' };

function stateBadge(state) {
  return badge(label(TRANSFER_STATES, state), STATE_BADGE[state] || 'info');
}

/** newKey: one idempotency key per opened form, so that a double click or a retry writes one transfer. */
function newKey() {
  return (crypto.randomUUID && crypto.randomUUID()) || `${Date.now()}-${Math.random()}`;
}

function voucherFields(withMethod) {
  return [
    field('凭证号', h('input', { name: 'voucher_no', maxlength: 64, autocomplete: 'off' })),
    withMethod ? field('支付方式', select('payment_method', [{ value: '', label: '（不填）' }, ...PAYMENT_METHODS], '')) : null,
    field('摘要', h('textarea', { name: 'memo', rows: 2, maxlength: 500 }), { wide: true }),
  ];
}

function availableHint(acc) {
  return `${acc.name} 当前可用 ${amount(acc, 'available')}${acc.pending_out_fen ? `（另有待支付 ${formatFen(acc.pending_out_fen)}）` : ''}`;
}

export function newFundDialog() {
  return formDialog({
    title: '新增经费来源',
    formId: 'fund-form',
    body: h('div', { class: 'form-grid' },
      field('名称', h('input', { name: 'name', maxlength: 100, placeholder: '如：上级补助、社会捐赠' }), { required: true }),
      field('可用于', checkboxes('purposes', FUND_PURPOSES, ['general']), { required: true, wide: true,
        hint: '专款专用：此经费只能安排到所选用途的预算科目。创建后不能修改。' })),
    onSubmit: (data) => api('POST', '/funds', { kind: 'fund', name: data.name, purposes: data.purposes }),
  });
}

export function newLineDialog() {
  const year = new Date().getFullYear();
  return formDialog({
    title: '新增预算科目',
    formId: 'line-form',
    body: h('div', { class: 'form-grid' },
      field('年度', h('input', { name: 'year', type: 'number', 'data-type': 'int', value: year, min: 2000, max: 2100 }), { required: true }),
      field('救助或活动类型', select('aid_type', AID_TYPES, 'living'), { required: true }),
      field('用途', select('purpose', [{ value: '', label: '按类型默认' }, ...FUND_PURPOSES], ''),
        { hint: '只有“可用于”此用途的经费来源才能向本科目安排预算。' }),
      field('名称', h('input', { name: 'name', maxlength: 100, placeholder: '留空则自动命名，如“2026年度生活救助”' }))),
    onSubmit: (data) => api('POST', '/funds', { kind: 'budget', year: data.year, aid_type: data.aid_type, purpose: data.purpose, name: data.name }),
  });
}

export function receiveDialog(fund) {
  const key = newKey();
  return formDialog({
    title: `来款入账：${fund.name}`,
    formId: 'receive-form',
    body: h('div', { class: 'form-grid' },
      field('金额', affix(moneyInput('amount_fen'), '元'), { required: true }),
      voucherFields(true)),
    submitText: '入账',
    onSubmit: (data) => api('POST', `/funds/${fund.id}/receive`, {
      amount_fen: data.amount_fen, voucher_no: data.voucher_no, payment_method: data.payment_method, memo: data.memo, idempotency_key: key,
    }),
  });
}

export async function budgetDialog(fund) {
  const lines = await loadAll('/funds', { kind: 'budget' });
  const key = newKey();
  return formDialog({
    title: `安排预算：从 ${fund.name}`,
    formId: 'budget-form',
    body: h('div', { class: 'form-grid' },
      h('p', { class: 'field-wide muted' }, availableHint(fund)),
      field('预算科目', select('budget_line_id', [{ value: '', label: '请选择' },
        ...lines.map((l) => ({ value: l.id, label: `${l.name}（${label(FUND_PURPOSES, l.purpose)}，可用 ${formatFen(l.available_fen)}）` }))], '',
      { 'data-type': 'number' }), { required: true, wide: true, hint: `此经费可用于：${purposeText(fund)}` }),
      field('金额', affix(moneyInput('amount_fen'), '元'), { required: true }),
      voucherFields(false)),
    submitText: '安排',
    onSubmit: (data) => api('POST', `/funds/${fund.id}/budget`, {
      budget_line_id: data.budget_line_id, amount_fen: data.amount_fen, voucher_no: data.voucher_no, memo: data.memo, idempotency_key: key,
    }),
  });
}

/** allocateDialog: 下拨 from a budget line (given, or chosen in the form) to a grassroots union. */
export async function allocateDialog(line) {
  const [orgs, lines] = await Promise.all([loadOrgs(), line ? [line] : loadAll('/funds', { kind: 'budget' })]);
  const unions = orgs.filter((o) => o.level === 4);
  const key = newKey();
  return formDialog({
    title: line ? `下拨：从 ${line.name}` : '下拨到基层工会',
    formId: 'allocate-form',
    body: h('div', { class: 'form-grid' },
      line
        ? [h('input', { type: 'hidden', name: 'budget_line_id', value: line.id, 'data-type': 'number' }),
          h('p', { class: 'field-wide muted' }, availableHint(line))]
        : field('预算科目', select('budget_line_id', [{ value: '', label: '请选择' },
          ...lines.map((l) => ({ value: l.id, label: `${l.name}（可用 ${formatFen(l.available_fen)}）` }))], '', { 'data-type': 'number' }),
        { required: true, wide: true }),
      field('基层工会', select('org_id', [{ value: '', label: '请选择' }, ...unions.map((o) => ({ value: o.id, label: o.name }))], '',
        { 'data-type': 'number' }), { required: true, wide: true }),
      field('金额', affix(moneyInput('amount_fen'), '元'), { required: true }),
      voucherFields(false)),
    submitText: '下拨',
    onSubmit: (data) => api('POST', '/allocations', {
      budget_line_id: data.budget_line_id, org_id: data.org_id, amount_fen: data.amount_fen, voucher_no: data.voucher_no,
      memo: data.memo, idempotency_key: key,
    }),
  });
}

function reverseDialog(tr) {
  const key = newKey();
  return formDialog({
    title: `冲销转账 #${tr.id}`,
    formId: 'reverse-form',
    danger: true,
    body: h('div', { class: 'form-grid' },
      alert(`将生成一笔反向转账：从“${tr.credit_name}”转回“${tr.debit_name}” ${amount(tr, 'amount')}。原转账保留，冲销后不能再冲销。`, 'warn'),
      field('冲销原因', h('textarea', { name: 'reason', rows: 2, maxlength: 500 }), { required: true, wide: true }),
      field('凭证号', h('input', { name: 'voucher_no', maxlength: 64 }))),
    submitText: '冲销',
    onSubmit: (data) => {
      if (!data.reason) throw validationError({ reason: '请填写冲销原因' });
      return api('POST', `/funds/transfers/${tr.id}/reverse`, { reason: data.reason, voucher_no: data.voucher_no, idempotency_key: key });
    },
  });
}

/** mayOnFunds: which of the ledger's writes the user may call, from the routes GET /me answers. */
function mayOnFunds(ctx) {
  return {
    create: ctx.may('POST /api/v1/funds'), receive: ctx.may('POST /api/v1/funds/:id/receive'), budget: ctx.may('POST /api/v1/funds/:id/budget'),
    allocate: ctx.may('POST /api/v1/allocations'),
  };
}

async function renderOverview(root, params, ctx) {
  const may = mayOnFunds(ctx);
  let list;
  const done = (msg) => (r) => { if (r) { ctx.toast(msg); list.reload(); } };
  root.append(pageHeader('经费台账',
    may.create ? button('新增经费来源', () => newFundDialog().then(done('经费来源已创建')), { id: 'fund-new' }) : null,
    may.create ? button('新增预算科目', () => newLineDialog().then(done('预算科目已创建')), { id: 'line-new' }) : null,
    linkButton('下拨额度', '#/allocations')));
  root.append(h('p', { class: 'muted' },
    '可用余额 = 已入账余额 − 待支付（已审批预留、尚未发放）。待入账的收入在入账前不可使用。'));
  const box = card(null);
  root.append(box);
  const year = new Date().getFullYear();
  list = listView(box, {
    id: 'fund-list',
    query: params.query,
    search: '账户名称',
    filters: [
      { name: 'kind', label: '类型', type: 'select', options: FUND_KINDS.filter((k) => k.value !== 'external') },
      { name: 'year', label: '年度', type: 'select', options: [year + 1, year, year - 1, year - 2].map((y) => ({ value: y, label: `${y}年` })) },
      { name: 'aid_type', label: '救助类型', type: 'select', options: AID_TYPES },
    ],
    load: (q) => api('GET', withQuery('/funds', q)),
    exportPath: '/funds/export',
    rowLink: (a) => `#/funds/${a.id}`,
    columns: [
      { key: 'name', title: '账户', render: (a) => h('a', { href: `#/funds/${a.id}` }, a.name) },
      { key: 'kind', title: '类型', render: (a) => a.kind_name, nowrap: true },
      { key: 'org_name', title: '所属组织' },
      { key: 'purpose', title: '用途', render: purposeText },
      { key: 'posted', title: '已入账余额', align: 'right', render: (a) => amount(a, 'posted') },
      { key: 'pending_out', title: '待支付', align: 'right', render: (a) => amount(a, 'pending_out') },
      { key: 'pending_in', title: '待入账', align: 'right', render: (a) => amount(a, 'pending_in') },
      { key: 'available', title: '可用余额', align: 'right', render: (a) => h('strong', null, amount(a, 'available')) },
      {
        key: 'actions', title: '', nowrap: true, render: (a) => (a.kind === 'fund'
          ? [may.receive ? button('来款入账', () => receiveDialog(a).then(done('来款已入账')), { kind: 'link', class: 'act-receive' }) : null,
            may.budget ? button('安排预算', () => budgetDialog(a).then(done('预算已安排')), { kind: 'link', class: 'act-budget' }) : null]
          : a.kind === 'budget' && may.allocate ? button('下拨', () => allocateDialog(a).then(done('已下拨')), { kind: 'link', class: 'act-allocate' }) : ''),
      },
    ],
  });
}

async function renderStatement(root, params, ctx) {
  const id = params.id;
  root.append(pageHeader('账户明细', printButton('statement-print'), linkButton('返回经费台账', '#/funds')));
  let acc;
  try {
    acc = await api('GET', `/funds/${encodeURIComponent(id)}`);
  } catch (err) {
    root.append(err.status === 404 ? alert('账户不存在或不在您的管辖范围内。', 'warn') : errorBox(err));
    return;
  }
  ctx.setTitle(acc.name);
  const may = mayOnFunds(ctx);
  const summary = h('div', { id: 'fund-summary' });
  const showSummary = (a) => summary.replaceChildren(dl([
    ['账户', a.name], ['类型', a.kind_name], ['所属组织', a.org_name], ['用途', purposeText(a)],
    ['年度', a.year ? `${a.year}年` : ''], ['救助类型', a.aid_type ? label(AID_TYPES, a.aid_type) : ''],
    ['已入账余额', amount(a, 'posted')], ['待支付', amount(a, 'pending_out')], ['待入账', amount(a, 'pending_in')],
    ['可用余额', h('strong', { id: 'fund-available' }, amount(a, 'available'))],
  ]));
  showSummary(acc);
  const actions = [];
  let list;
  const refresh = (msg) => async (r) => {
    if (!r) return;
    ctx.toast(msg);
    showSummary(await api('GET', `/funds/${acc.id}`));
    list.reload();
  };
  if (may.receive && acc.kind === 'fund') {
    actions.push(button('来款入账', () => receiveDialog(acc).then(refresh('来款已入账')), { kind: 'primary', id: 'fund-receive' }));
  }
  if (may.budget && acc.kind === 'fund') {
    actions.push(button('安排预算', () => budgetDialog(acc).then(refresh('预算已安排')), { id: 'fund-budget' }));
  }
  if (may.allocate && acc.kind === 'budget') {
    actions.push(button('下拨', () => allocateDialog(acc).then(refresh('已下拨')), { kind: 'primary', id: 'fund-allocate' }));
  }
  root.append(card(null, summary, actions.length ? h('div', { class: 'form-actions' }, actions) : null));

  const box = card('收支明细');
  root.append(box);
  list = listView(box, {
    id: 'statement',
    exportPath: `/funds/${acc.id}/transfers/export`,
    query: params.query,
    search: '凭证号、摘要或编号',
    filters: [
      { name: 'state', label: '状态', type: 'select', options: TRANSFER_STATES },
      { name: 'kind', label: '业务', type: 'select', options: TRANSFER_KINDS },
      { name: 'from', label: '起始日期', type: 'date' },
      { name: 'to', label: '截止日期', type: 'date' },
    ],
    load: (q) => api('GET', withQuery(`/funds/${acc.id}/transfers`, q)),
    columns: [
      { key: 'created_at', title: '时间', render: (t) => formatDateTime(t.created_at), nowrap: true },
      { key: 'id', title: '编号', render: (t) => `#${t.id}` },
      { key: 'kind', title: '业务', render: (t) => [t.kind_name, t.reverses_id ? h('span', { class: 'muted' }, `（冲销 #${t.reverses_id}）`) : null] },
      { key: 'counterparty_name', title: '对方账户' },
      { key: 'in', title: '收入', align: 'right', render: (t) => (t.direction === 'in' ? amount(t, 'amount') : '') },
      { key: 'out', title: '支出', align: 'right', render: (t) => (t.direction === 'out' ? amount(t, 'amount') : '') },
      { key: 'state', title: '状态', render: (t) => [stateBadge(t.state), t.reversed_by_id ? badge(`已被 #${t.reversed_by_id} 冲销`, 'danger') : null] },
      { key: 'running_balance', title: '余额', align: 'right', render: (t) => amount(t, 'running_balance') },
      { key: 'voucher_no', title: '凭证号', render: (t) => t.voucher_no || t.settle_voucher_no || '—' },
      { key: 'memo', title: '摘要', render: (t) => t.reason || t.memo || '—' },
      {
        key: 'actions', title: '', nowrap: true,
        // The ledger says, per line, what this user may do with the transfer (its actions): 冲销 only where
        // the server would accept it.
        render: (t) => ((t.actions || []).includes('reverse')
          ? button('冲销', () => reverseDialog(t).then(refresh('已冲销')), { kind: 'link', class: 'act-reverse' }) : ''),
      },
    ],
  });
}
