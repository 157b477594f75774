// 困难职工档案 (SPEC §3): #/households search and list; #/households/new and #/households/{id}/edit the stepwise
// form; #/households/{id} the detail page (status, category with its arithmetic, members, visits, objections,
// documents, history, and exactly the actions the server lists); #/households/{id}/print the printable file.

import { api, withQuery, loadOrgs } from '/api.js';
import {
  h, clear, pageHeader, card, field, select, checkboxes, formActions, bindForm, listView, linkButton, button, badge,
  dl, formatFen, formatDate, formatDateTime, moneyInput, affix, alert, errorBox, formDialog, infoDialog, todayISO, toast,
} from '/ui.js';
import {
  HOUSEHOLD_STATUS, CATEGORIES, GENDERS, INDUSTRIES, CAUSES, RELATIONS, SCHOOL_STAGES, EMPLOYMENT, HEALTH, DISABILITY,
  EXIT_REASONS, DOCUMENT_KINDS, HOUSEHOLD_ACTIONS, REVIEW_DECISIONS, options, label, maskName, actionLabel,
} from '/labels.js';

export async function render(root, params, ctx) {
  if (params.path === '/households/new') return renderForm(root, null, ctx);
  if (!params.id) return renderList(root, params, ctx);
  if (params.rest[1] === 'edit') return renderForm(root, params.id, ctx);
  if (params.rest[1] === 'print') return renderPrint(root, params.id);
  return renderDetail(root, params.id, ctx);
}

const STATUS_KIND = { draft: 'muted', submitted: 'info', visited: 'info', publicizing: 'warn', filed: 'ok', review_due: 'warn', exited: 'muted', rejected: 'danger' };
const statusBadge = (s) => badge(label(HOUSEHOLD_STATUS, s), STATUS_KIND[s] || 'info');

function renderList(root, params, ctx) {
  const capped = h('p', { id: 'household-list-capped', class: 'muted', hidden: true },
    '符合条件的档案超过 10,000 条，总数显示为“10,000+”，可继续翻页；输入姓名或选择筛选条件可缩小范围。');
  root.append(pageHeader('困难职工档案',
    ctx.may('POST /api/v1/households') ? linkButton('新建档案', '#/households/new', { kind: 'primary', id: 'household-new' }) : null));
  listView(root, {
    id: 'household-list',
    query: params.query,
    search: '姓名、身份证号（全号或后4位以上）、手机号',
    filters: [
      { name: 'status', label: '状态', type: 'select', options: options(HOUSEHOLD_STATUS) },
      { name: 'category', label: '类别', type: 'select', options: options(CATEGORIES) },
      { name: 'cause', label: '主要致困原因', type: 'select', options: options(CAUSES) },
      { name: 'industry', label: '行业', type: 'select', options: options(INDUSTRIES) },
      { name: 'migrant', label: '农民工', type: 'select', options: [{ value: '1', label: '是' }, { value: '0', label: '否' }] },
      { name: 'org_id', label: '基层工会', type: 'select', options: async () => (await loadOrgs()).filter((o) => o.level === 4).map((o) => ({ value: o.id, label: o.name })) },
      { name: 'sort', label: '排序', type: 'select', all: '最近更新', options: [{ value: 'name', label: '姓名' }, { value: 'file_no', label: '档案编号' }, { value: 'per_capita', label: '人均收入' }, { value: 'filed', label: '建档日期' }] },
    ],
    // The server counts matches up to 10,000 (SPEC §10); beyond, the total reads "10,000+" and this note says why.
    load: async (q) => {
      const res = await api('GET', withQuery('/households', q));
      capped.hidden = !(res && res.total_capped);
      return res;
    },
    exportPath: '/households/export',
    unmasked: ctx.can('export.unmasked'),
    rowLink: (x) => `#/households/${x.id}`,
    empty: '没有符合条件的档案',
    columns: [
      { key: 'file_no', title: '档案编号', nowrap: true, render: (x) => h('a', { href: `#/households/${x.id}` }, x.file_no) },
      { key: 'name', title: '户主' },
      { key: 'id_number', title: '身份证号', nowrap: true },
      { key: 'phone', title: '手机号', nowrap: true },
      { key: 'org_name', title: '基层工会' },
      { key: 'main_cause', title: '主要原因', render: (x) => label(CAUSES, x.main_cause) },
      { key: 'category', title: '类别', render: (x) => (x.category ? label(CATEGORIES, x.category) : h('span', { class: 'muted' }, `建议：${label(CATEGORIES, x.suggested_category)}`)) },
      { key: 'per_capita_fen', title: '人均月收入' },
      { key: 'status', title: '状态', nowrap: true, render: (x) => statusBadge(x.status) },
    ],
  });
  root.append(capped);
  const q = root.querySelector('#household-list-q');
  if (q) q.focus();
}

// ───── the stepwise form ─────

const STEPS = ['户主信息', '家庭成员', '收入与支出', '致困原因与排除情形', '材料'];
const sel = (name, map, value, attrs = {}) => select(name, [{ value: '', label: '请选择' }, ...options(map)], value ?? '', attrs);
const text = (name, value, attrs = {}) => h('input', { name, value: value ?? '', autocomplete: 'off', ...attrs });
const yesNo = (name, value, labelText) => h('label', { class: 'choice' }, h('input', { type: 'checkbox', name, 'data-type': 'bool', checked: !!value }), h('span', null, labelText));

/**
 * memberRow: one household member's fields. p prefixes every control name ('household.' in the application form,
 * where the server's field paths are household.members[0].id_number), so field errors land beside the right control.
 */
export function memberRow(m, i, p = '') {
  const q = `${p}members[${i}].`;
  return h('fieldset', { class: 'fieldset member-row', dataset: { index: i } },
    h('legend', null, `成员 ${i + 1}`),
    m.id ? h('input', { type: 'hidden', name: q + 'id', value: m.id, 'data-type': 'int' }) : null,
    h('div', { class: 'form-grid' },
      field('姓名', text(q + 'name', m.name), { required: true }),
      field('与户主关系', sel(q + 'relation', RELATIONS, m.relation), { required: true }),
      field('身份证号', text(q + 'id_number', m.id_number, { maxlength: 18 }), { required: true }),
      field('出生日期', h('input', { type: 'date', name: q + 'birth_date', value: m.birth_date || '' }), { hint: '可不填，按身份证号自动计算' }),
      field('健康状况', sel(q + 'health', HEALTH, m.health || 'healthy'), { required: true }),
      field('残疾情况', sel(q + 'disability', DISABILITY, m.disability || 'none'), { required: true }),
      field('就业状况', sel(q + 'employment_status', EMPLOYMENT, m.employment_status), { required: true }),
      field('在读阶段', sel(q + 'school_stage', SCHOOL_STAGES, m.school_stage || 'none'), { required: true }),
      field('月收入', affix(moneyInput(q + 'monthly_income_fen', m.monthly_income_fen ?? 0), '元'))),
    button('删除此成员', (ev) => { ev.target.closest('.member-row').remove(); }, { kind: 'link', class: 'member-remove' }));
}

/** fillFromID: once an 18-digit ID number is typed, an empty birth date and gender are filled in from it (GB 11643). */
function fillFromID(idInput, birthInput, genderSel) {
  idInput.addEventListener('input', () => {
    const v = idInput.value.trim();
    if (!/^\d{17}[\dXx]$/.test(v)) return;
    const birth = `${v.slice(6, 10)}-${v.slice(10, 12)}-${v.slice(12, 14)}`;
    if (!birthInput.value && !Number.isNaN(Date.parse(birth))) birthInput.value = birth;
    if (!genderSel.value) genderSel.value = Number(v[16]) % 2 ? 'male' : 'female';
  });
}

/** headFields: the head of household's fields (SPEC §3.1), for a .form-grid; p prefixes the control names. */
export function headFields(x, orgs, p = '') {
  const id = text(p + 'id_number', x.id_number, { maxlength: 18 });
  const birth = h('input', { type: 'date', name: p + 'birth_date', value: x.birth_date || '' });
  const gender = select(p + 'gender', [{ value: '', label: '请选择' }, ...options(GENDERS)], x.gender ?? '');
  fillFromID(id, birth, gender);
  return [
    field('基层工会', select(p + 'org_id', [{ value: '', label: '请选择' }, ...orgs.map((o) => ({ value: o.id, label: o.name }))], x.org_id ?? '', { 'data-type': 'number' }), { required: true }),
    field('户主姓名', text(p + 'name', x.name), { required: true }),
    field('身份证号', id, { required: true, hint: '18位，校验位自动核对；出生日期和性别须与身份证号一致' }),
    field('性别', gender, { required: true }),
    field('出生日期', birth, { required: true }),
    field('手机号', text(p + 'phone', x.phone, { maxlength: 11, inputmode: 'tel' }), { required: true }),
    field('工作单位', text(p + 'employer', x.employer)),
    field('行业', sel(p + 'industry', INDUSTRIES, x.industry), { required: true }),
    field('就业状况', sel(p + 'employment_status', EMPLOYMENT, x.employment_status), { required: true }),
    field('入会时间', h('input', { type: 'date', name: p + 'union_member_since', value: x.union_member_since || '' })),
    field('健康状况', sel(p + 'health', HEALTH, x.health || 'healthy'), { required: true }),
    field('残疾情况', sel(p + 'disability', DISABILITY, x.disability || 'none'), { required: true }),
    field('银行卡号', text(p + 'bank_card', x.bank_card, { maxlength: 19, inputmode: 'numeric' }), { required: true, hint: '本人实名银行卡' }),
    field('农民工', yesNo(p + 'migrant', x.migrant, '是农民工')),
    field('家庭住址', text(p + 'address', x.address), { required: true, wide: true }),
  ];
}

/** membersBlock: the member rows with the button that adds one (addId: that button's id). */
export function membersBlock(x, p = '', addId = 'member-add') {
  const members = h('div', { class: 'members' }, (x.members || []).map((m, i) => memberRow(m, i, p)));
  return h('div', null, members, button('添加家庭成员', () => members.append(memberRow({}, Date.now() % 100000, p)), { id: addId }));
}

/** incomeFields / expenseFields: the last 12 months' income by kind and unavoidable expenditure, in yuan. */
export function incomeFields(x, p = '') {
  return [
    field('工资性收入', affix(moneyInput(p + 'income_wages_fen', x.income_wages_fen ?? 0), '元')),
    field('经营性收入', affix(moneyInput(p + 'income_business_fen', x.income_business_fen ?? 0), '元')),
    field('财产性收入', affix(moneyInput(p + 'income_property_fen', x.income_property_fen ?? 0), '元')),
    field('转移性收入', affix(moneyInput(p + 'income_transfer_fen', x.income_transfer_fen ?? 0), '元')),
  ];
}

export function expenseFields(x, p = '') {
  return [
    field('医疗自付', affix(moneyInput(p + 'expense_medical_fen', x.expense_medical_fen ?? 0), '元')),
    field('残疾康复', affix(moneyInput(p + 'expense_disability_fen', x.expense_disability_fen ?? 0), '元')),
    field('子女就学', affix(moneyInput(p + 'expense_schooling_fen', x.expense_schooling_fen ?? 0), '元')),
    field('住房', affix(moneyInput(p + 'expense_housing_fen', x.expense_housing_fen ?? 0), '元')),
  ];
}

/** causeFields: the main and secondary causes (for a .form-grid); exclusionFields: the five yes/no exclusions. */
export function causeFields(x, p = '') {
  return [
    field('主要致困原因', sel(p + 'main_cause', CAUSES, x.main_cause), { required: true }),
    field('次要原因（最多三项）', checkboxes(p + 'secondary_causes', options(CAUSES), x.secondary_causes), { wide: true }),
  ];
}

export function exclusionFields(x, p = '') {
  return [
    yesNo(p + 'excl_car', x.excl_car, '家庭拥有机动车（残疾人代步车除外）'), yesNo(p + 'excl_homes', x.excl_homes, '拥有两套及以上住房'),
    yesNo(p + 'excl_shareholder', x.excl_shareholder, '为企业控股股东'), yesNo(p + 'excl_child_abroad', x.excl_child_abroad, '子女自费出国留学'),
    yesNo(p + 'excl_refused_checks', x.excl_refused_checks, '拒绝配合经济状况核查'),
  ];
}

/**
 * householdBody: the body POST/PUT /households takes, from readForm's data of the controls named p + …, with the
 * member rows inside root in page order. The rows are renumbered so that the server's field paths point at what
 * the user sees.
 */
export function householdBody(data, root, p = '') {
  const body = { members: [], secondary_causes: data[p + 'secondary_causes'] || [] };
  const rows = new Map();
  for (const [name, v] of Object.entries(data)) {
    if (!name.startsWith(p)) continue;
    const k = name.slice(p.length);
    const m = /^members\[(\d+)\]\.(.+)$/.exec(k);
    if (m) { if (!rows.has(m[1])) rows.set(m[1], {}); rows.get(m[1])[m[2]] = v; } else if (k !== 'secondary_causes') body[k] = v;
  }
  const els = [...root.querySelectorAll('.member-row')];
  const ordered = els.map((el) => rows.get(String(el.dataset.index))).filter(Boolean);
  const prefix = `${p}members[`;
  els.forEach((el, i) => {
    el.querySelectorAll('[name]').forEach((c) => {
      if (c.name.startsWith(prefix)) c.name = c.name.replace(/^(.*?members)\[\d+\]/, `$1[${i}]`);
    });
    el.dataset.index = i;
    const legend = el.querySelector('legend');
    if (legend) legend.textContent = `成员 ${i + 1}`;
  });
  for (const m of ordered) {
    if (m.id === null || m.id === undefined) delete m.id;
    if (!m.birth_date) delete m.birth_date;
    body.members.push(m);
  }
  for (const k of Object.keys(body)) if (k.endsWith('_fen') && body[k] === null) body[k] = 0;
  return body;
}

async function renderForm(root, id, ctx) {
  let x = { members: [], secondary_causes: [], migrant: false };
  if (id) {
    try { x = await api('GET', `/households/${encodeURIComponent(id)}`); } catch (err) { root.append(errorBox(err)); return; }
  }
  const orgs = (await loadOrgs().catch(() => [])).filter((o) => o.level === 4);
  root.append(pageHeader(id ? `修改档案 ${x.file_no}` : '新建困难职工档案', linkButton('返回', id ? `#/households/${id}` : '#/households')));
  const steps = [
    h('div', { class: 'form-grid' }, headFields(x, orgs)),
    h('div', { id: 'members' }, membersBlock(x)),
    h('div', null, h('p', { class: 'muted' }, '近12个月家庭收入（元）'),
      h('div', { class: 'form-grid' }, incomeFields(x)),
      h('p', { class: 'muted' }, '近12个月刚性支出（元）'),
      h('div', { class: 'form-grid' }, expenseFields(x))),
    h('div', null,
      h('div', { class: 'form-grid' }, causeFields(x)),
      h('fieldset', { class: 'fieldset' }, h('legend', null, '排除情形（有任一项则不符合建档条件）'), exclusionFields(x)),
      field('备注', h('textarea', { name: 'note', rows: 3 }, x.note || ''), { wide: true })),
    h('div', null, alert('材料（身份证、户口簿、收入证明、核对授权书等）在保存后于档案详情页上传；只接受 JPG、PNG 图片或 PDF，单个不超过10MB。', 'info')),
  ];
  let current = 0;
  const tabs = h('ol', { class: 'steps', id: 'household-steps' }, STEPS.map((s, i) => h('li', null, button(`${i + 1}. ${s}`, () => show(i), { kind: 'link', id: `step-${i}` }))));
  const panes = steps.map((s, i) => h('section', { class: 'step-pane', dataset: { step: i } }, h('h2', { class: 'card-title' }, STEPS[i]), s));
  function show(i) {
    current = i;
    panes.forEach((p, k) => { p.hidden = k !== i; });
    tabs.querySelectorAll('li').forEach((li, k) => li.classList.toggle('active', k === i));
    prev.disabled = i === 0;
    next.hidden = i === STEPS.length - 1;
  }
  const prev = button('上一步', () => show(current - 1), { id: 'step-prev' });
  const next = button('下一步', () => show(current + 1), { id: 'step-next' });
  const form = h('form', { class: 'form', id: 'household-form' }, tabs, panes,
    formActions(prev, next, h('button', { type: 'submit', class: 'btn btn-primary', id: 'household-save' }, id ? '保存修改' : '保存草稿')));
  bindForm(form, async (data) => {
    const body = householdBody(data, form);
    try {
      const saved = await api(id ? 'PUT' : 'POST', id ? `/households/${id}` : '/households', body);
      toast(id ? '档案已保存' : `已建立档案 ${saved.file_no}`);
      ctx.navigate(`#/households/${saved.id}`);
    } catch (err) {
      // Show the first step that has an error; everything typed stays.
      const name = Object.keys(err.fields || {})[0];
      const ctl = name && form.querySelector(`[name="${CSS.escape(name)}"]`);
      const pane = ctl && ctl.closest('.step-pane');
      if (pane) show(Number(pane.dataset.step));
      throw err;
    }
  });
  root.append(card(null, form));
  show(0);
}

// ───── detail ─────

async function renderDetail(root, id, ctx) {
  let x;
  try { x = await api('GET', `/households/${encodeURIComponent(id)}`); } catch (err) { root.append(errorBox(err)); return; }
  const [visits, objections, docs, hist] = await Promise.all([
    api('GET', `/households/${x.id}/visits`), api('GET', `/households/${x.id}/objections`),
    api('GET', `/households/${x.id}/documents`), api('GET', withQuery(`/households/${x.id}/history`, { per_page: 100 })),
  ]);
  const reload = () => { clear(root); renderDetail(root, id, ctx); };
  const can = (a) => x.actions.includes(a);
  const buttons = x.actions.filter((a) => HOUSEHOLD_ACTIONS[a]).map((a) => button(HOUSEHOLD_ACTIONS[a], () => runAction(a, x, objections.items, reload, ctx),
    { id: `action-${a}`, kind: ['reject', 'exit'].includes(a) ? 'danger' : 'primary' }));
  root.append(pageHeader(`档案 ${x.file_no}`,
    can('apply') ? linkButton('申请救助', `#/applications/new?household_id=${x.id}`, { kind: 'primary', id: 'household-apply' }) : null,
    can('applications') ? linkButton('救助记录', `#/applications?household_id=${x.id}`, { id: 'household-applications' }) : null,
    can('edit') ? linkButton('修改', `#/households/${x.id}/edit`, { id: 'household-edit' }) : null,
    linkButton('打印', `#/households/${x.id}/print`, { id: 'household-print' }),
    can('reveal') ? button('显示完整号码', () => reveal(x), { id: 'household-reveal' }) : null));
  root.append(h('div', { class: 'page-actions', id: 'household-actions' }, buttons.length ? buttons : h('span', { class: 'muted' }, '当前没有您可执行的操作')));
  const cat = x.category || x.suggested_category;
  root.append(card('概况', dl([
    ['状态', h('span', { id: 'household-status' }, statusBadge(x.status))],
    ['户主', x.name], ['身份证号', h('span', { id: 'household-id-number' }, x.id_number)], ['手机号', x.phone], ['银行卡', x.bank_card],
    ['基层工会', x.org_name], ['行业', label(INDUSTRIES, x.industry)], ['农民工', x.migrant ? '是' : '否'],
    ['类别', h('span', { id: 'household-category' }, `${label(CATEGORIES, cat)}${x.category ? '' : '（系统建议）'}`)],
    ['认定依据', h('span', { id: 'household-basis' }, x.category_basis)],
    ['改定理由', x.category_override], ['主要致困原因', label(CAUSES, x.main_cause)],
    ['次要原因', (x.secondary_causes || []).map((c) => label(CAUSES, c)).join('、')],
    ['公示期', x.publicity_start ? `${x.publicity_start} 至 ${x.publicity_end}` : ''],
    ['建档/复核时间', formatDateTime(x.filed_at)], ['最近理由', x.last_reason], ['撤档原因', label(EXIT_REASONS, x.exit_reason)],
    ['返困关联', x.reopened_from ? h('a', { href: `#/households/${x.reopened_from}` }, '原档案') : x.reopened_as ? h('a', { href: `#/households/${x.reopened_as}` }, '新档案') : ''],
  ])));
  root.append(card('家庭成员', h('table', { class: 'table', id: 'member-table' },
    h('thead', null, h('tr', null, ['姓名', '关系', '身份证号', '出生日期', '健康', '就业', '在读', '月收入'].map((t) => h('th', null, t)))),
    h('tbody', null, x.members.length ? x.members.map((m) => h('tr', null, h('td', null, m.name), h('td', null, label(RELATIONS, m.relation)), h('td', null, m.id_number),
      h('td', null, m.birth_date), h('td', null, label(HEALTH, m.health)), h('td', null, label(EMPLOYMENT, m.employment_status)),
      h('td', null, label(SCHOOL_STAGES, m.school_stage)), h('td', { class: 'num' }, formatFen(m.monthly_income_fen))))
      : h('tr', null, h('td', { colspan: 8, class: 'table-empty' }, '无其他家庭成员'))))));
  const income = x.income_wages_fen + x.income_business_fen + x.income_property_fen + x.income_transfer_fen;
  const expense = x.expense_medical_fen + x.expense_disability_fen + x.expense_schooling_fen + x.expense_housing_fen;
  root.append(card('收入与支出（近12个月）', dl([['家庭收入', formatFen(income)], ['刚性支出', formatFen(expense)], ['其中医疗自付', formatFen(x.expense_medical_fen)],
    ['家庭人口', `${x.members.length + 1} 人`], ['人均月收入', formatFen(x.per_capita_fen)]])));
  root.append(card('入户走访', visits.items.length ? h('ul', { class: 'timeline' }, visits.items.map((v) => h('li', null,
    h('strong', null, v.visit_date), ` ${v.visitors}：${v.findings}`, v.consent_signed ? badge('已签核对授权书', 'ok') : null))) : h('p', { class: 'muted' }, '暂无走访记录')));
  if (objections.items.length) {
    root.append(card('公示异议', h('ul', { class: 'timeline' }, objections.items.map((o) => h('li', null,
      `${formatDateTime(o.recorded_at)} ${o.raised_by || '匿名'}：${o.content} `, o.resolved ? badge(`已处理：${o.resolution}`, 'ok') : badge('待处理', 'warn'))))));
  }
  root.append(documentsCard(x, docs.items, can('documents'), reload));
  root.append(card('办理历史', h('ol', { class: 'timeline', id: 'household-history' }, hist.items.map((e) => h('li', null,
    h('span', { class: 'muted' }, formatDateTime(e.time)), ' ', h('strong', null, actionLabel(e.action)), ` · ${e.actor}`, e.reason ? `（${e.reason}）` : '')))));
}

async function reveal(x) {
  try {
    const r = await api('POST', `/households/${x.id}/reveal`);
    await infoDialog({ title: '完整号码（已记录查看日志）', body: dl([['户主身份证号', r.id_number], ['手机号', r.phone], ['银行卡号', r.bank_card],
      ...r.members.map((m) => [`${m.name} 身份证号`, m.id_number])]), id: 'reveal-dialog' });
  } catch (err) { toast(err.message, 'error'); }
}

function documentsCard(x, docs, canEdit, reload) {
  const list = h('table', { class: 'table', id: 'document-table' },
    h('thead', null, h('tr', null, ['类型', '文件名', '大小', 'SHA-256', '上传', ''].map((t) => h('th', null, t)))),
    h('tbody', null, docs.length ? docs.map((d) => h('tr', { class: d.deleted_at ? 'muted' : '' },
      h('td', null, label(DOCUMENT_KINDS, d.kind)),
      h('td', null, d.deleted_at ? `${d.filename}（已删除：${d.delete_reason}）` : h('a', { href: `/api/v1/households/${x.id}/documents/${d.id}?inline=1`, target: '_blank', rel: 'noopener' }, d.filename)),
      h('td', { class: 'num' }, `${(d.size / 1024).toFixed(1)} KB`), h('td', null, h('code', { title: d.sha256 }, d.sha256.slice(0, 16) + '…')),
      h('td', null, `${d.uploaded_by} ${formatDateTime(d.uploaded_at)}`),
      h('td', null, canEdit && !d.deleted_at ? button('删除', () => formDialog({ title: '删除材料', formId: 'doc-delete', danger: true, submitText: '删除',
        body: field('删除原因', h('input', { name: 'reason' }), { required: true }),
        onSubmit: async (data) => { await api('DELETE', `/households/${x.id}/documents/${d.id}`, { reason: data.reason }); reload(); } }), { kind: 'link' }) : null)))
      : h('tr', null, h('td', { colspan: 6, class: 'table-empty' }, '暂无材料'))));
  let up = null;
  if (canEdit) {
    up = h('form', { class: 'form list-filters', id: 'document-upload' },
      select('kind', options(DOCUMENT_KINDS), 'id_scan'), h('input', { type: 'file', name: 'file', accept: 'image/jpeg,image/png,application/pdf' }),
      h('button', { type: 'submit', class: 'btn btn-primary' }, '上传'));
    bindForm(up, async () => {
      const fd = new FormData(up);
      if (!fd.get('file') || !fd.get('file').size) throw new Error('请选择文件');
      await api('POST', `/households/${x.id}/documents`, fd);
      toast('材料已上传');
      reload();
    });
  }
  return card('材料', up, list);
}

function runAction(action, x, objections, reload, ctx) {
  const f = {
    return: [field('退回理由', h('textarea', { name: 'reason', rows: 3 }), { required: true })],
    reject: [field('驳回理由', h('textarea', { name: 'reason', rows: 3 }), { required: true })],
    visit: [field('走访日期', h('input', { type: 'date', name: 'visit_date', value: todayISO() }), { required: true }),
      field('走访人员', h('input', { name: 'visitors' }), { required: true }),
      field('走访情况', h('textarea', { name: 'findings', rows: 3 }), { required: true }),
      field('核对授权书', yesNo('consent_signed', false, '户主已签署核对授权书'))],
    publicize: [field('公示开始日期', h('input', { type: 'date', name: 'start_date', value: todayISO() }), { required: true, hint: '公示期按工作日计算，自动跳过周末和节假日' })],
    object: [field('异议内容', h('textarea', { name: 'content', rows: 3 }), { required: true }), field('异议人', h('input', { name: 'raised_by', placeholder: '可匿名' }))],
    'resolve-objection': [field('异议', select('objection_id', objections.filter((o) => !o.resolved).map((o) => ({ value: o.id, label: o.content })), '', { 'data-type': 'number' }), { required: true }),
      field('处理结果', h('textarea', { name: 'resolution', rows: 3 }), { required: true }), field('异议成立', yesNo('upheld', false, '异议成立'))],
    file: [h('p', null, `系统建议类别：${label(CATEGORIES, x.suggested_category)}（${x.category_basis}）`),
      field('确认类别', select('category', options(CATEGORIES), x.suggested_category)), field('改定理由', h('textarea', { name: 'reason', rows: 2 }), { hint: '类别与建议不同时必填' })],
    review: [field('复核结论', select('decision', REVIEW_DECISIONS, 'confirm'), { required: true }),
      field('新类别', select('category', [{ value: '', label: '（改定类别时选择）' }, ...options(CATEGORIES)], '')),
      field('撤档原因', select('exit_reason', [{ value: '', label: '（撤档时选择）' }, ...options(EXIT_REASONS)], '')), field('理由', h('textarea', { name: 'reason', rows: 2 }))],
    exit: [field('撤档原因', select('exit_reason', [{ value: '', label: '请选择' }, ...options(EXIT_REASONS)], ''), { required: true }), field('说明', h('textarea', { name: 'reason', rows: 2 }))],
  }[action] || [h('p', null, `确定要${HOUSEHOLD_ACTIONS[action]}吗？`)];
  return formDialog({ title: HOUSEHOLD_ACTIONS[action], formId: `action-form`, body: h('div', { class: 'form-grid' }, f), submitText: '确定',
    danger: ['reject', 'exit'].includes(action),
    onSubmit: async (data) => {
      for (const k of Object.keys(data)) if (data[k] === '' || data[k] === null) delete data[k];
      const r = await api('POST', `/households/${x.id}/${action}`, data);
      toast(`${HOUSEHOLD_ACTIONS[action]}：已完成`);
      if (r.id !== x.id) ctx.navigate(`#/households/${r.id}`); else reload();
    } });
}

// ───── printable file (SPEC §8.1: names and IDs masked) ─────

async function renderPrint(root, id) {
  let x;
  try { x = await api('GET', `/households/${encodeURIComponent(id)}`); } catch (err) { root.append(errorBox(err)); return; }
  root.classList.add('print-page');
  root.append(h('div', { class: 'no-print page-actions' }, button('打印', () => window.print(), { kind: 'primary', id: 'print-now' }), linkButton('返回', `#/households/${x.id}`)),
    h('h1', null, '困难职工档案'), h('p', null, `档案编号：${x.file_no}　　状态：${label(HOUSEHOLD_STATUS, x.status)}`),
    dl([['户主', maskName(x.name)], ['身份证号', x.id_number], ['基层工会', x.org_name], ['类别', label(CATEGORIES, x.category || x.suggested_category)],
      ['认定依据', x.category_basis], ['主要致困原因', label(CAUSES, x.main_cause)], ['人均月收入', formatFen(x.per_capita_fen)]]),
    h('table', { class: 'table' }, h('thead', null, h('tr', null, ['成员', '关系', '身份证号', '在读'].map((t) => h('th', null, t)))),
      h('tbody', null, x.members.map((m) => h('tr', null, h('td', null, maskName(m.name)), h('td', null, label(RELATIONS, m.relation)), h('td', null, m.id_number), h('td', null, label(SCHOOL_STAGES, m.school_stage)))))),
    h('p', { class: 'muted' }, `打印时间：${formatDateTime(new Date())}`));
}
