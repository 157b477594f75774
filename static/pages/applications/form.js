// 救助申请 (SPEC §4): #/applications/new (?household_id=) and #/applications/{id}/edit, the form whose fields
// follow the aid type: the household (or, for 送温暖, a holiday-duty worker without a file, or for the green channel
// a file opened alongside), the amount, the documents the case needs with an upload for each one missing.

import { api, withQuery, loadOrgs } from '/api.js';
import {
  h, pageHeader, card, field, select, formActions, bindForm, linkButton, button, dl, alert, errorBox, formatFen,
  fenToYuan, moneyInput, affix, toast, validationError, errorMessage,
} from '/ui.js';
import {
  APPLICATION_TYPES, APPLICATION_STATUS, GREEN_REASONS, CATEGORIES, HOUSEHOLD_STATUS, SCHOOL_STAGES, DOCUMENT_KINDS,
  REQUIRED_DOCUMENTS, GREEN_DOCUMENTS, EDUCATION_STAGES, options, label,
} from '/labels.js';
import {
  headFields, membersBlock, incomeFields, expenseFields, causeFields, exclusionFields, householdBody,
} from '/pages/households.js';

/** toggle shows or hides a block; hidden blocks' controls are disabled, so the form neither reads nor requires them. */
function toggle(el, on) {
  el.hidden = !on;
  el.querySelectorAll('input,select,textarea').forEach((c) => {
    if (c.dataset.keepDisabled) return;
    c.disabled = !on;
  });
}

/** the household fields the server may name without the "household." prefix (its checks after the struct tags). */
function householdFieldPaths(fields, box) {
  const out = {};
  for (const [k, v] of Object.entries(fields || {})) {
    const nested = !k.startsWith('household.') && (/^members\[\d+\]/.test(k) || box.querySelector(`[name="${CSS.escape('household.' + k)}"]`));
    out[nested ? `household.${k}` : k] = v;
  }
  return out;
}

const UPLOAD_ACCEPT = 'image/jpeg,image/png,application/pdf';

/** render: #/applications/new (?household_id=, ?type=) or #/applications/{id}/edit. */
export async function render(root, params, ctx) {
  if (params.path === '/applications/new') return renderForm(root, null, params.query, ctx);
  return renderForm(root, params.id, {}, ctx);
}

async function renderForm(root, id, query, ctx) {
  let a = { type: query.type || 'living', household_id: Number(query.household_id) || 0, green: false, purpose: '' };
  if (id) {
    try { a = await api('GET', `/applications/${encodeURIComponent(id)}`); } catch (err) { root.append(errorBox(err)); return; }
    if (!a.actions.includes('edit')) {
      root.append(pageHeader(`申请 ${a.app_no}`), alert(`申请当前状态为「${label(APPLICATION_STATUS, a.status)}」，不能修改。`, 'warn'),
        h('p', null, h('a', { href: `#/applications/${a.id}` }, '返回申请详情')));
      return;
    }
  }
  let savedId = id ? Number(id) : 0;
  let opened = !!a.opened_household; // this application opened its household's file (SPEC §4.3)
  const title = id ? `修改申请 ${a.app_no}` : '申请救助';
  ctx.setTitle(title);
  const back = linkButton('返回', id ? `#/applications/${id}` : (a.household_id ? `#/households/${a.household_id}` : '#/applications'));
  root.append(pageHeader(title, back));
  if (a.status === 'returned' && a.last_reason) root.append(alert(`退回理由：${a.last_reason}`, 'warn'));

  const grassroots = (await loadOrgs().catch(() => [])).filter((o) => o.level === 4);
  let hh = null;        // the chosen household (GET /households/:id)
  let hhDocs = {};      // document kinds in its file
  let policy = null;    // the current policy params for the household's (or chosen org's) union
  const uploading = {}; // document kind → true while its file is being sent

  // 救助对象: a household from the file, or (送温暖 only) a holiday-duty worker without one.
  const hhInput = h('input', { type: 'hidden', name: 'household_id', 'data-type': 'int', value: a.household_id || '' });
  const hhSummary = h('div', { id: 'app-household' });
  const hhSearch = h('input', { type: 'search', id: 'app-household-q', placeholder: '姓名、档案编号、身份证号', 'aria-label': '查找档案' });
  const hhResults = select('', [{ value: '', label: '（先查找）' }], '', { id: 'app-household-pick', 'aria-label': '选择档案' });
  hhResults.removeAttribute('name');
  hhSearch.removeAttribute('name');
  const finder = h('div', { class: 'list-filters', id: 'app-household-finder' }, hhSearch,
    button('查找', () => findHouseholds(), { id: 'app-household-find' }), hhResults);
  hhSearch.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') { ev.preventDefault(); findHouseholds(); } });
  hhResults.addEventListener('change', () => { if (hhResults.value) chooseHousehold(Number(hhResults.value)); });
  async function findHouseholds() {
    const q = hhSearch.value.trim();
    if (!q) return;
    try {
      const r = await api('GET', withQuery('/households', { q, per_page: 20 }));
      hhResults.replaceChildren(h('option', { value: '' }, r.items.length ? `找到 ${r.total} 户，请选择` : '没有找到档案'),
        ...r.items.map((x) => h('option', { value: x.id }, `${x.file_no} ${x.name} ${x.id_number}（${label(HOUSEHOLD_STATUS, x.status)}）`)));
    } catch (err) { toast(err.message, 'error'); }
  }
  const openedNote = h('div', { id: 'app-new-file', hidden: true });
  const householdBlock = h('div', { class: 'field field-wide' },
    h('span', { class: 'field-label' }, '困难职工档案', h('span', { class: 'req' }, '*')), hhInput, openedNote, hhSummary, finder);

  const workerToggle = h('input', { type: 'checkbox', id: 'app-worker', checked: !a.household_id && a.type === 'warmth' && !!a.id });
  const workerChoice = h('label', { class: 'choice', id: 'app-worker-choice' }, workerToggle, h('span', null, '未建档的节日坚守岗位职工'));
  const workerBlock = h('div', { class: 'form-grid', id: 'app-worker-fields' },
    field('职工姓名', h('input', { name: 'applicant_name', value: a.household_id ? '' : a.applicant_name || '', maxlength: 40 }), { required: true }),
    field('身份证号', h('input', { name: 'applicant_id_number', maxlength: 18, autocomplete: 'off', placeholder: a.id && !a.household_id ? `原：${a.applicant_id_number}` : '' }), { required: true }),
    field('手机号', h('input', { name: 'applicant_phone', maxlength: 11, autocomplete: 'off', inputmode: 'numeric' })),
    field('基层工会', select('org_id', [{ value: '', label: '请选择' }, ...grassroots.map((o) => ({ value: o.id, label: o.name }))], a.household_id ? '' : a.org_id || '', { 'data-type': 'number' }), { required: true }),
    field('坚守岗位情况', h('textarea', { name: 'duty_note', rows: 2, maxlength: 200, placeholder: '如：春节期间在岗值守的环卫工人' }, a.duty_note || ''), { required: true, wide: true }));

  // 绿色通道 without a file: the file is opened alongside (SPEC §4.3), from the household form's own pieces.
  const P = 'household.';
  const subjectExisting = h('input', { type: 'radio', name: 'subject', value: 'existing', id: 'app-subject-existing', checked: true });
  const subjectNew = h('input', { type: 'radio', name: 'subject', value: 'new', id: 'app-subject-new' });
  const subjectChoice = h('div', { class: 'choices', role: 'radiogroup', id: 'app-subject' },
    h('label', { class: 'choice' }, subjectExisting, h('span', null, '选择已有档案')),
    h('label', { class: 'choice' }, subjectNew, h('span', null, '申请人尚未建档，同时新建档案')));
  const blank = { members: [], secondary_causes: [], migrant: false };
  const newFileBlock = h('div', { id: 'app-new-household', class: 'subform' },
    alert('保存时同时建立困难职工档案并提交建档审核；建档审核照常进行（入户走访、公示），不影响本申请的审批。档案只需填写户主信息，家庭成员、收支可先按申请人所述填写。', 'info'),
    h('h3', { class: 'subform-title' }, '户主信息'),
    h('div', { class: 'form-grid' }, headFields(blank, grassroots, P)),
    h('h3', { class: 'subform-title' }, '致困原因'),
    h('div', { class: 'form-grid' }, causeFields(blank, P)),
    h('details', { class: 'subform-more', id: 'app-new-household-more' },
      h('summary', null, '家庭成员、近12个月收支、排除情形'),
      h('h3', { class: 'subform-title' }, '家庭成员'),
      membersBlock(blank, P, 'app-member-add'),
      h('h3', { class: 'subform-title' }, '近12个月家庭收入（元）'),
      h('div', { class: 'form-grid form-grid-narrow' }, incomeFields(blank, P)),
      h('h3', { class: 'subform-title' }, '近12个月刚性支出（元）'),
      h('div', { class: 'form-grid form-grid-narrow' }, expenseFields(blank, P)),
      h('h3', { class: 'subform-title' }, '排除情形（有任一项则不符合建档条件）'),
      h('div', { class: 'choices' }, exclusionFields(blank, P))));

  // 救助内容
  const typeSel = select('type', options(APPLICATION_TYPES), a.type, { id: 'app-type' });
  const amountInput = moneyInput('amount_fen', a.amount_fen || null, { id: 'app-amount' });
  const amountField = field('申请金额', affix(amountInput, '元'), { required: true });
  const amountHint = h('div', { class: 'field-hint', id: 'app-amount-hint' });
  amountField.append(amountHint);
  const oopField = field('自付医疗费用', affix(moneyInput('out_of_pocket_fen', a.out_of_pocket_fen || null, { id: 'app-oop' }), '元'),
    { required: true, hint: '按医疗费用票据载明的自付金额填写；救助金额不得超过此数。' });
  const studentSel = select('student_member_id', [{ value: '', label: '请选择' }], '', { 'data-type': 'number', id: 'app-student' });
  const studentField = field('在读学生', studentSel, { required: true });
  const eduAmount = h('div', { class: 'field', id: 'app-edu-amount' }, h('span', { class: 'field-label' }, '助学金额'), h('strong', { id: 'app-edu-amount-value' }, '—'),
    h('div', { class: 'field-hint' }, '按政策参数中的助学标准（学段、是否建档）确定，不能修改。'));
  const purpose = h('textarea', { name: 'purpose', rows: 3, maxlength: 500, placeholder: '简述致困情况和申请事由' }, a.purpose || '');

  // 绿色通道
  const greenBox = h('input', { type: 'checkbox', name: 'green', 'data-type': 'bool', id: 'app-green', checked: !!a.green });
  const greenBlock = h('div', { class: 'form-grid', id: 'app-green-fields' },
    field('绿色通道事由', select('green_reason', [{ value: '', label: '请选择' }, ...options(GREEN_REASONS)], a.green_reason || '', { id: 'app-green-reason' }), { required: true }),
    field('情况说明', h('textarea', { name: 'green_note', rows: 2, maxlength: 500, id: 'app-green-note' }, a.green_note || ''), { wide: true }));
  const greenHint = h('div', { class: 'field-hint', id: 'app-green-hint' });

  // 材料: what the household's file has of what this case needs, with an upload for each one missing; the
  // server's "documents" refusal appears here.
  const docsList = h('ul', { class: 'doc-checklist', id: 'app-docs' });
  const docsField = h('div', { class: 'field field-wide' }, h('span', { class: 'field-label' }, '所需材料（上传到档案）'),
    h('input', { type: 'hidden', name: 'documents', disabled: true, 'data-keep-disabled': '1' }), docsList);

  const saveBtn = h('button', { type: 'submit', class: 'btn', id: 'application-save', dataset: { intent: 'save' } }, '保存草稿');
  const submitBtn = h('button', { type: 'submit', class: 'btn btn-primary', id: 'application-submit', dataset: { intent: 'submit' } }, '提交审批');
  const form = h('form', { class: 'form', id: 'application-form' },
    h('div', { class: 'form-error', role: 'alert', hidden: true }),
    h('section', { class: 'form-section' }, h('h2', { class: 'card-title' }, '绿色通道'),
      h('label', { class: 'choice' }, greenBox, h('span', null, '走绿色通道（急难救助：先救助、后补材料）')), greenHint, greenBlock),
    h('section', { class: 'form-section' }, h('h2', { class: 'card-title' }, '救助对象'), subjectChoice, workerChoice, householdBlock, workerBlock, newFileBlock),
    h('section', { class: 'form-section' }, h('h2', { class: 'card-title' }, '救助内容'),
      h('div', { class: 'form-grid' }, field('救助类型', typeSel, { required: true }), studentField, eduAmount, oopField, amountField,
        field('申请事由', purpose, { required: true, wide: true }))),
    h('section', { class: 'form-section' }, docsField),
    formActions(saveBtn, submitBtn));
  let intent = 'save';
  form.querySelectorAll('button[type="submit"]').forEach((b) => b.addEventListener('click', () => { intent = b.dataset.intent; }));

  const more = newFileBlock.querySelector('details');
  const unfold = (names) => {
    if (names.some((n) => more.querySelector(`[name="${CSS.escape(n)}"]`))) more.open = true;
  };

  const isWorker = () => typeSel.value === 'warmth' && workerToggle.checked;
  // The new file is offered while nothing is saved yet: a saved draft names its household (PUT cannot open one).
  const canOpenFile = () => greenBox.checked && !savedId && !Number(query.household_id) && typeSel.value !== 'education' && !isWorker();
  const isNewFile = () => canOpenFile() && subjectNew.checked;
  const canUpload = () => !!hh && (hh.actions || []).includes('documents');

  function docItem(k, need) {
    const name = label(DOCUMENT_KINDS, k);
    if (isNewFile()) return h('li', { class: 'doc-pending', dataset: { kind: k } }, name, h('span', { class: 'muted' }, '（保存后上传到新档案）'));
    if (!hh) return h('li', { dataset: { kind: k } }, name);
    if (hhDocs[k]) return h('li', { class: 'doc-ok', dataset: { kind: k } }, `✓ ${name}`);
    const li = h('li', { class: need ? 'doc-missing' : 'doc-later', dataset: { kind: k } }, need ? `✗ ${name}` : name);
    const note = need ? '档案中尚无，请上传' : `可后补（批准后 ${policy ? policy.green_docs_days : 30} 天内），也可现在上传`;
    if (!canUpload()) { li.append(h('span', { class: 'muted' }, need ? '（档案中尚无）' : '（可后补）')); return li; }
    if (uploading[k]) { li.append(h('span', { class: 'muted doc-note' }, '上传中…')); return li; }
    // The native file input is hidden behind a button with Chinese text (the browser's own says "Choose File").
    const file = h('input', { type: 'file', accept: UPLOAD_ACCEPT, id: `app-doc-${k}`, class: 'visually-hidden' });
    file.addEventListener('change', () => { if (file.files.length) uploadDoc(k, file.files[0]); });
    li.append(h('label', { class: 'btn btn-small doc-upload', for: file.id, id: `app-doc-${k}-button`, title: 'JPG、PNG 图片或 PDF，不超过10MB' }, '上传文件', file),
      h('span', { class: 'muted doc-note' }, note));
    return li;
  }

  async function uploadDoc(kind, file) {
    const fd = new FormData();
    fd.append('kind', kind);
    fd.append('file', file);
    uploading[kind] = true;
    update();
    try {
      await api('POST', `/households/${hh.id}/documents`, fd);
      const docs = await api('GET', `/households/${hh.id}/documents`);
      hhDocs = Object.fromEntries(docs.items.filter((d) => !d.deleted_at).map((d) => [d.kind, true]));
      toast(`已上传${label(DOCUMENT_KINDS, kind)}`);
    } catch (err) {
      toast(errorMessage(err), 'error', 8000);
    } finally {
      delete uploading[kind];
      update();
    }
  }

  function update() {
    const t = typeSel.value;
    workerChoice.hidden = t !== 'warmth' || isNewFile();
    if (t !== 'warmth') workerToggle.checked = false;
    subjectChoice.hidden = !canOpenFile();
    toggle(householdBlock, !isWorker() && !isNewFile());
    toggle(workerBlock, isWorker());
    toggle(newFileBlock, isNewFile());
    finder.hidden = !!hh && (opened || (!!Number(query.household_id) && !id));
    openedNote.hidden = !(opened && hh);
    toggle(oopField, t === 'medical');
    toggle(studentField, t === 'education');
    eduAmount.hidden = t !== 'education';
    toggle(amountField, t !== 'education');
    toggle(greenBlock, greenBox.checked);
    // A new file's documents can only be uploaded once it exists: the first save opens it, then they are sent.
    submitBtn.hidden = isNewFile();
    saveBtn.textContent = isNewFile() ? '保存草稿并建档' : '保存草稿';
    saveBtn.classList.toggle('btn-primary', isNewFile());
    const p = policy || {};
    amountHint.textContent = {
      living: p.living_cap_year_fen ? `生活救助每户每年不超过 ${formatFen(p.living_cap_year_fen)}。` : '',
      medical: p.medical_cap_year_fen ? `医疗救助每户每年不超过 ${formatFen(p.medical_cap_year_fen)}，且不超过自付费用。` : '',
      warmth: p.warmth_amount_fen ? `政策标准 ${formatFen(p.warmth_amount_fen)}，每户每年一次。` : '',
      condolence: '一次性慰问。',
    }[t] || '';
    // 送温暖 defaults to the policy amount; a default the user did not touch goes when the type changes.
    if (t === 'warmth' && !amountInput.value && p.warmth_amount_fen) { amountInput.value = fenToYuan(p.warmth_amount_fen); amountInput.dataset.auto = '1'; }
    if (t !== 'warmth' && amountInput.dataset.auto) { amountInput.value = ''; delete amountInput.dataset.auto; }
    showEducationAmount();
    greenHint.textContent = p.green_max_amount_fen
      ? `单笔不超过 ${formatFen(p.green_max_amount_fen)}；只需身份证明和本人签字承诺书，其余材料 ${p.green_docs_days} 天内补交；审批人须在 ${p.green_sla_hours} 小时内作出决定，事后由另一名审批人复核。`
      : '';
    // SPEC §4.1, §4.3: the documents the server requires (the vocabulary); a green case's others may follow.
    const need = isWorker() ? [] : (greenBox.checked ? GREEN_DOCUMENTS : REQUIRED_DOCUMENTS[t] || []);
    const later = greenBox.checked && !isWorker() ? (REQUIRED_DOCUMENTS[t] || []).filter((k) => !GREEN_DOCUMENTS.includes(k)) : [];
    docsList.replaceChildren(
      ...(need.length ? need.map((k) => docItem(k, true)) : [h('li', { class: 'muted' }, '无需上传材料')]),
      ...later.map((k) => (hh && canUpload() && !hhDocs[k] ? docItem(k, false) : h('li', { class: 'muted' }, `${label(DOCUMENT_KINDS, k)}（可后补）`))));
  }

  // 助学金额: the server's dry run of the form (POST /applications/check) applies the policy table to the chosen
  // student's stage and the household's filing; the latest answer wins.
  let eduSeq = 0;
  async function showEducationAmount() {
    const out = eduAmount.querySelector('strong');
    const my = ++eduSeq;
    if (typeSel.value !== 'education' || !hh || !studentSel.value) { out.textContent = '—'; return; }
    out.textContent = '计算中…';
    let text;
    try {
      const r = await api('POST', '/applications/check', { type: 'education', household_id: hh.id, student_member_id: Number(studentSel.value), amount_fen: 0 });
      text = `${formatFen(r.amount_fen)}${r.amount_basis ? `（${r.amount_basis}）` : ''}`;
    } catch (err) {
      text = (err.fields && err.fields.student_member_id) || err.message;
    }
    if (my === eduSeq) out.textContent = text;
  }

  async function loadPolicy(orgId) {
    try { policy = (await api('GET', withQuery('/policies/current', { org_id: orgId }))).params; } catch { policy = null; }
  }

  async function chooseHousehold(hid) {
    hhInput.value = hid;
    hhSummary.replaceChildren(h('span', { class: 'muted' }, '加载中…'));
    try {
      const [x, docs] = await Promise.all([api('GET', `/households/${hid}`), api('GET', `/households/${hid}/documents`)]);
      hh = x;
      hhDocs = Object.fromEntries(docs.items.filter((d) => !d.deleted_at).map((d) => [d.kind, true]));
      await loadPolicy(x.org_id);
      hhSummary.replaceChildren(dl([
        ['档案', h('a', { href: `#/households/${x.id}`, target: '_blank', rel: 'noopener', id: 'app-household-link' }, `${x.file_no} ${x.name}`)],
        ['身份证号', x.id_number], ['基层工会', x.org_name],
        ['档案状态', label(HOUSEHOLD_STATUS, x.status)],
        ['困难类别', x.category ? label(CATEGORIES, x.category) : `${label(CATEGORIES, x.suggested_category)}（系统建议，未建档）`],
      ], 'details-inline'));
      openedNote.replaceChildren(alert(h('span', null, '已随本申请新建档案 ', h('strong', { id: 'app-new-file-no' }, x.file_no),
        '，建档审核另行进行。请在下方「所需材料」上传身份证明和本人签字承诺书，然后提交审批。'), 'ok'));
      const students = x.members.filter((m) => EDUCATION_STAGES.includes(m.school_stage));
      studentSel.replaceChildren(h('option', { value: '' }, students.length ? '请选择' : '本户没有在读高中及以上的学生'),
        ...students.map((m) => h('option', { value: m.id }, `${m.name}（${label(SCHOOL_STAGES, m.school_stage)}）`)));
      if (a.student_member_id) studentSel.value = String(a.student_member_id);
    } catch (err) {
      hh = null;
      hhSummary.replaceChildren(errorBox(err));
    }
    update();
  }

  amountInput.addEventListener('input', () => { delete amountInput.dataset.auto; });
  typeSel.addEventListener('change', update);
  workerToggle.addEventListener('change', update);
  greenBox.addEventListener('change', update);
  studentSel.addEventListener('change', update);
  subjectChoice.addEventListener('change', update);
  form.querySelector('[name="org_id"]').addEventListener('change', async (ev) => {
    if (isWorker() && ev.target.value) { await loadPolicy(ev.target.value); update(); }
  });
  form.querySelector(`[name="${P}org_id"]`).addEventListener('change', async (ev) => {
    if (isNewFile() && ev.target.value) { await loadPolicy(ev.target.value); update(); }
  });

  bindForm(form, async (data) => {
    const body = {
      type: data.type, purpose: data.purpose, green: !!data.green, amount_fen: data.amount_fen ?? 0,
      out_of_pocket_fen: data.out_of_pocket_fen ?? 0, student_member_id: data.student_member_id ?? 0,
    };
    if (body.green) { body.green_reason = data.green_reason; body.green_note = data.green_note || ''; }
    const newFile = isNewFile();
    if (isWorker()) {
      Object.assign(body, { org_id: data.org_id ?? 0, applicant_name: data.applicant_name, applicant_id_number: (data.applicant_id_number || '').toUpperCase(),
        applicant_phone: data.applicant_phone || '', duty_note: data.duty_note });
    } else if (newFile) {
      body.household = householdBody(data, newFileBlock, P);
    } else {
      if (!data.household_id) throw validationError({ household_id: '请查找并选择困难职工档案' });
      body.household_id = data.household_id;
    }
    if (data.type === 'education') body.amount_fen = 0; // fixed by the policy table
    let saved;
    try {
      saved = await api(savedId ? 'PUT' : 'POST', savedId ? `/applications/${savedId}` : '/applications', body);
    } catch (err) {
      if (newFile && err.fields) {
        err.fields = householdFieldPaths(err.fields, newFileBlock);
        unfold(Object.keys(err.fields));
      }
      throw err;
    }
    if (!savedId) {
      savedId = saved.id;
      // From now on this form edits the saved draft, so that a retry after a refusal does not make a second one.
      history.replaceState(history.state, '', `#/applications/${saved.id}/edit`);
      back.setAttribute('href', `#/applications/${saved.id}`);
      root.querySelector('.page-header h1').textContent = `修改申请 ${saved.app_no}`;
      ctx.setTitle(`修改申请 ${saved.app_no}`);
    }
    if (newFile) {
      // The file exists now: the form goes on with it as the chosen household, for its documents and the submission.
      opened = true;
      subjectExisting.checked = true;
      newFileBlock.remove();
      await chooseHousehold(saved.household_id);
      toast(`草稿已保存：${saved.app_no}；已新建档案 ${hh ? hh.file_no : ''}`);
      openedNote.scrollIntoView({ block: 'center' });
      return;
    }
    if (intent !== 'submit') {
      toast(`草稿已保存：${saved.app_no}`);
      ctx.navigate(`#/applications/${saved.id}`);
      return;
    }
    try {
      await api('POST', `/applications/${saved.id}/submit`, {});
    } catch (err) {
      err.message = `草稿已保存（${saved.app_no}），但未能提交：${err.message}`;
      throw err;
    }
    toast(`已提交审批：${saved.app_no}`);
    ctx.navigate(`#/applications/${saved.id}`);
  });

  // A refusal of a field in the folded part of the new file's fields unfolds it (bindForm shows a client-side
  // refusal before this listener runs; the server's comes through unfold in the handler).
  form.addEventListener('submit', () => { if (more.querySelector('.field-error')) more.open = true; });

  root.append(card(null, form));
  if (a.household_id) await chooseHousehold(a.household_id);
  else {
    if (a.id && !a.household_id) await loadPolicy(a.org_id);
    update();
  }
}
