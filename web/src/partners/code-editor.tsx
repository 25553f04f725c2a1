/**
 * The mapping editor's text area: CodeMirror 6 with JSONata highlighting and the compile error marked at
 * JSONata's position. Loaded on demand (mapping-editor.tsx imports it lazily), so neither the venue app
 * nor the console's list pages carry CodeMirror.
 */
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { bracketMatching, indentOnInput } from '@codemirror/language';
import { EditorState, StateEffect, StateField, type Extension } from '@codemirror/state';
import { Decoration, type DecorationSet, drawSelection, EditorView, highlightActiveLine, keymap, lineNumbers } from '@codemirror/view';
import { useEffect, useLayoutEffect, useRef } from 'preact/hooks';
import { jsonataHighlight, jsonataLanguage } from './jsonata-language';

export interface ErrorRange {
  from: number;
  to: number;
  message: string;
}

const setError = StateEffect.define<ErrorRange | null>();
const errorMark = Decoration.mark({ class: 'cm-compile-error', attributes: { 'aria-invalid': 'true' } });

const errorField = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(marks, tr) {
    marks = marks.map(tr.changes);
    for (const e of tr.effects) {
      if (!e.is(setError)) continue;
      const range = e.value;
      if (!range) marks = Decoration.none;
      else {
        const len = tr.state.doc.length;
        const from = Math.max(0, Math.min(range.from, len));
        const to = Math.max(from, Math.min(range.to, len));
        marks = from === to ? Decoration.none : Decoration.set([errorMark.range(from, to)]);
      }
    }
    return marks;
  },
  provide: (f) => EditorView.decorations.from(f),
});

const theme = EditorView.theme({
  '&': { fontSize: '0.92rem', border: '1px solid #aab1bc', borderRadius: '8px', background: '#fff' },
  '&.cm-focused': { outline: '3px solid #f0a500', outlineOffset: '2px' },
  '.cm-content': { fontFamily: 'ui-monospace, SFMono-Regular, Menlo, monospace', minHeight: '14rem', padding: '0.5rem 0' },
  '.cm-gutters': { background: '#f5f6f8', color: '#5a6270', borderRight: '1px solid #d9dde3', borderRadius: '8px 0 0 8px' },
  '.cm-scroller': { maxHeight: '28rem' },
  '.cm-compile-error': { textDecoration: 'underline wavy #b3261e', textDecorationSkipInk: 'none', background: '#fdecea' },
});

/**
 * Text typed over a selection is put in by CodeMirror, not by the browser. Left to Chrome, replacing a selection
 * that spans highlighted lines keeps the deleted text's look by wrapping the new text in a `<span style="…">`,
 * a style attribute the shell's Content-Security-Policy refuses (a console error, and CodeMirror redraws the line
 * anyway). Plain typing with no selection, and IME composition, stay the browser's.
 */
const replaceSelectionOnInput = EditorView.domEventHandlers({
  beforeinput(event, view) {
    if (event.inputType !== 'insertText' || event.isComposing || event.data === null) return false;
    if (view.state.selection.ranges.every((r) => r.empty)) return false;
    event.preventDefault();
    view.dispatch({ ...view.state.replaceSelection(event.data), scrollIntoView: true, userEvent: 'input.type' });
    return true;
  },
});

/** Tab is left to the browser (it moves to the next control), so the keyboard is never trapped; Enter indents. */
export function CodeEditor(props: { value: string; onChange: (value: string) => void; error: ErrorRange | null; label: string; describedBy?: string }) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const onChange = useRef(props.onChange);
  onChange.current = props.onChange;

  useEffect(() => {
    const extensions: Extension[] = [
      lineNumbers(), history(), drawSelection(), highlightActiveLine(), indentOnInput(), bracketMatching(),
      keymap.of([...defaultKeymap, ...historyKeymap]),
      jsonataLanguage, jsonataHighlight, errorField, theme, EditorView.lineWrapping, replaceSelectionOnInput,
      EditorView.contentAttributes.of({
        'aria-label': props.label, 'aria-multiline': 'true', ...(props.describedBy ? { 'aria-describedby': props.describedBy } : {}),
      }),
      EditorView.updateListener.of((u) => {
        if (u.docChanged) onChange.current(u.state.doc.toString());
      }),
    ];
    // In a shadow root, CodeMirror's styles are a constructed style sheet (style-mod adopts one there), which the
    // shell's Content-Security-Policy (no inline <style>, no style attributes) allows; in the document it would
    // insert a <style> tag. The style properties CodeMirror sets (tab-size, gutter heights) go through the CSSOM
    // (`el.style.cssText`), which CSP does not govern.
    const root = host.current!.shadowRoot ?? host.current!.attachShadow({ mode: 'open' });
    const parent = document.createElement('div');
    root.replaceChildren(parent);
    view.current = new EditorView({ state: EditorState.create({ doc: props.value, extensions }), parent, root });
    return () => view.current?.destroy();
  }, []);

  // A new text from outside (a version loaded): replace the document, keeping the history. A layout effect, run as
  // the render commits, so it compares the editor with the text of that very render. A passive effect waits for the
  // next frame, and Preact runs a pending one at the component's next render, with its render's (older) text: when
  // the editor changed again before the frame (two keys between two frames, as on a busy machine), it wrote that
  // older text back, the editor reported it, the next render's stale effect wrote the newer one back, and so on
  // without end, in microtasks: the page froze, no key or click was ever handled again.
  useLayoutEffect(() => {
    const v = view.current;
    if (v && v.state.doc.toString() !== props.value) v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: props.value } });
  }, [props.value]);

  useEffect(() => {
    view.current?.dispatch({ effects: setError.of(props.error) });
  }, [props.error?.from, props.error?.to, props.error?.message]);

  return <div ref={host} class="code-editor" data-testid="mapping-editor" />;
}

export default CodeEditor;
