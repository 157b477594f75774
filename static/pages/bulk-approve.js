// Bulk approval in the approval queue (SPEC §5, issue 5 item 7): a checkbox on every row the supervisor may approve,
// 全选 for the page, and 批量批准（N） which asks first and then sends POST /applications/bulk-approve. The server
// checks every rule for each application and approves each in its own transaction; the result panel lists every
// selected application with its outcome — ✓ 已批准, ✓ 已初审（待复审） for a large case that now needs a second
// supervisor, or ✗ with the server's reason — and stays on the page while the queue reloads underneath.

import { api } from '/api.js';
import { h, clear, button, field, formDialog, formatFen } from '/ui.js';

const MAX_BULK = 200; // the server's limit per request (relief.MaxBulk)

const canApprove = (a) => Array.isArray(a.actions) && a.actions.includes('approve');

/**
 * bulkApproval wires the pieces into a list: call it before listView, pass wrapLoad(load) as the list's load,
 * column as its first column and button in its toolbar, put panel where the results should appear, and give it
 * the list with setList once listView has returned.
 */
export function bulkApproval() {
  const selected = new Set(); // ids of the ticked rows, all on the current page
  let pageRows = []; // the rows on the current page that may be approved
  let list = null;

  const all = h('input', { type: 'checkbox', id: 'bulk-select-all', class: 'bulk-check', disabled: true,
    onchange: () => toggleAll(all.checked) });
  const head = h('label', { class: 'bulk-all', for: 'bulk-select-all', title: '选中本页全部可批准的申请' },
    all, h('span', null, '全选'));
  const btn = button('批量批准（0）', () => confirmAndSend(), { kind: 'primary', id: 'bulk-approve', disabled: true });
  const panel = h('section', { class: 'card bulk-result', id: 'bulk-result', hidden: true, 'aria-live': 'polite' });

  function refresh() {
    const n = selected.size;
    btn.textContent = `批量批准（${n}）`;
    btn.disabled = n === 0;
    const ticked = pageRows.filter((a) => selected.has(a.id)).length;
    all.disabled = pageRows.length === 0;
    all.checked = pageRows.length > 0 && ticked === pageRows.length;
    all.indeterminate = ticked > 0 && ticked < pageRows.length;
  }

  function toggleAll(on) {
    for (const a of pageRows) {
      if (on) selected.add(a.id);
      else selected.delete(a.id);
    }
    if (list) list.table.querySelectorAll('input.bulk-row').forEach((c) => { c.checked = on; });
    refresh();
  }

  function rowCheckbox(a) {
    if (!canApprove(a)) return null;
    const id = `bulk-select-${a.id}`;
    const box = h('input', { type: 'checkbox', id, class: 'bulk-check bulk-row', value: String(a.id), checked: selected.has(a.id),
      onchange: () => {
        if (box.checked) selected.add(a.id);
        else selected.delete(a.id);
        refresh();
      } });
    return h('label', { class: 'bulk-cell', for: id }, box,
      h('span', { class: 'visually-hidden' }, `选择 ${a.app_no}（${a.applicant_name}，${formatFen(a.amount_fen)}）`));
  }

  // A new page (or filter, or a reload after deciding) starts with nothing ticked: the ticks only ever name rows in view.
  function wrapLoad(load) {
    return async (query) => {
      const res = await load(query);
      selected.clear();
      pageRows = ((res && res.items) || []).filter(canApprove);
      refresh();
      return res;
    };
  }

  async function confirmAndSend() {
    // in the queue's order (green cases by deadline, then oldest first), however they were ticked: that is the order
    // the server approves them in, and so which one a yearly cap or the budget stops
    const rows = pageRows.filter((a) => selected.has(a.id));
    if (!rows.length) return;
    if (rows.length > MAX_BULK) {
      showError(`一次最多批准 ${MAX_BULK} 件，已选 ${rows.length} 件`);
      return;
    }
    const sum = rows.reduce((s, a) => s + Number(a.amount_fen || 0), 0);
    const res = await formDialog({
      title: '批量批准',
      formId: 'bulk-form',
      submitText: `批准 ${rows.length} 件`,
      wide: true,
      body: [
        h('p', { id: 'bulk-confirm-text' },
          `将批准选中的 ${rows.length} 件申请（合计 ${formatFen(sum)}）。`,
          '每一件都会单独按全部审批规则逐条核对（档案状态、年度上限、所需材料、预算余额等），未通过的不予批准，并逐件说明原因；',
          '超过二次审批金额的大额申请为初审，须另一名审批人复审。'),
        h('ul', { class: 'bulk-confirm-list' }, rows.map((a) => h('li', null,
          h('span', { class: 'mono' }, a.app_no), ' ', a.applicant_name, ' ', h('span', { class: 'num' }, formatFen(a.amount_fen))))),
        field('审批意见', h('textarea', { name: 'reason', maxlength: 500, rows: 2, placeholder: '可不填；将记入每件申请的审批记录' }), { wide: true }),
      ],
      onSubmit: (data) => api('POST', '/applications/bulk-approve', { ids: rows.map((a) => a.id), reason: (data.reason || '').trim() }),
    });
    if (!res || res === true) return; // cancelled
    showResults(rows, res);
    if (list) list.reload();
  }

  function showError(message) {
    clear(panel, h('div', { class: 'alert alert-error', role: 'alert' }, message));
    panel.hidden = false;
  }

  function showResults(rows, res) {
    const byId = new Map(rows.map((a) => [a.id, a]));
    const items = (res && res.items) || [];
    const ok = items.filter((it) => it.ok).length;
    const failed = items.length - ok;
    const second = items.filter((it) => it.ok && it.status === 'first_approved').length;
    const title = h('h2', { class: 'card-title', id: 'bulk-result-title', tabindex: '-1' }, '批量批准结果');
    clear(panel,
      h('div', { class: 'bulk-result-head' }, title,
        button('关闭', () => { panel.hidden = true; }, { kind: 'link', id: 'bulk-result-close', 'aria-label': '关闭批量批准结果' })),
      h('p', { class: ['bulk-summary', failed ? 'bulk-summary-mixed' : 'bulk-summary-ok'], id: 'bulk-summary' },
        `成功 ${ok} 件，未通过 ${failed} 件`,
        second ? h('span', { class: 'muted' }, `（其中 ${second} 件为大额申请已初审，待另一名审批人复审）`) : null),
      h('div', { class: 'table-wrap' }, h('table', { class: 'table table-compact', id: 'bulk-result-table' },
        h('thead', null, h('tr', null, h('th', null, '申请编号'), h('th', null, '申请人'), h('th', { class: 'num' }, '金额'),
          h('th', null, '结果'), h('th', null, '说明'))),
        h('tbody', null, items.map((it) => {
          const a = byId.get(it.id) || { id: it.id, app_no: `#${it.id}`, applicant_name: '—' };
          return h('tr', { dataset: { id: it.id }, class: it.ok ? 'bulk-ok' : 'bulk-fail' },
            h('td', { class: 'nowrap' }, h('a', { href: `#/applications/${it.id}` }, a.app_no)),
            h('td', null, a.applicant_name),
            h('td', { class: 'num' }, formatFen(a.amount_fen)),
            h('td', { class: 'nowrap bulk-outcome' }, outcome(it)),
            h('td', { class: 'bulk-message' }, it.ok ? '' : (it.message || '未能批准')));
        })))));
    panel.hidden = false;
    title.focus({ preventScroll: true });
    panel.scrollIntoView({ block: 'nearest' });
  }

  return {
    panel,
    button: btn,
    column: { key: 'select', title: head, class: 'bulk-col', noPrint: true, render: rowCheckbox },
    wrapLoad,
    setList: (l) => { list = l; refresh(); },
  };
}

function outcome(it) {
  if (!it.ok) return h('span', { class: 'bulk-mark bulk-mark-fail' }, '✗ 未通过');
  if (it.status === 'first_approved') return h('span', { class: 'bulk-mark bulk-mark-ok' }, '✓ 已初审（待复审）');
  return h('span', { class: 'bulk-mark bulk-mark-ok' }, '✓ 已批准');
}
