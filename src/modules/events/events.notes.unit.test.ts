import { describe, expect, it } from 'vitest';
import { noteLanguage, notes, renderNote } from './events.notes.ts';

describe('status notes', () => {
  it.each([
    [undefined, 'zh-CN'],
    ['', 'zh-CN'],
    ['zh-CN,zh;q=0.9,en;q=0.8', 'zh-CN'],
    ['en-GB,en;q=0.9', 'en'],
    ['fr-FR,en;q=0.5,zh;q=0.4', 'en'],
    ['fr-FR,zh-TW;q=0.8,en;q=0.5', 'zh-CN'],
    ['en;q=0, zh', 'zh-CN'],
    ['de', 'zh-CN'],
  ])('Accept-Language %j reads as %s', (header, lang) => {
    expect(noteLanguage(header)).toBe(lang);
  });

  it('renders a code in either language and keeps the English text as the fallback', () => {
    const n = notes.completed('解放碑执法一队', '已清理');
    const stored = { statusNote: n.text, statusNoteCode: n.code, statusNoteParams: n.params };
    expect(n.text).toBe('解放碑执法一队 completed the work: 已清理');
    expect(renderNote(stored, 'zh-CN')).toBe('解放碑执法一队已处置完成：已清理');
    expect(renderNote(stored, 'en')).toBe('解放碑执法一队 completed the work: 已清理');
    // A citizen never sees the classifier's internal reason for triage.
    expect(
      renderNote({ ...stored, ...codeOf(notes.triage('low confidence 0.41 for litter')) }, 'zh-CN'),
    ).toBe('已受理，正在人工分拨');
    // Older rows without a code: the stored text.
    expect(renderNote({ statusNote: 'dispatched to X', statusNoteCode: null }, 'zh-CN')).toBe(
      'dispatched to X',
    );
  });
});

function codeOf(n: ReturnType<typeof notes.triage>) {
  return { statusNote: n.text, statusNoteCode: n.code, statusNoteParams: n.params };
}
