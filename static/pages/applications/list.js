// 救助申请 (SPEC §4): #/applications, the list with search, filters and paging (?household_id= narrows it to one
// household's applications).

import { api, withQuery } from '/api.js';
import { h, pageHeader, card, listView, linkButton, alert, formatDate } from '/ui.js';
import { APPLICATION_TYPES, APPLICATION_STATUS, options, label } from '/labels.js';
import { COLUMNS } from '/pages/applications/shared.js';
import { printSelection } from '/pages/print.js';

export function render(root, params, ctx) {
  const year = new Date().getFullYear();
  root.append(pageHeader('救助申请',
    ctx.may('POST /api/v1/applications') ? linkButton('申请救助', '#/applications/new', { kind: 'primary', id: 'application-new' }) : null));
  // From a household's page: only its applications (the filter is not one of the list's own, so it is kept here).
  const householdID = params.query.household_id;
  if (householdID) {
    root.append(alert(h('span', null, '仅显示该档案的救助申请。', h('a', { href: `#/households/${householdID}` }, '返回档案'), '　',
      h('a', { href: '#/applications' }, '显示全部')), 'info'));
  }
  const box = card(null);
  root.append(box);
  const forms = printSelection(); // tick rows, then one print of their approval forms (SPEC §8.1)
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
    load: forms.wrapLoad((q) => api('GET', withQuery('/applications', { ...q, household_id: householdID }))),
    toolbar: [forms.button],
    exportPath: withQuery('/applications/export', { household_id: householdID }),
    unmasked: ctx.can('export.unmasked'),
    rowLink: (a) => `#/applications/${a.id}`,
    empty: '没有符合条件的申请',
    columns: [forms.column, COLUMNS.appNo, COLUMNS.type, COLUMNS.applicant, COLUMNS.org, COLUMNS.amount, COLUMNS.green, COLUMNS.status,
      { key: 'created_at', title: '创建', nowrap: true, render: (a) => `${formatDate(a.created_at)} ${a.created_by_name}` }],
  });
}
