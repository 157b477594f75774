// 送温暖名单 (SPEC §5, issue 10 item 4): the warmth tab of a campaign. A caseworker builds the list from a
// filter (困难类别, 基层工会, 档案状态) or pasted file numbers, plus holiday-duty workers one a line, previews it,
// and creates the warmth applications: the server drafts and submits each through the relief rules in its own
// transaction and answers per item (已生成 / 已在名单 / 未通过 with the reason). A supervisor decides the
// submitted ones with the campaign's bulk approval (offered while the campaign runs), which also answers per item.

import { api, withQuery, loadOrgs } from '/api.js';
import { h, clear, card, field, select, listView, button, badge, formatFen, toast, errorBox, formDialog } from '/ui.js';
import { CATEGORIES, APPLICATION_STATUS as APP, WARMTH_RESULTS } from '/labels.js';

/** How each result of a warmth run is shown (its name comes from the server). */
const RESULT_KIND = { created: 'ok', exists: 'info', refused: 'danger', preview: 'warn' };

/** workersOf reads "姓名 身份证号 坚守情况" lines (spaces, commas or tabs between). */
function workersOf(text, orgID) {
  return text.split('\n').map((l) => l.trim()).filter(Boolean).map((l) => {
    const [name, id_number, ...note] = l.split(/[\s,，\t]+/);
    return { name, id_number: id_number || '', duty_note: note.join(' ') || '节日坚守岗位', org_id: orgID };
  });
}

function results(run) {
  return card(`处理结果：共 ${run.total} 户，生成 ${run.created}，已在名单 ${run.existed}，未通过 ${run.refused}`,
    h('div', { class: 'table-wrap' }, h('table', { class: 'table', id: 'warmth-results' },
      h('thead', null, h('tr', null, ['档案编号/证件', '姓名', '基层工会', '结果', '申请编号', '说明'].map((t) => h('th', null, t)))),
      h('tbody', null, run.items.map((it) => h('tr', { dataset: { result: it.result } },
        h('td', null, it.ref), h('td', null, it.name || '—'), h('td', null, it.org_name || '—'),
        h('td', null, badge(WARMTH_RESULTS[it.result] || it.result, RESULT_KIND[it.result] || 'info')),
        h('td', null, it.application_id ? h('a', { href: `#/applications/${it.application_id}` }, it.app_no) : '—'),
        h('td', null, it.message)))))));
}

async function build(c, out, rerender) {
  const orgs = (await loadOrgs()).filter((o) => o.level === 4);
  const unions = orgs.map((o) => ({ value: o.id, label: o.name }));
  const body = h('div', { class: 'form-grid' },
    field('困难类别', select('category', [{ value: '', label: '全部类别' }, ...Object.entries(CATEGORIES).filter(([value]) => value !== 'ineligible').map(([value, label]) => ({ value, label }))], '')),
    field('基层工会', select('org_id', [{ value: '', label: '我管辖的全部' }, ...unions], '', { 'data-type': 'number' })),
    field('档案状态', select('status', [{ value: 'filed', label: '已建档' }, { value: 'review_due', label: '待年审' }], 'filed')),
    field('金额', h('input', { name: 'amount_yuan', placeholder: '留空按政策标准' }), { hint: '每户每年一次，按政策标准发放' }),
    field('或粘贴档案编号', h('textarea', { name: 'file_nos', rows: 4, placeholder: '每行一个档案编号；填写后不再按上面的条件筛选' }), { wide: true }),
    field('节日坚守岗位职工（未建档）', h('textarea', { name: 'workers', rows: 3, placeholder: '每行：姓名 身份证号 坚守情况' }), { wide: true }),
    field('职工所在基层工会', select('worker_org_id', [{ value: '', label: '请选择' }, ...unions], '', { 'data-type': 'number' })));
  const run = await formDialog({ title: '生成送温暖名单', formId: 'warmth-form', wide: true, submitText: '预览名单', body,
    // The preview writes nothing; 确认生成 sends the same values again.
    onSubmit: () => api('POST', `/campaigns/${c.id}/warmth`, { ...lastInput(body), dry_run: true }) });
  if (!run) return;
  clear(out);
  out.append(results(run));
  if (run.items.some((it) => it.result === 'preview')) {
    out.append(button(`确认生成 ${run.items.filter((it) => it.result === 'preview').length} 件送温暖申请`, async () => {
      try {
        const done = await api('POST', `/campaigns/${c.id}/warmth`, { ...lastInput(body), dry_run: false });
        clear(out);
        out.append(results(done));
        toast(`已生成 ${done.created} 件申请`);
        rerender(false);
      } catch (err) { out.append(errorBox(err)); }
    }, { kind: 'primary', id: 'warmth-apply' }));
  }
}

/** lastInput re-reads the dialog's values (the dialog is closed, its form still holds them). */
function lastInput(body) {
  const v = (n) => (body.querySelector(`[name="${n}"]`) || {}).value || '';
  const input = { category: v('category'), status: v('status'), org_id: Number(v('org_id')) || 0,
    file_nos: v('file_nos').split(/[\s,，]+/).filter(Boolean), workers: workersOf(v('workers'), Number(v('worker_org_id')) || 0) };
  if (v('amount_yuan')) input.amount_fen = Math.round(Number(v('amount_yuan')) * 100);
  return input;
}

async function approveAll(c, out, rerender) {
  const list = await api('GET', withQuery(`/campaigns/${c.id}/warmth`, { status: 'submitted', per_page: 200 }));
  if (!list.items.length) { toast('名单中没有待审批的申请', 'warn'); return; }
  const ok = await formDialog({ title: `批量审批送温暖申请（${list.items.length} 件）`, formId: 'warmth-approve-form', submitText: '批量批准',
    body: h('div', { class: 'form-grid' }, h('p', null, '每件申请逐一按政策规则审核（每户每年一次、年度上限、预算余额），不符合的不予批准并说明原因。'),
      field('批准意见', h('textarea', { name: 'reason', rows: 2 }), { wide: true })),
    // The campaign's own bulk approval: the server decides what is on the list and refuses (shown in the dialog)
    // once the campaign is closed.
    onSubmit: (data) => api('POST', `/campaigns/${c.id}/warmth/approve`, { reason: data.reason || '' }) });
  if (!ok) return;
  const byID = new Map(list.items.map((e) => [e.application_id, e]));
  clear(out);
  out.append(card(`批量审批结果：${ok.total} 件，批准 ${ok.approved} 件`, h('table', { class: 'table', id: 'warmth-approve-results' },
    h('thead', null, h('tr', null, ['申请编号', '姓名', '结果', '说明'].map((t) => h('th', null, t)))),
    h('tbody', null, ok.items.map((it) => {
      const e = byID.get(it.id) || {};
      return h('tr', null, h('td', null, e.app_no || it.id), h('td', null, e.name || ''),
        h('td', null, it.ok ? badge('已批准', 'ok') : badge('未批准', 'danger')), h('td', null, it.message || APP[it.status] || ''));
    })))));
  rerender(false);
}

/** warmth renders the tab into body. */
export function warmth(body, c, ctx, rerender) {
  const out = h('div', { id: 'warmth-out' });
  const listBox = h('div');
  const reload = () => { clear(listBox); list(listBox, c); };
  const again = (full) => (full === false ? reload() : rerender());
  body.append(h('div', { class: 'page-actions' },
    c.actions.includes('apply-warmth') ? button('生成送温暖名单', () => build(c, out, again), { kind: 'primary', id: 'warmth-new' }) : null,
    c.actions.includes('approve-warmth') ? button('批量审批名单', () => approveAll(c, out, again), { id: 'warmth-approve' }) : null),
  out, listBox);
  list(listBox, c);
}

function list(box, c) {
  listView(box, {
    id: 'warmth-list', syncUrl: false, search: false,
    filters: [{ name: 'status', label: '申请状态', type: 'select', options: Object.entries(APP).map(([value, label]) => ({ value, label })) }],
    load: (q) => api('GET', withQuery(`/campaigns/${c.id}/warmth`, q)),
    exportPath: `/campaigns/${c.id}/warmth/export`,
    columns: [
      { key: 'app_no', title: '申请编号', nowrap: true, render: (e) => h('a', { href: `#/applications/${e.application_id}` }, e.app_no) },
      { key: 'file_no', title: '档案编号', render: (e) => e.file_no || badge('坚守岗位职工', 'info') },
      { key: 'name', title: '姓名' },
      { key: 'org_name', title: '基层工会' },
      { key: 'amount_fen', title: '金额', render: (e) => formatFen(e.amount_fen) },
      { key: 'status', title: '状态', render: (e) => badge(e.status_name || APP[e.status], ['approved', 'disbursed', 'received'].includes(e.status) ? 'ok' : ['rejected', 'cancelled'].includes(e.status) ? 'danger' : 'warn') },
    ],
  });
}
