// 摸底导入 (SPEC §8.3): a survey list (XLSX, or CSV in UTF-8 or GB18030) becomes draft households. The user
// downloads the template, uploads the filled file for a dry run (试导入) that names every bad cell beside its
// row number, downloads the report with the bad cells highlighted, and — once the dry run passes — runs the
// same file for real (正式导入), all or nothing. The progress bar is the server's: it polls the job.

import { api, loadOrgs } from '/api.js';
import { h, clear, pageHeader, card, button, linkButton, alert, errorBox, field, orgOptions, select, badge, formatDateTime } from '/ui.js';
import { IMPORT_ACTIONS } from '/labels.js';

/** How each action of an import is shown (its name comes from the server's vocabulary). */
const ACTION_KIND = { create: 'ok', update: 'info', unchanged: 'muted', review: 'warn' };

export async function render(root, params, ctx) {
  const canRun = ctx.may('POST /api/v1/imports/:id/run');
  root.append(pageHeader('摸底排查导入',
    linkButton('下载导入模板', '/api/v1/imports/template', { id: 'import-template', download: '困难职工摸底排查导入模板.xlsx' })));
  root.append(h('p', { class: 'muted' },
    '按模板填写（每人一行，户主一行，家庭成员各一行），先试导入检查，全部通过后再正式导入。正式导入要么全部写入，要么不写入任何数据；同一文件重复导入不会产生重复档案。'));

  // The grassroots unions in the user's scope (SPEC §1.1: the subtree of the user's org).
  const all = await loadOrgs();
  const mine = all.find((o) => o.id === (ctx.me.org || {}).id);
  const orgs = all.filter((o) => o.level === 4 && mine && o.path.startsWith(mine.path));
  let busy = false;
  const file = h('input', { type: 'file', id: 'import-file', accept: '.xlsx,.csv', class: 'visually-hidden' });
  const chosen = h('span', { class: 'muted', id: 'import-file-name' }, '未选择文件');
  const org = select('org', orgOptions(orgs, '（按文件中的「所属工会」）'), '', { id: 'import-org' });
  const dryButton = button('试导入', () => start(), { kind: 'primary', id: 'import-dry', disabled: true });
  file.addEventListener('change', () => {
    chosen.textContent = file.files.length ? file.files[0].name : '未选择文件';
    dryButton.disabled = !file.files.length || busy;
  });
  root.append(card('上传调查表',
    h('div', { class: 'form list-filters' },
      field('文件', h('span', null, h('label', { class: 'btn', for: 'import-file', id: 'import-file-button' }, '选择文件', file), ' ', chosen),
        { hint: 'Excel（.xlsx）或 CSV（UTF-8 / GB18030），不超过 100 MB' }),
      field('默认工会', org, { hint: '文件中没有「所属工会」列时使用' })),
    h('div', { class: 'form-actions' }, dryButton)));

  const status = h('div', { id: 'import-status', class: 'muted' });
  const bar = h('div', { id: 'import-bar', style: { height: '100%', width: '0%', background: 'var(--brand)', transition: 'width .3s' } });
  const track = h('div', { id: 'import-progress', role: 'progressbar', 'aria-valuemin': '0', 'aria-valuemax': '100',
    style: { height: '10px', background: '#f2f3f5', borderRadius: '5px', overflow: 'hidden', margin: '8px 0' } }, bar);
  const progress = card('进度', track, status);
  progress.hidden = true;
  const result = h('div', { id: 'import-result' });
  const history = h('div', { id: 'import-history' });
  root.append(progress, result, card('导入记录', history));
  showHistory();

  // The imports written in the user's scope, newest first (dry runs are not kept).
  async function showHistory() {
    try {
      const past = await api('GET', '/imports?per_page=20');
      if (!past.items.length) return clear(history, h('p', { class: 'muted' }, '尚无正式导入记录。'));
      clear(history, h('div', { class: 'table-wrap' }, h('table', { class: 'table table-compact', id: 'import-history-table' },
        h('thead', null, h('tr', null, ['时间', '文件', '导入人', '行数', '户数', '新建', '更新', '无变化', '需核对'].map((t) => h('th', null, t)))),
        h('tbody', null, past.items.map((p) => h('tr', null,
          h('td', null, formatDateTime(p.created_at)), h('td', null, p.file_name), h('td', null, p.created_by),
          ...[p.rows, p.households, p.created, p.updated, p.unchanged, p.review].map((n) => h('td', { class: 'num' }, String(n)))))))),
        past.total > past.items.length ? h('p', { class: 'muted' }, `仅列出最近 ${past.items.length} 次，共 ${past.total} 次。`) : null);
    } catch (err) {
      clear(history, errorBox(err));
    }
  }

  function showProgress(job) {
    progress.hidden = false;
    const pct = job.percent;
    if (pct < 0) {
      bar.style.width = '100%';
      bar.style.opacity = '.35';
      track.removeAttribute('aria-valuenow');
    } else {
      bar.style.width = `${pct}%`;
      bar.style.opacity = '1';
      track.setAttribute('aria-valuenow', String(Math.round(pct)));
    }
    if (job.state === 'running') status.textContent = job.message;
    else if (job.interrupted) status.textContent = '导入已中断';
    else if (job.state === 'failed') status.textContent = job.dry_run ? '试导入未通过' : '导入未完成';
    else status.textContent = job.dry_run ? '试导入完成' : '导入完成';
  }

  // follow polls a job until it is no longer running; the server says how far it is.
  async function follow(job) {
    showProgress(job);
    while (job.state === 'running') {
      await new Promise((r) => setTimeout(r, 400));
      job = await api('GET', `/imports/${job.id}`);
      showProgress(job);
    }
    return job;
  }

  async function start() {
    if (!file.files.length || busy) return;
    const fd = new FormData();
    fd.append('file', file.files[0]);
    const q = new URLSearchParams({ dry_run: '1', wait: '1' });
    if (org.value) q.set('org', orgs.find((o) => String(o.id) === org.value)?.code || '');
    await run(() => api('POST', `/imports?${q}`, fd));
  }

  async function run(send) {
    busy = true;
    dryButton.disabled = true;
    clear(result);
    try {
      const job = await follow(await send());
      showResult(job);
      if (!job.dry_run) showHistory();
    } catch (err) {
      progress.hidden = true;
      clear(result, errorBox(err));
    } finally {
      busy = false;
      dryButton.disabled = !file.files.length;
    }
  }

  function showResult(job) {
    const r = job.report;
    const parts = [];
    if (job.error && (!r || !r.problems || !r.problems.length)) {
      parts.push(alert(job.error.message, 'error'));
    }
    if (r) {
      const bad = r.problems.length > 0;
      const kind = bad ? 'error' : 'ok';
      parts.push(h('div', { id: 'import-summary' }, alert(r.summary, kind)));
      for (const u of r.unknown_columns || []) parts.push(alert(`未识别的列（已忽略）：${u}`, 'warn'));
      for (const n of r.notes || []) parts.push(alert(n, 'info'));
      const actions = [linkButton('下载报告（Excel）', `/api/v1/imports/${job.id}/report`, { id: 'import-report-link' })];
      if (!bad && job.dry_run && canRun && (r.create + r.update) > 0) {
        actions.unshift(button('正式导入', () => run(() => api('POST', `/imports/${job.id}/run?wait=1`)), { kind: 'primary', id: 'import-run' }));
      }
      if (r.written) actions.push(linkButton('查看草稿档案', '#/households?status=draft', { id: 'import-households' }));
      parts.push(h('div', { class: 'form-actions' }, actions));
      if (bad) parts.push(card(`错误明细（${r.problem_count ?? r.problems.length} 处，共 ${r.rows_refused} 行）`, problemsTable(r.problems, r.problem_count ?? r.problems.length)));
      else if (r.outcomes.length) parts.push(card(r.written ? '导入结果' : '正式导入将会', outcomesTable(r)));
    }
    clear(result, parts);
  }
}

// SHOWN bounds the rows drawn on the page; the report workbook lists every one.
const SHOWN = 500;

function problemsTable(all, count) {
  const problems = all.slice(0, SHOWN);
  return h('div', null, h('div', { class: 'table-wrap' }, h('table', { class: 'table table-compact', id: 'import-problems' },
    h('thead', null, h('tr', null, ['工作表', '行号', '单元格', '列', '填写内容', '错误说明'].map((t) => h('th', null, t)))),
    h('tbody', null, problems.map((p) => h('tr', { dataset: { row: String(p.row) } },
      h('td', null, p.sheet || ''), h('td', { class: 'num' }, p.row ? `第 ${p.row} 行` : '文件'), h('td', null, p.cell || ''),
      h('td', null, p.column || ''), h('td', null, p.value || ''), h('td', { class: 'table-error' }, p.message)))))),
    count > problems.length ? h('p', { class: 'muted' }, `仅列出前 ${problems.length} 处，共 ${count} 处；完整列表请下载报告。`) : null);
}

function outcomesTable(r) {
  const rows = r.outcomes.map((o) => {
    const name = IMPORT_ACTIONS[o.action] || o.action;
    const kind = ACTION_KIND[o.action] || 'info';
    return h('tr', { dataset: { row: String(o.row) } },
      h('td', { class: 'num' }, `第 ${o.row} 行`), h('td', null, badge(name, kind)), h('td', null, o.name), h('td', null, o.id_number),
      h('td', { class: 'num' }, String(o.members)), h('td', null, o.category), h('td', null, o.file_no || ''),
      h('td', null, (o.changed || []).join('、')));
  });
  return h('div', null, h('div', { class: 'table-wrap' }, h('table', { class: 'table table-compact', id: 'import-outcomes' },
    h('thead', null, h('tr', null, ['行号', '处理', '户主', '身份证号', '家庭成员', '建议类别', '档案编号', '变更的项目'].map((t) => h('th', null, t)))),
    h('tbody', null, rows))),
    r.outcomes.length < r.households ? h('p', { class: 'muted' }, `仅列出前 ${r.outcomes.length} 户，共 ${r.households} 户；完整结果见报告。`) : null);
}
