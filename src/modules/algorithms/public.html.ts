import type { Lang, PublicAlgorithm } from './public.schema.ts';

const LABELS = {
  'zh-CN': {
    title: '算法备案公示',
    caption: '本市在用及已备案的治理算法',
    intro: '以下算法经备案、审核后方可运行；每次决策均有记录，可解释、可复核。',
    cols: [
      '名称',
      '用途与影响',
      '责任部门',
      '备案类型',
      '风险等级',
      '人工监督',
      '个人信息',
      '状态',
      '版本',
      '起止日期',
    ],
    personal: ['含个人信息', '不含个人信息'],
    status: { in_use: '使用中', approved: '已批准，未启用', retired: '已停用' },
    type: {
      generation_synthesis: '生成合成类',
      personalised_push: '个性化推送类',
      ranking_selection: '排序精选类',
      retrieval_filtering: '检索过滤类',
      scheduling_decision: '调度决策类',
    },
    risk: { minimal: '最低风险', limited: '有限风险', high: '高风险' },
    other: 'English',
    empty: '暂无公示的算法。',
  },
  en: {
    title: 'Algorithm register',
    caption: 'Governance algorithms in use or filed in this city',
    intro:
      'These algorithms run only after filing and approval; every decision is logged and can be explained and reviewed.',
    cols: [
      'Name',
      'Purpose and impact',
      'Department',
      'Filing type',
      'Risk',
      'Human oversight',
      'Personal data',
      'Status',
      'Version',
      'Dates',
    ],
    personal: ['Uses personal data', 'No personal data'],
    status: { in_use: 'In use', approved: 'Approved, not yet in use', retired: 'Out of use' },
    type: {
      generation_synthesis: 'Generation/synthesis',
      personalised_push: 'Personalised push',
      ranking_selection: 'Ranking/selection',
      retrieval_filtering: 'Retrieval/filtering',
      scheduling_decision: 'Scheduling/decision',
    },
    risk: { minimal: 'Minimal', limited: 'Limited', high: 'High' },
    other: '中文',
    empty: 'No algorithms are published yet.',
  },
} as const;

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The public register as one accessible HTML page: a captioned table with scoped headers, in one language. */
export function renderRegisterPage(items: PublicAlgorithm[], lang: Lang): string {
  const L = LABELS[lang];
  const e = escapeHtml;
  const rows = items.map((a) => {
    const personal = a.dataSources.some((d) => d.personalData) ? L.personal[0] : L.personal[1];
    const dates = [a.startDate ?? '', a.endDate ?? ''].join(' – ');
    const cells = [
      `${e(a.purpose)}<br><small>${e(a.impact)}</small>`,
      e(a.owner.departmentName),
      e(L.type[a.decisionType]),
      e(L.risk[a.riskCategory]),
      e(a.humanOversight),
      e(personal),
      e(L.status[a.status]),
      `<code>${e(a.version)}</code>`,
      e(dates),
    ];
    const name = `<th scope="row" id="${e(a.key)}"><span>${e(a.name)}</span><br><small>${e(a.description)}</small></th>`;
    return `<tr>${name}${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
  });
  const body = rows.length ? rows.join('\n') : `<tr><td colspan="${L.cols.length}">${e(L.empty)}</td></tr>`;
  const otherLang = lang === 'en' ? 'zh-CN' : 'en';
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(L.title)}</title>
<style>body{font-family:system-ui,sans-serif;margin:1rem 2rem;line-height:1.4}table{border-collapse:collapse;width:100%}th,td{border:1px solid #999;padding:.4rem;text-align:left;vertical-align:top}caption{text-align:left;font-weight:bold;padding:.5rem 0}thead th{background:#eee}</style>
</head>
<body>
<header><h1>${e(L.title)}</h1><p><a href="?lang=${otherLang}" lang="${otherLang}" hreflang="${otherLang}">${e(L.other)}</a></p></header>
<main>
<p>${e(L.intro)}</p>
<table>
<caption>${e(L.caption)}</caption>
<thead><tr>${L.cols.map((c) => `<th scope="col">${e(c)}</th>`).join('')}</tr></thead>
<tbody>
${body}
</tbody>
</table>
</main>
</body>
</html>
`;
}
