// 帮扶活动 (SPEC §5): 送清凉, 免费体检 and 送温暖 (its tab in campaign-warmth.js) campaigns — the list, a campaign with its tabs (物资, 采购, 配送, 体检报名),
// the forms of each role, and the printable delivery slip (配送签收单) at #/campaigns/slip/<delivery id>.

import { api, withQuery, loadOrgs } from '/api.js';
import { warmth } from '/pages/campaign-warmth.js';
import { h, clear, pageHeader, card, field, select, listView, button, badge, formDialog, affix, moneyInput, formatFen, toast, dl, alert, todayISO, infoDialog, printButton } from '/ui.js';
import { CAMPAIGN_KINDS as KIND, CAMPAIGN_STATUS as STATUS, CAMPAIGN_ACTIONS, SITE_KINDS as SITE, ENROLMENT_STATUS as ENROL } from '/labels.js';

/** The lifecycle actions the campaign's header offers as buttons (when its actions allow them), and their wording. */
const LIFECYCLE = ['open', 'close'];
const actionName = (a) => `${CAMPAIGN_ACTIONS[a]}活动`;

export async function render(root, params, ctx) {
  if (params.rest[0] === 'slip' && params.rest[1]) return slip(root, params.rest[1], ctx);
  if (params.id) return detail(root, params.id, ctx, params.query);
  root.append(pageHeader('帮扶活动', ctx.may('POST /api/v1/campaigns') ? button('新建活动', () => create(ctx), { kind: 'primary', id: 'campaign-new' }) : null));
  listView(root, {
    id: 'campaign-list',
    query: params.query,
    search: '活动名称',
    filters: [
      { name: 'kind', label: '类型', type: 'select', options: Object.entries(KIND).map(([value, label]) => ({ value, label })) },
      { name: 'status', label: '状态', type: 'select', options: Object.entries(STATUS).map(([value, label]) => ({ value, label })) },
    ],
    load: (q) => api('GET', withQuery('/campaigns', q)),
    exportPath: '/campaigns/export',
    rowLink: (r) => `#/campaigns/${r.id}`,
    columns: [
      { key: 'name', title: '活动名称', render: (r) => h('a', { href: `#/campaigns/${r.id}` }, r.name) },
      { key: 'kind', title: '类型', render: (r) => KIND[r.kind] },
      { key: 'period', title: '活动期间', nowrap: true, render: (r) => `${r.starts_on} 至 ${r.ends_on}` },
      { key: 'org_name', title: '组织单位' },
      { key: 'budget_name', title: '预算科目' },
      { key: 'status', title: '状态', render: (r) => badge(STATUS[r.status], r.status === 'open' ? 'ok' : r.status === 'draft' ? 'warn' : 'info') },
    ],
  });
}

async function create(ctx) {
  const [orgs, lines] = await Promise.all([loadOrgs(), api('GET', withQuery('/funds', { per_page: 200 }))]);
  const accounts = lines.items.filter((a) => (a.kind === 'budget' || a.kind === 'allocation') && KIND[a.aid_type]);
  const out = await formDialog({ title: '新建帮扶活动', formId: 'campaign-form', wide: true,
    body: h('div', { class: 'form-grid' },
      field('活动类型', select('kind', Object.entries(KIND).map(([value, label]) => ({ value, label })), 'cooling'), { required: true }),
      field('活动名称', h('input', { name: 'name', maxlength: 100 }), { required: true }),
      field('开始日期', h('input', { type: 'date', name: 'starts_on' }), { required: true }),
      field('结束日期', h('input', { type: 'date', name: 'ends_on' }), { required: true }),
      field('组织单位', select('org_id', orgs.filter((o) => o.level < 4 || true).map((o) => ({ value: o.id, label: o.name })), ctx.me.org && ctx.me.org.id, { 'data-type': 'number' }), { required: true }),
      field('预算科目', select('budget_account_id', [{ value: '', label: '请选择' }, ...accounts.map((a) => ({ value: a.id, label: `${a.name}（可用 ${formatFen(a.available_fen)}）` }))], '', { 'data-type': 'number' }), { required: true, hint: '专款专用：只能选择与活动类型相同的预算科目' }),
      field('体检机构', h('input', { name: 'provider', maxlength: 100 }), { hint: '免费体检必填' }),
      field('每人体检费用', affix(moneyInput('price_fen', 0), '元'), { hint: '免费体检必填' }),
      field('说明', h('textarea', { name: 'note', rows: 2 }), { wide: true })),
    onSubmit: (data) => api('POST', '/campaigns', { ...data, price_fen: data.price_fen || 0 }) });
  if (out && out.id) ctx.navigate(`#/campaigns/${out.id}`);
}

async function detail(root, id, ctx, query) {
  const c = await api('GET', `/campaigns/${id}`);
  ctx.setTitle(c.name);
  const f = c.figures;
  const acts = c.actions.filter((a) => LIFECYCLE.includes(a)).map((a) => button(actionName(a), async () => {
    if (!(await ctx.confirm({ title: actionName(a), message: a === 'close' ? '结束后活动数据定稿，不能再登记任何内容。确定结束？' : `确定${actionName(a)}？`, danger: a === 'close' }))) return;
    await api('POST', `/campaigns/${id}/${a}`, {});
    toast(`已${actionName(a)}`);
    rerender();
  }, { id: `campaign-${a}`, kind: a === 'close' ? 'danger' : 'primary' }));
  const rerender = () => { clear(root); detail(root, id, ctx, query); };
  root.append(pageHeader(c.name, ...acts, printButton('campaign-print')),
    h('p', { class: 'muted' }, `${KIND[c.kind]} · ${c.org_name} · ${c.starts_on} 至 ${c.ends_on} · 预算科目：${c.budget_name} · `, badge(STATUS[c.status], c.status === 'open' ? 'ok' : 'info')));
  const figures = c.kind === 'warmth'
    ? [['名单户数', `${f.households} 户`], ['待审批及以后', `${f.applications} 件`], ['已批准', `${f.approved} 户`], ['已发放', `${f.paid} 户`],
      ['发放金额', formatFen(f.paid_fen)], ['预算可用', formatFen(f.budget_available_fen)]]
    : c.kind === 'cooling'
    ? [['采购金额', formatFen(f.purchased_value_fen)], ['配送价值', formatFen(f.delivered_value_fen)], ['覆盖点位', `${f.sites} 个（户外/高温 ${f.outdoor_sites} 个，驿站 ${f.rest_stations} 个）`],
      ['覆盖职工', `${f.workers_covered} 人`], ['点均价值', formatFen(f.value_per_site_fen)], ['人均价值', formatFen(f.value_per_worker_fen)], ['待签收配送', `${f.unconfirmed} 笔`], ['预算可用', formatFen(f.budget_available_fen)]]
    : [['名额', `${f.quota_total} 人`], ['已报名', `${f.enrolled} 人`], ['已体检', `${f.checked} 人`], ['报告已送达', `${f.reports_delivered} 人`], ['已退出', `${f.withdrawn} 人`],
      ['已支出', formatFen(f.spent_fen)], ['预算可用', formatFen(f.budget_available_fen)]];
  root.append(card('活动概况', h('div', { id: 'campaign-figures' }, dl(figures))));
  const tabs = c.kind === 'warmth' ? [['warmth', '送温暖名单']] : c.kind === 'cooling'
    ? [['goods', '物资与库存'], ['purchases', '采购入库'], ['deliveries', '配送签收']]
    : [['quotas', '名额'], ['enrolments', '体检报名']];
  const body = h('div', { class: 'tab-body' });
  const bar = h('div', { class: 'tabs', role: 'tablist' });
  const show = (key) => {
    bar.querySelectorAll('button').forEach((b) => b.classList.toggle('active', b.dataset.tab === key));
    clear(body);
    ({ goods, purchases, deliveries, quotas, enrolments, warmth })[key](body, c, ctx, rerender);
  };
  for (const [key, label] of tabs) bar.append(h('button', { type: 'button', class: 'btn tab', id: `tab-${key}`, dataset: { tab: key }, onclick: () => show(key) }, label));
  root.append(bar, body);
  show(query.tab && tabs.some(([k]) => k === query.tab) ? query.tab : tabs[tabs.length - 1][0]);
}

function table(columns, rows, id) {
  return h('table', { class: 'table', id },
    h('thead', null, h('tr', null, columns.map((col) => h('th', null, col[0])))),
    h('tbody', null, rows.length ? rows.map((r) => h('tr', null, columns.map((col) => h('td', null, col[1](r))))) : h('tr', null, h('td', { colspan: columns.length, class: 'muted' }, '暂无记录'))));
}

async function goods(body, c, ctx, rerender) {
  const r = await api('GET', `/campaigns/${c.id}/goods`);
  body.append(c.actions.includes('add-good') ? button('登记物资', () => addGood(c, rerender), { id: 'good-new', kind: 'primary' }) : null,
    table([['物资', (g) => g.name], ['单位', (g) => g.unit], ['单价', (g) => formatFen(g.unit_price_fen)], ['采购入库', (g) => g.purchased_qty],
      ['已配送', (g) => g.delivered_qty], ['库存', (g) => h('strong', null, String(g.stock_qty))]], r.items, 'goods-table'));
}

function addGood(c, rerender) {
  return formDialog({ title: '登记物资', formId: 'good-form',
    body: h('div', { class: 'form-grid' },
      field('物资名称', h('input', { name: 'name', maxlength: 40 }), { required: true }),
      field('计量单位', h('input', { name: 'unit', maxlength: 8, placeholder: '箱、盒、瓶' }), { required: true }),
      field('单价', affix(moneyInput('unit_price_fen', 0), '元'), { required: true })),
    onSubmit: async (data) => { await api('POST', `/campaigns/${c.id}/goods`, data); toast('已登记物资'); rerender(); } });
}

async function purchases(body, c, ctx, rerender) {
  const [r, g] = await Promise.all([api('GET', `/campaigns/${c.id}/purchases`), api('GET', `/campaigns/${c.id}/goods`)]);
  body.append(c.actions.includes('purchase') ? button('采购入库', () => buy(c, g.items, rerender), { id: 'purchase-new', kind: 'primary' }) : null,
    table([['日期', (p) => p.purchased_on], ['物资', (p) => p.good_name], ['数量', (p) => `${p.quantity} ${p.unit}`], ['金额', (p) => formatFen(p.cost_fen)],
      ['供应商', (p) => p.supplier], ['发票号', (p) => p.invoice_no], ['经办', (p) => p.created_by],
      ['', (p) => (p.reversed_at ? badge('已冲销', 'danger') : c.actions.includes('reverse-purchase') ? button('冲销', () => reverse(`/campaigns/purchases/${p.id}/reverse`, rerender), { kind: 'link' }) : '')]], r.items, 'purchases-table'));
}

function buy(c, goodsList, rerender) {
  return formDialog({ title: '采购入库', formId: 'purchase-form', wide: true,
    body: h('div', { class: 'form-grid' },
      field('物资', select('good_id', [{ value: '', label: '请选择' }, ...goodsList.map((g) => ({ value: g.id, label: `${g.name}（${g.unit}）` }))], '', { 'data-type': 'number' }), { required: true }),
      field('数量', h('input', { name: 'quantity', type: 'number', min: 1, 'data-type': 'int' }), { required: true }),
      field('金额', affix(moneyInput('cost_fen', 0), '元'), { required: true, hint: '从活动预算科目列支' }),
      field('采购日期', h('input', { type: 'date', name: 'purchased_on', value: todayISO() }), { required: true }),
      field('供应商', h('input', { name: 'supplier', maxlength: 100 }), { required: true }),
      field('发票号码', h('input', { name: 'invoice_no', maxlength: 64 }), { required: true })),
    onSubmit: async (data) => { await api('POST', `/campaigns/${c.id}/purchases`, data); toast('已入库'); rerender(); } });
}

function reverse(path, rerender) {
  return formDialog({ title: '冲销', formId: 'reverse-form', danger: true, submitText: '冲销',
    body: h('div', { class: 'form-grid' }, field('冲销原因', h('textarea', { name: 'reason', rows: 2 }), { required: true, wide: true })),
    onSubmit: async (data) => { await api('POST', path, data); toast('已冲销'); rerender(); } });
}

async function deliveries(body, c, ctx, rerender) {
  const [g, rep] = await Promise.all([api('GET', `/campaigns/${c.id}/goods`), api('GET', `/campaigns/${c.id}/report`)]);
  body.append(card('配送点汇总', table([['配送点', (st) => st.site_name], ['类型', (st) => SITE[st.site_kind]], ['户外/高温', (st) => (st.outdoor ? '是' : '否')],
    ['配送次数', (st) => st.deliveries], ['覆盖职工', (st) => st.workers], ['配送价值', (st) => formatFen(st.value_fen)], ['人均价值', (st) => formatFen(st.value_per_worker_fen)],
    ['签收', (st) => h('span', { class: 'site-status' }, st.confirmed ? badge('已签收', 'ok') : badge(`${st.unconfirmed} 笔待签收`, 'warn'))]], rep.sites, 'sites-table')));
  body.append(c.actions.includes('deliver') ? button('登记配送', () => deliver(c, g.items, ctx, rerender), { id: 'delivery-new', kind: 'primary' }) : null);
  listView(body, {
    id: 'delivery-list', syncUrl: false, search: '配送点',
    filters: [{ name: 'status', label: '签收', type: 'select', options: [{ value: 'unconfirmed', label: '待签收' }, { value: 'confirmed', label: '已签收' }, { value: 'reversed', label: '已冲销' }] }],
    load: (q) => api('GET', withQuery(`/campaigns/${c.id}/deliveries`, q)),
    exportPath: `/campaigns/${c.id}/deliveries/export`, unmasked: ctx.can('export.unmasked'),
    columns: [
      { key: 'delivery_no', title: '配送单号', nowrap: true },
      { key: 'delivered_on', title: '日期', nowrap: true },
      { key: 'site_name', title: '配送点', render: (d) => h('span', null, d.site_name, ' ', badge(SITE[d.site_kind], 'info'), d.outdoor ? badge('户外/高温', 'warn') : null) },
      { key: 'items', title: '物资', render: (d) => d.items.map((i) => `${i.good_name} ${i.quantity}${i.unit}`).join('，') },
      { key: 'workers', title: '覆盖职工', align: 'right' },
      { key: 'value_fen', title: '价值' },
      { key: 'receiver_name', title: '收货人' },
      { key: 'status', title: '签收', render: (d) => h('span', { class: 'delivery-status' }, badge(d.status_name, d.status === 'confirmed' ? 'ok' : d.status === 'reversed' ? 'danger' : 'warn')) },
      { key: 'act', title: '', noPrint: true, render: (d) => h('span', null,
        h('a', { href: `#/campaigns/slip/${d.id}`, class: 'btn btn-link' }, '签收单'),
        d.actions.includes('confirm') ? button('登记签字', () => confirmSignature(d, rerender), { kind: 'link' }) : null,
        d.actions.includes('reissue-code') ? button('确认码', () => reissue(d), { kind: 'link' }) : null,
        d.actions.includes('reverse-delivery') ? button('冲销', () => reverse(`/campaigns/deliveries/${d.id}/reverse-delivery`, rerender), { kind: 'link' }) : null) },
    ],
  });
}

// deliver records one delivery of one or more goods: a row per good (物资 and 数量, named items[i].good_id and
// items[i].quantity so that the server's field errors land beside the row they concern).
async function deliver(c, goodsList, ctx, rerender) {
  const orgs = (await loadOrgs()).filter((o) => o.level === 4);
  const options = goodsList.map((g) => ({ value: g.id, label: `${g.name}（库存 ${g.stock_qty} ${g.unit}）` }));
  const rows = h('div', { class: 'delivery-items', id: 'delivery-items' });
  const renumber = () => {
    [...rows.children].forEach((row, i) => {
      row.querySelector('select').name = `items[${i}].good_id`;
      row.querySelector('input').name = `items[${i}].quantity`;
      row.querySelector('.item-remove').hidden = rows.children.length === 1;
    });
    add.disabled = rows.children.length >= Math.min(goodsList.length, 50);
  };
  const addRow = () => {
    const used = new Set([...rows.querySelectorAll('select')].map((sel) => sel.value));
    const next = options.find((o) => !used.has(String(o.value)));
    const row = h('div', { class: 'delivery-item form-grid' },
      field('物资', select('good_id', options, next ? next.value : '', { 'data-type': 'number' }), { required: true }),
      field('数量', h('input', { name: 'quantity', type: 'number', min: 1, 'data-type': 'int' }), { required: true }),
      h('div', { style: { alignSelf: 'flex-end', marginBottom: '14px' } },
        button('删除', () => { row.remove(); renumber(); }, { kind: 'link', class: 'item-remove' })));
    rows.append(row);
    renumber();
  };
  const add = button('添加一种物资', () => addRow(), { id: 'delivery-add-item' });
  addRow();
  const out = await formDialog({ title: '登记配送', formId: 'delivery-form', wide: true,
    body: h('div', null, h('div', { class: 'form-grid' },
      field('配送点类型', select('site_kind', Object.entries(SITE).map(([value, label]) => ({ value, label })), 'rest_station'), { required: true }),
      field('基层工会', select('site_org_id', [{ value: '', label: '（配送到基层工会时选择）' }, ...orgs.map((o) => ({ value: o.id, label: o.name }))], '', { 'data-type': 'number' })),
      field('配送点名称', h('input', { name: 'site_name', maxlength: 100 })),
      field('地址', h('input', { name: 'site_address', maxlength: 200 })),
      field('户外/高温作业', h('label', { class: 'choice' }, h('input', { type: 'checkbox', name: 'outdoor', 'data-type': 'bool', checked: true }), h('span', null, '是'))),
      field('覆盖职工人数', h('input', { name: 'workers', type: 'number', min: 1, 'data-type': 'int' }), { required: true }),
      field('配送日期', h('input', { type: 'date', name: 'delivered_on', value: todayISO() }), { required: true }),
      field('收货人', h('input', { name: 'receiver_name', maxlength: 40 }), { required: true }),
      field('收货人手机', h('input', { name: 'receiver_phone', maxlength: 11 }))),
    h('h4', null, '配送物资'), rows, add),
    onSubmit: async (data) => {
      const body = { items: [] };
      for (const [k, v] of Object.entries(data)) {
        const m = /^items\[(\d+)\]\.(good_id|quantity)$/.exec(k);
        if (m) (body.items[m[1]] = body.items[m[1]] || {})[m[2]] = v;
        else if (k !== 'site_org_id' || v) body[k] = v;
      }
      return api('POST', `/campaigns/${c.id}/deliveries`, body);
    } });
  if (out && out.id) { showCode(out); rerender(); }
}

function showCode(d) {
  return infoDialog({ title: '收货确认码', id: 'code-dialog',
    body: h('div', null, h('p', null, `配送单 ${d.delivery_no} 已登记。请将确认码告知收货人 ${d.receiver_name}，收货人用手机打开下方地址输入确认码即可签收（7 天内有效，仅可使用一次）。`),
      h('p', { class: 'confirm-code', id: 'confirmation-code' }, d.confirmation_code),
      h('p', null, h('code', null, `${location.origin}/#/confirm`)),
      h('p', null, h('a', { href: `#/campaigns/slip/${d.id}?code=${encodeURIComponent(d.confirmation_code)}`, class: 'btn', id: 'print-slip' }, '打印配送签收单'))) });
}

async function reissue(d) {
  const out = await api('POST', `/campaigns/deliveries/${d.id}/reissue-code`, {});
  showCode(out);
}

function confirmSignature(d, rerender) {
  return formDialog({ title: `登记签字签收：${d.delivery_no}`, formId: 'signature-form',
    body: h('div', { class: 'form-grid' }, field('签收单编号或签字记录', h('input', { name: 'signature_ref', maxlength: 100 }), { required: true, wide: true })),
    onSubmit: async (data) => { await api('POST', `/campaigns/deliveries/${d.id}/confirm`, data); toast('已登记签收'); rerender(); } });
}

async function quotas(body, c, ctx, rerender) {
  const r = await api('GET', `/campaigns/${c.id}/quotas`);
  body.append(c.actions.includes('set-quota') ? button('设置名额', () => setQuota(c, rerender), { id: 'quota-new', kind: 'primary' }) : null,
    table([['基层工会', (q) => q.org_name], ['名额', (q) => q.quota], ['已报名', (q) => q.enrolled], ['已体检', (q) => q.checked], ['报告已送达', (q) => q.reports_delivered]], r.items, 'quota-table'));
}

async function setQuota(c, rerender) {
  const orgs = (await loadOrgs()).filter((o) => o.level === 4);
  return formDialog({ title: '设置体检名额', formId: 'quota-form',
    body: h('div', { class: 'form-grid' },
      field('基层工会', select('org_id', orgs.map((o) => ({ value: o.id, label: o.name })), '', { 'data-type': 'number' }), { required: true }),
      field('名额', h('input', { name: 'quota', type: 'number', min: 0, 'data-type': 'int' }), { required: true })),
    onSubmit: async (data) => { await api('PUT', `/campaigns/${c.id}/quotas`, { quotas: [data] }); toast('已设置名额'); rerender(); } });
}


function enrolments(body, c, ctx, rerender) {
  body.append(c.actions.includes('enrol') ? button('报名', () => enrol(c, rerender), { id: 'enrol-new', kind: 'primary' }) : null);
  listView(body, {
    id: 'enrolment-list', syncUrl: false, search: '姓名',
    filters: [{ name: 'status', label: '状态', type: 'select', options: Object.entries(ENROL).map(([value, label]) => ({ value, label })) }],
    load: (q) => api('GET', withQuery(`/campaigns/${c.id}/enrolments`, q)),
    exportPath: `/campaigns/${c.id}/enrolments/export`, unmasked: ctx.can('export.unmasked'),
    columns: [
      { key: 'name', title: '姓名', render: (e) => h('span', null, e.name, e.migrant ? badge('农民工', 'info') : null, e.household_id ? badge('建档', 'ok') : null) },
      { key: 'id_number', title: '身份证号', nowrap: true },
      { key: 'org_name', title: '基层工会' },
      { key: 'status', title: '状态', render: (e) => badge(e.status_name, e.status === 'withdrawn' ? 'danger' : 'ok') },
      { key: 'checked_on', title: '体检日期' },
      { key: 'report_on', title: '报告送达' },
      { key: 'act', title: '', noPrint: true, render: (e) => h('span', null,
        e.actions.includes('check') ? button('已体检', () => step(e, 'check', '登记已体检', rerender), { kind: 'link' }) : null,
        e.actions.includes('deliver-report') ? button('报告已送达', () => step(e, 'deliver-report', '登记报告送达', rerender), { kind: 'link' }) : null,
        e.actions.includes('withdraw') ? button('退出', () => step(e, 'withdraw', '退出体检', rerender), { kind: 'link' }) : null) },
    ],
  });
}

async function enrol(c, rerender) {
  const orgs = (await loadOrgs()).filter((o) => o.level === 4);
  return formDialog({ title: '体检报名', formId: 'enrol-form',
    body: h('div', { class: 'form-grid' },
      field('基层工会', select('org_id', orgs.map((o) => ({ value: o.id, label: o.name })), '', { 'data-type': 'number' }), { required: true }),
      field('姓名', h('input', { name: 'name', maxlength: 40 }), { required: true }),
      field('身份证号', h('input', { name: 'id_number', maxlength: 18 }), { required: true }),
      field('手机号', h('input', { name: 'phone', maxlength: 11 })),
      field('农民工', h('label', { class: 'choice' }, h('input', { type: 'checkbox', name: 'migrant', 'data-type': 'bool' }), h('span', null, '是')))),
    onSubmit: async (data) => { await api('POST', `/campaigns/${c.id}/enrolments`, data); toast('已报名'); rerender(); } });
}

function step(e, action, title, rerender) {
  const ctl = action === 'withdraw'
    ? field('退出原因', h('textarea', { name: 'reason', rows: 2 }), { required: true, wide: true })
    : field('日期', h('input', { type: 'date', name: 'date', value: todayISO() }), { required: true });
  return formDialog({ title: `${title}：${e.name}`, formId: 'enrolment-form', body: h('div', { class: 'form-grid' }, ctl),
    onSubmit: async (data) => { await api('POST', `/campaigns/enrolments/${e.id}/${action}`, data); toast('已登记'); rerender(); } });
}

// 配送签收单: prints on one A4 page; the code is shown only when the page was opened right after it was issued.
async function slip(root, id, ctx) {
  const d = await api('GET', `/campaigns/deliveries/${id}`);
  const code = new URLSearchParams((location.hash.split('?')[1] || '')).get('code');
  ctx.setTitle(`配送签收单 ${d.delivery_no}`);
  // The QR code opens the receiver's phone page with the code filled in; the code goes in the request's body.
  const qr = h('img', { id: 'slip-qr', alt: '手机签收二维码', width: 140, height: 140, style: { float: 'right', marginLeft: '12px' } });
  if (code) api('POST', `/campaigns/deliveries/${id}/qr`, { code }).then((r) => { qr.src = r.png; qr.title = r.url; }).catch(() => qr.remove());
  root.classList.add('print-page');
  root.append(h('div', { class: 'no-print page-actions' }, button('打印', () => window.print(), { kind: 'primary', id: 'slip-print' }), h('a', { class: 'btn', href: `#/campaigns/${d.campaign_id}?tab=deliveries` }, '返回')),
    h('div', { class: 'slip', id: 'delivery-slip' },
      h('h1', { class: 'slip-title' }, '配送签收单'),
      h('p', { class: 'slip-sub' }, `${d.campaign_name} · 单号 ${d.delivery_no}`),
      dl([['配送点', `${d.site_name}（${SITE[d.site_kind]}${d.outdoor ? '，户外/高温作业' : ''}）`], ['地址', d.site_address || '—'], ['配送日期', d.delivered_on],
        ['覆盖职工', `${d.workers} 人`], ['收货人', d.receiver_name], ['签收状态', d.status_name + (d.confirmed_at ? `（${d.confirmed_at.slice(0, 10)}）` : '')]]),
      table([['物资', (i) => i.good_name], ['数量', (i) => `${i.quantity} ${i.unit}`], ['价值', (i) => formatFen(i.value_fen)]], d.items, 'slip-items'),
      h('p', { class: 'slip-total' }, `合计价值：${formatFen(d.value_fen)}`),
      code ? h('div', { class: 'slip-code' }, qr,
        h('p', null, `手机签收：用手机扫描二维码，或打开 ${location.origin}/#/confirm 输入确认码 `, h('strong', null, code), '（7 天内有效，仅可使用一次）')) : null,
      h('div', { class: 'slip-sign' }, h('span', null, '收货人签字：________________'), h('span', null, '配送人签字：________________'), h('span', null, '日期：____年__月__日'))));
}
