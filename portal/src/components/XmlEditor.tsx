// A code editor for policy XML without an editor library: the real control is a <textarea> (labelled,
// keyboard and screen reader as usual, its text transparent), and behind it an aria-hidden <pre> draws
// the same text highlighted (tags, attributes, values, comments, CDATA, @(...) expressions), scrolled in
// step with it. Problems (line, column) are listed below as buttons that put the caret there.
import { forwardRef, useImperativeHandle, useMemo, useRef, type CSSProperties } from 'react';
import { Button, Field, makeStyles, tokens } from '@fluentui/react-components';
import { offsetOf, type PolicyProblem } from '../api/apim';

const useStyles = makeStyles({
  frame: {
    position: 'relative', height: '380px', borderRadius: tokens.borderRadiusMedium, backgroundColor: tokens.colorNeutralBackground1,
    outlineWidth: '1px', outlineStyle: 'solid', outlineColor: tokens.colorNeutralStroke1, maxWidth: '100%',
  },
  layer: { position: 'absolute', top: 0, left: 0, right: 0, bottom: 0, margin: 0, boxSizing: 'border-box', overflow: 'auto' },
  pre: { overflow: 'hidden', pointerEvents: 'none', color: tokens.colorNeutralForeground1, zIndex: 0 },
  area: {
    resize: 'none', backgroundColor: 'transparent', color: 'transparent', caretColor: tokens.colorNeutralForeground1,
    ':focus': { outlineWidth: '2px', outlineStyle: 'solid', outlineColor: tokens.colorBrandStroke1 },
  },
  tag: { color: tokens.colorPaletteBlueForeground2 },
  attr: { color: tokens.colorPaletteRedForeground2 },
  value: { color: tokens.colorPaletteGreenForeground2 },
  comment: { color: tokens.colorNeutralForeground3, fontStyle: 'italic' },
  expr: { color: tokens.colorPaletteBerryForeground2 },
  // A problem's line, drawn behind the text (it scrolls with the highlighted layer).
  marker: { position: 'absolute', left: 0, right: 0, height: '20px', backgroundColor: tokens.colorPaletteRedBackground1, zIndex: -1 },
  problems: { display: 'flex', flexDirection: 'column', alignItems: 'flex-start', gap: '2px', marginTop: tokens.spacingVerticalXS },
  problem: { color: tokens.colorPaletteRedForeground1, textAlign: 'left', overflowWrap: 'anywhere', height: 'auto', minHeight: '24px' },
});

/** Metrics both layers share, so the highlighted text sits exactly under the typed one. */
const METRICS: CSSProperties = {
  fontFamily: 'Consolas, "Cascadia Mono", "Courier New", monospace', fontSize: '13px', lineHeight: '20px', padding: '8px 10px',
  whiteSpace: 'pre', tabSize: 4, letterSpacing: 'normal', wordSpacing: 'normal',
};

type Kind = 'tag' | 'attr' | 'value' | 'comment' | 'expr' | 'text';

/** XML (and policy expressions) as highlighted runs. */
export function tokenize(xml: string): { kind: Kind; text: string }[] {
  const out: { kind: Kind; text: string }[] = [];
  const re = /(<!--[\s\S]*?(?:-->|$))|(<!\[CDATA\[[\s\S]*?(?:\]\]>|$))|(<\/?[\w:.-]*)|(\/?>)|("[^"]*"?|'[^']*'?)|(@\((?:[^()]|\([^()]*\))*\)?|@\{[\s\S]*?(?:\}|$))|([\w:.-]+)(?=\s*=)/g;
  let last = 0;
  let inTag = false;
  for (let m = re.exec(xml); m; m = re.exec(xml)) {
    if (m[0] === '') { re.lastIndex++; continue; }
    if (m.index > last) out.push({ kind: 'text', text: xml.slice(last, m.index) });
    let kind: Kind = 'text';
    if (m[1] || m[2]) kind = 'comment';
    else if (m[3]) { kind = 'tag'; inTag = true; }
    else if (m[4]) { kind = inTag ? 'tag' : 'text'; inTag = false; }
    else if (m[5]) kind = !inTag ? 'text' : /^["']@[({]/.test(m[5]) ? 'expr' : 'value';
    else if (m[6]) kind = 'expr';
    else if (m[7]) kind = inTag ? 'attr' : 'text';
    out.push({ kind, text: m[0] });
    last = m.index + m[0].length;
  }
  if (last < xml.length) out.push({ kind: 'text', text: xml.slice(last) });
  return out;
}

export interface XmlEditorHandle { focusAt(line: number, column: number): void }

export const XmlEditor = forwardRef<XmlEditorHandle, {
  label: string; value: string; onChange(v: string): void; problems?: PolicyProblem[]; readOnly?: boolean; hint?: string;
}>(function XmlEditor({ label, value, onChange, problems = [], readOnly, hint }, ref) {
  const s = useStyles();
  const area = useRef<HTMLTextAreaElement>(null);
  const pre = useRef<HTMLPreElement>(null);
  const focusAt = (line: number, column: number) => {
    const t = area.current;
    if (!t) return;
    const off = offsetOf(t.value, line, column);
    t.focus();
    t.setSelectionRange(off, off);
    // Bring the caret's line into view (20px lines, as METRICS).
    t.scrollTop = Math.max(0, (line - 3) * 20);
    sync();
  };
  useImperativeHandle(ref, () => ({ focusAt }));
  const sync = () => {
    if (pre.current && area.current) { pre.current.scrollTop = area.current.scrollTop; pre.current.scrollLeft = area.current.scrollLeft; }
  };
  const runs = useMemo(() => tokenize(value), [value]);
  return (
    <Field label={label} hint={hint} validationState={problems.length > 0 ? 'error' : undefined}
      validationMessage={problems.length > 0 ? `${problems.length} problem${problems.length > 1 ? 's' : ''} in the policy document` : undefined}>
      {(fieldProps) => (<>
      <div className={s.frame}>
        <pre ref={pre} aria-hidden="true" className={`${s.layer} ${s.pre}`} style={METRICS}>
          {problems.map((p, i) => <span key={`m${i}`} className={s.marker} style={{ top: 8 + (p.line - 1) * 20, minWidth: '100%' }} />)}
          {runs.map((r, i) => (r.kind === 'text' ? r.text : <span key={i} className={s[r.kind]}>{r.text}</span>))}
          {/* A trailing newline needs a line of its own to keep the layers the same height. */}
          {'\n'}
        </pre>
        <textarea {...fieldProps} ref={area} className={`${s.layer} ${s.area}`} style={{ ...METRICS, border: 'none' }} value={value} readOnly={readOnly} spellCheck={false}
          autoCapitalize="off" autoComplete="off" wrap="off" onScroll={sync} onChange={(e) => onChange(e.target.value)} />
      </div>
      {problems.length > 0 && (
        <div className={s.problems} role="list" aria-label="Policy problems">
          {problems.map((p, i) => (
            <div role="listitem" key={i}>
              <Button appearance="transparent" size="small" className={s.problem} style={{ color: tokens.colorPaletteRedForeground1 }} onClick={() => focusAt(p.line, p.column)}>
                Line {p.line}, column {p.column}: {p.message}
              </Button>
            </div>
          ))}
        </div>
      )}
      </>)}
    </Field>
  );
});
