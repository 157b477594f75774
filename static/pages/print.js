// Print views (SPEC §8.1) that print cleanly on A4 from the browser: no navigation, the union's name and the
// date on every record, a page break between records, names and ID numbers masked by the server.
//   #/publicity                  the publicity rounds (公示批次) of the reader's scope, each with its print link
//   #/publicity/<start>          the publicity list (公示名单) of the round that began on <start> (?org_id= one union)
//   #/approval-forms?ids=3,1,2   the approval forms (审批表) of a selection, one to a page
// printSelection() gives a list page the checkboxes and the 打印审批表 button that open the last one.

import { api, withQuery, loadOrgs } from '/api.js';
import { h, pageHeader, card, button, linkButton, errorBox, formatFen, formatDate, formatDateTime, orgOptions, select } from '/ui.js';
import { APPLICATION_ACTIONS, APPLICATION_STATUS, CATEGORIES, CAUSES, GREEN_REASONS, REVIEW_OUTCOMES, label } from '/labels.js';

export async function render(root, params, ctx) {
  if (params.path.startsWith('/approval-forms')) return renderForms(root, params);
  if (params.rest[0]) return renderPublicity(root, params.rest[0], params.query);
  return renderRounds(root, params, ctx);
}

// printBar is the on-screen bar above a print view: print, and back; it does not print.
function printBar(back) {
  return h('div', { class: 'no-print page-actions' },
    button('打印', () => window.print(), { kind: 'primary', id: 'print-now' }),
    back ? linkButton('返回', back) : button('返回', () => history.back()));
}

// printHead is the heading each printed record starts with: the union, the title, and when it was printed.
function printHead(union, title, sub) {
  return h('header', { class: 'print-head' },
    h('div', { class: 'print-union' }, union || ''),
    h('h1', { class: 'print-title' }, title),
    sub ? h('div', { class: 'print-sub' }, sub) : null,
    h('div', { class: 'print-date' }, `打印日期：${formatDate(new Date())}`));
}

// ───── 公示批次 ─────

async function renderRounds(root, params, ctx) {
  ctx.setTitle('公示名单');
  root.append(pageHeader('公示名单'));
  const orgID = params.query.org_id || '';
  const orgs = select('org_id', [], orgID, { id: 'publicity-org', 'aria-label': '工会' });
  loadOrgs().then((list) => {
    orgs.replaceChildren(h('option', { value: '' }, '本级及下属全部工会'), ...orgOptions(list.filter((o) => o.level >= 2)).map((o) => h('option', { value: o.value }, o.label)));
    orgs.value = orgID;
  }).catch(() => {});
  orgs.addEventListener('change', () => ctx.navigate(withQuery('#/publicity', { org_id: orgs.value })));
  const body = h('tbody', null, h('tr', null, h('td', { colspan: 5, class: 'table-empty' }, '加载中…')));
  root.append(card(null,
    h('p', { class: 'muted' }, '同一天开始公示的困难职工为一批，张贴一张公示名单；姓名与身份证号按规定打码，异议截止日为公示期最后一个工作日。'),
    h('div', { class: 'list-filters' }, h('label', { class: 'filter-label', for: 'publicity-org' }, '工会'), orgs),
    h('div', { class: 'table-wrap' }, h('table', { class: 'table', id: 'publicity-rounds' },
      h('thead', null, h('tr', null, ['公示开始', '异议截止', '户数', '公示中', ''].map((t) => h('th', null, t)))), body))));
  let res;
  try { res = await api('GET', withQuery('/households/publicity-rounds', { org_id: orgID })); } catch (err) { body.replaceChildren(h('tr', null, h('td', { colspan: 5 }, errorBox(err)))); return; }
  if (!res.items.length) { body.replaceChildren(h('tr', null, h('td', { colspan: 5, class: 'table-empty' }, '暂无公示批次'))); return; }
  body.replaceChildren(...res.items.map((r) => h('tr', { dataset: { start: r.start } },
    h('td', { class: 'nowrap' }, r.start), h('td', { class: 'nowrap' }, r.end), h('td', { class: 'num' }, String(r.households)),
    h('td', { class: 'num' }, String(r.publicizing)),
    h('td', { class: 'nowrap' }, linkButton('打印公示名单', withQuery(`#/publicity/${r.start}`, { org_id: orgID }), { class: 'publicity-print' })))));
}

// ───── 公示名单 ─────

async function renderPublicity(root, start, query) {
  root.classList.add('print-page');
  let l;
  try { l = await api('GET', withQuery(`/households/publicity-rounds/${encodeURIComponent(start)}`, { org_id: query.org_id })); } catch (err) { root.append(errorBox(err)); return; }
  document.title = `公示名单 ${l.start}`;
  root.append(printBar(withQuery('#/publicity', { org_id: query.org_id })),
    h('article', { class: 'print-record', id: 'publicity-list' },
      printHead(l.union, '困难职工建档公示名单', `公示期：${l.start} 至 ${l.end}　共 ${l.households} 户`),
      h('p', { class: 'print-text' }, `经本人申请、入户走访核实，下列职工拟认定为困难职工并建立档案，现予公示。公示期内如有异议，请于 `,
        h('strong', { id: 'publicity-deadline' }, l.end), ' 前向本单位工会书面或当面反映（请署真实姓名和联系方式）。'),
      h('table', { class: 'table print-table', id: 'publicity-table' },
        h('thead', null, h('tr', null, ['序号', '姓名', '身份证号', '所属工会', '主要致困原因', '困难类别'].map((t) => h('th', null, t)))),
        h('tbody', null, l.items.map((e, i) => h('tr', null,
          h('td', { class: 'num' }, String(i + 1)), h('td', { class: 'nowrap' }, e.name), h('td', { class: 'nowrap mono' }, e.id_number),
          h('td', null, e.org_name), h('td', null, e.main_cause), h('td', { class: 'nowrap' }, e.category_name))))),
      h('div', { class: 'print-sign' },
        h('span', null, `${l.union || ''}（盖章）`), h('span', null, '监督电话：______________'), h('span', null, `${formatDate(new Date())}`))));
}

// ───── 审批表 ─────

async function renderForms(root, params) {
  root.classList.add('print-page');
  const ids = (params.query.ids || '').split(',').filter(Boolean);
  let res;
  try { res = await api('GET', withQuery('/applications/forms', { ids: ids.join(',') })); } catch (err) { root.append(printBar(), errorBox(err)); return; }
  document.title = res.items.length === 1 ? `审批表 ${res.items[0].application.app_no}` : `审批表（${res.items.length} 份）`;
  root.append(printBar(), h('p', { class: 'no-print muted', id: 'forms-count' }, `共 ${res.items.length} 份审批表，每份单独成页。`),
    ...res.items.map((f) => approvalForm(res.union, f)));
}

// approvalForm is one application's 审批表: the application, what the rules found when it was decided (the last
// approval's snapshot), every decision with its decider and time, and the lines to sign.
function approvalForm(union, { application: a, decisions }) {
  const approvals = decisions.filter((d) => d.action === 'approve');
  const snap = (approvals[approvals.length - 1] || decisions[decisions.length - 1] || {}).snapshot || null;
  const row = (...cells) => h('tr', null, cells.map(([k, v, span]) => [h('th', null, k), h('td', span ? { colspan: span } : null, v === '' || v == null ? '—' : v)]));
  return h('article', { class: 'print-record approval-form', dataset: { id: a.id } },
    printHead(union, '困难职工救助审批表', `申请编号：${a.app_no}`),
    h('table', { class: 'form-table' }, h('tbody', null,
      row(['救助类型', a.type_name], ['当前状态', label(APPLICATION_STATUS, a.status)]),
      row(['申请人', a.applicant_name], ['身份证号', a.applicant_id_number]),
      row(['所属工会', a.org_name], ['救助年度', `${a.aid_year}年`]),
      row(['申请金额', formatFen(a.amount_fen)], ['绿色通道', a.green ? `是（${label(GREEN_REASONS, a.green_reason)}）` : '否']),
      row(['申请事由', [a.purpose, a.duty_note].filter(Boolean).join('；'), 3]),
      row(['经办人', a.created_by_name], ['提交时间', formatDateTime(a.submitted_at)]),
      a.disbursed_at ? row(['发放时间', formatDateTime(a.disbursed_at)], ['凭证号', a.voucher_no]) : null)),
    snap ? snapshotPart(snap) : null,
    h('h2', { class: 'print-h2' }, '审批记录'),
    h('table', { class: 'table print-table decisions' },
      h('thead', null, h('tr', null, ['环节', '结论', '审批人', '时间', '意见'].map((t) => h('th', null, t)))),
      h('tbody', null, decisions.length ? decisions.map((d) => h('tr', null,
        h('td', { class: 'nowrap' }, d.outcome === 'first_approved' ? '初审' : label(APPLICATION_ACTIONS, d.action)),
        h('td', { class: 'nowrap' }, REVIEW_OUTCOMES[d.outcome] || label(APPLICATION_STATUS, d.outcome)),
        h('td', { class: 'nowrap decider' }, d.actor_name), h('td', { class: 'nowrap' }, formatDateTime(d.at)), h('td', null, d.reason || '—')))
        : h('tr', null, h('td', { colspan: 5, class: 'table-empty' }, '尚无审批记录')))),
    h('div', { class: 'print-sign' },
      h('span', null, '经办人签字：__________　日期：________'),
      h('span', null, '审批人签字：__________　日期：________'),
      h('span', null, '工会（盖章）')));
}

// snapshotPart is what the rules found when the application was decided (SPEC §4.2: every decision stores it).
function snapshotPart(s) {
  const p = (s.policy && s.policy.params) || {};
  return [
    h('h2', { class: 'print-h2' }, '审批时核定情况'),
    h('table', { class: 'form-table' }, h('tbody', null,
      h('tr', null, h('th', null, '困难类别'), h('td', null, label(CATEGORIES, s.category) || '—'), h('th', null, '主要致困原因'), h('td', null, label(CAUSES, s.main_cause) || '—')),
      h('tr', null, h('th', null, '认定依据'), h('td', { colspan: 3 }, s.category_basis || '—')),
      h('tr', null, h('th', null, '政策版本'), h('td', null, s.policy ? `${s.policy.org_name} ${s.policy.effective_from} 起施行` : '—'),
        h('th', null, '低保标准'), h('td', null, p.dibao_monthly_fen ? `${formatFen(p.dibao_monthly_fen)}/月` : '—')),
      h('tr', null, h('th', null, '本年已发放'), h('td', null, s.paid ? `同类 ${formatFen(s.paid.same_type_fen)}，各类合计 ${formatFen(s.paid.all_types_fen)}` : '—'),
        h('th', null, '资金来源'), h('td', null, s.funding ? `${s.funding.name}（批准前可用 ${formatFen(s.funding.available_before_fen)}）` : '—')))),
    h('table', { class: 'table print-table checks' },
      h('thead', null, h('tr', null, ['核验项目', '结果', '说明'].map((t) => h('th', null, t)))),
      h('tbody', null, (s.checks || []).map((c) => h('tr', null, h('td', null, c.name), h('td', { class: 'nowrap' }, c.ok ? '通过' : '未通过'), h('td', null, c.message))))),
  ];
}

// ───── selection on a list → one print of the forms ─────

/**
 * printSelection: a checkbox column and a 打印审批表（N） button for a list of applications. Pass wrapLoad(load) as
 * the list's load, column as a column and button in its toolbar; the ticks name rows of the page in view.
 */
export function printSelection(max = 200) {
  const selected = new Set();
  let rows = [];
  const btn = button('打印审批表（0）', () => {
    const ids = rows.filter((a) => selected.has(a.id)).map((a) => a.id).slice(0, max);
    if (ids.length) location.hash = `#/approval-forms?ids=${ids.join(',')}`;
  }, { id: 'print-forms', disabled: true });
  const all = h('input', { type: 'checkbox', id: 'print-select-all', 'aria-label': '选中本页全部申请', onchange: () => {
    for (const a of rows) if (all.checked) selected.add(a.id); else selected.delete(a.id);
    document.querySelectorAll('input.print-row').forEach((c) => { c.checked = all.checked; });
    refresh();
  } });
  function refresh() {
    btn.textContent = `打印审批表（${selected.size}）`;
    btn.disabled = selected.size === 0;
    all.checked = rows.length > 0 && rows.every((a) => selected.has(a.id));
  }
  const column = { key: 'print', title: all, noPrint: true, class: 'bulk-col', render: (a) => h('input', {
    type: 'checkbox', class: 'print-row', id: `print-select-${a.id}`, value: String(a.id), 'aria-label': `选择 ${a.app_no}`,
    checked: selected.has(a.id), onchange: (ev) => { if (ev.target.checked) selected.add(a.id); else selected.delete(a.id); refresh(); } }) };
  const wrapLoad = (load) => async (query) => {
    const res = await load(query);
    selected.clear();
    rows = (res && res.items) || [];
    refresh();
    return res;
  };
  return { column, button: btn, wrapLoad };
}
