// Work queues of SPEC §4.2 and §4.3, one page per nav entry, each a list of GET /applications?queue=…:
//   #/approvals      审批队列 (supervisor): green-channel cases first with a live countdown to their deadline, then oldest
//   #/reviews        事后复核 (supervisor): approved green-channel cases awaiting the retrospective review
//   #/disbursements  发放队列 (finance): approved cases to pay (发放) or void (作废)
//   #/receipts       签收确认 (caseworker, finance): paid cases whose receipt is to be recorded
// A row offers only the actions the server lists for it; the server says why when it refuses.
// The approval queue also approves in bulk (bulk-approve.js): every ticked row is checked against every rule.

import { api, withQuery } from '/api.js';
import { h, pageHeader, card, listView, button, linkButton, formatDateTime, formatDate, toast } from '/ui.js';
import { APPLICATION_TYPES, APPLICATION_ACTIONS, DOCUMENT_KINDS, PAYMENT_METHODS, options, label } from '/labels.js';
import { COLUMNS, actionDialogs } from '/pages/applications/shared.js';
import { bulkApproval } from '/pages/bulk-approve.js';

const QUEUES = {
  '#/approvals': {
    queue: 'approval', title: '审批队列', id: 'approval-queue',
    intro: '绿色通道申请排在最前，按审批时限先后；其余按提交先后。绿色通道须在时限内作出决定。',
    empty: '没有待审批的申请',
    columns: () => [COLUMNS.green, COLUMNS.deadline, COLUMNS.appNo, COLUMNS.type, COLUMNS.applicant, COLUMNS.org, COLUMNS.amount,
      COLUMNS.submitted, COLUMNS.status],
    act: (a) => (a.actions.includes('approve') || a.actions.includes('reject')
      ? linkButton('审批', `#/applications/${a.id}/decide`, { kind: 'primary', class: 'act-decide' })
      : h('span', { class: 'muted', title: '职责分离：不能审批自己提交的申请，大额申请须两名不同审批人' }, '不可审批')),
  },
  '#/reviews': {
    queue: 'review', title: '事后复核', id: 'review-queue',
    intro: '绿色通道申请批准后，须由批准人以外的审批人复核：确认无误，或存疑标记（进入异常报告，可冲销追回）。',
    empty: '没有待复核的绿色通道申请',
    columns: () => [COLUMNS.appNo, COLUMNS.type, COLUMNS.applicant, COLUMNS.org, COLUMNS.amount,
      { key: 'approved_at', title: '批准时间', nowrap: true, render: (a) => formatDateTime(a.approved_at) },
      { key: 'missing_docs', title: '尚缺材料', render: (a) => ((a.missing_docs || []).length
        ? [a.missing_docs.map((k) => label(DOCUMENT_KINDS, k)).join('、'), a.docs_due ? h('span', { class: 'muted' }, `（${formatDate(a.docs_due)} 前）`) : null]
        : '已齐全') },
      COLUMNS.status],
    act: (a) => rowActions(a, ['review']),
  },
  '#/disbursements': {
    queue: 'finance', title: '发放队列', id: 'finance-queue',
    intro: '已批准的申请，资金已在预算科目中预留。发放即入账；作废则释放预留资金。批准人不能经手发放。',
    empty: '没有待发放的申请',
    columns: () => [COLUMNS.green, COLUMNS.appNo, COLUMNS.type, COLUMNS.applicant, COLUMNS.org, COLUMNS.amount,
      { key: 'approved_at', title: '批准时间', nowrap: true, render: (a) => formatDateTime(a.approved_at) }, COLUMNS.status],
    act: (a) => rowActions(a, ['disburse', 'void']),
  },
  '#/receipts': {
    queue: 'receipt', title: '签收确认', id: 'receipt-queue',
    intro: '已发放的救助金，登记签字领取记录或银行回单号后完成。',
    empty: '没有待确认签收的申请',
    columns: () => [COLUMNS.appNo, COLUMNS.type, COLUMNS.applicant, COLUMNS.org, COLUMNS.amount,
      { key: 'disbursed_at', title: '发放', nowrap: true, render: (a) => `${formatDateTime(a.disbursed_at)} ${label(PAYMENT_METHODS, a.payment_method)}` },
      { key: 'voucher_no', title: '凭证号' }],
    act: (a) => rowActions(a, ['confirm-receipt']),
  },
};

let list = null;

function rowActions(a, wanted) {
  const acts = wanted.filter((x) => a.actions.includes(x));
  if (!acts.length) return h('span', { class: 'muted', title: '职责分离或状态限制，详见申请详情' }, '—');
  return acts.map((x) => button(APPLICATION_ACTIONS[x], async () => {
    const r = await actionDialogs[x](a);
    if (r) {
      toast(`${APPLICATION_ACTIONS[x]}：${a.app_no} 已完成`);
      list.reload();
    }
  }, { kind: x === 'void' ? 'link' : 'primary', class: `act-${x}` }));
}

export async function render(root, params, ctx) {
  const q = QUEUES[ctx.entry.path];
  root.append(pageHeader(q.title, linkButton('全部申请', '#/applications')));
  root.append(h('p', { class: 'page-intro muted' }, q.intro));
  const bulk = q.queue === 'approval' ? bulkApproval() : null;
  if (bulk) root.append(bulk.panel);
  const box = card(null);
  root.append(box);
  const load = (query) => api('GET', withQuery('/applications', { ...query, queue: q.queue }));
  list = listView(box, {
    id: q.id,
    query: params.query,
    search: '申请人姓名、申请编号或完整身份证号',
    filters: [
      { name: 'type', label: '类型', type: 'select', options: options(APPLICATION_TYPES) },
      ...(q.queue === 'approval' || q.queue === 'finance'
        ? [{ name: 'green', label: '通道', type: 'select', all: '全部通道', options: [{ value: '1', label: '绿色通道' }, { value: '0', label: '普通' }] }] : []),
    ],
    load: bulk ? bulk.wrapLoad(load) : load,
    exportPath: withQuery('/applications/export', { queue: q.queue }), // the queue as on screen (SPEC §8.1)
    toolbar: bulk ? [bulk.button] : [],
    rowLink: (a) => `#/applications/${a.id}`,
    empty: q.empty,
    columns: [...(bulk ? [bulk.column] : []), ...q.columns(), { key: 'actions', title: '操作', nowrap: true, noPrint: true, render: q.act }],
  });
  if (bulk) bulk.setList(list);
}
