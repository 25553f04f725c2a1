/**
 * JSONata for CodeMirror 6: a small StreamLanguage tokenizer (comments, strings, backtick names, numbers,
 * `$variables` and `$functions()`, keywords, operators, brackets, field names) and its colours. JSONata has
 * no Lezer grammar of its own; @codemirror/lang-javascript would misread `$`, `~>`, `:=` and backtick names,
 * so this reads exactly what JSONata's own tokenizer reads, no more (regex literals are coloured as operators).
 */
import { HighlightStyle, StreamLanguage, syntaxHighlighting, type StreamParser } from '@codemirror/language';
import { tags as t } from '@lezer/highlight';

interface State {
  /** Inside a block comment that has not ended on an earlier line. */
  comment: boolean;
  /** Inside a string that continues from an earlier line: its quote. */
  quote: '"' | "'" | null;
}

const KEYWORDS = new Set(['and', 'or', 'in', 'function']);
const ATOMS = new Set(['true', 'false', 'null']);

function readString(stream: Parameters<StreamParser<State>['token']>[0], state: State): string {
  const quote = state.quote!;
  while (!stream.eol()) {
    const ch = stream.next();
    if (ch === '\\') stream.next();
    else if (ch === quote) {
      state.quote = null;
      return 'string';
    }
  }
  return 'string';
}

function token(stream: Parameters<StreamParser<State>['token']>[0], state: State): string | null {
  if (state.comment) {
    if (stream.skipTo('*/')) {
      stream.pos += 2;
      state.comment = false;
    } else stream.skipToEnd();
    return 'comment';
  }
  if (state.quote) return readString(stream, state);
  if (stream.eatSpace()) return null;
  if (stream.match('/*')) {
    state.comment = true;
    return token(stream, state);
  }
  const ch = stream.peek()!;
  if (ch === '"' || ch === "'") {
    stream.next();
    state.quote = ch;
    return readString(stream, state);
  }
  if (ch === '`') {
    stream.next();
    if (stream.skipTo('`')) stream.next();
    else stream.skipToEnd();
    return 'propertyName';
  }
  if (stream.match(/^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/)) return 'number';
  if (stream.match(/^\$[A-Za-z0-9_]*(?=\s*\()/)) return 'variableName.function';
  if (stream.match(/^\$\$?[A-Za-z0-9_]*/)) return 'variableName';
  if (stream.match(/^(?::=|~>|\.\.|!=|<=|>=|\?\?|\?:|[=<>+\-*/%&|!?:@#^.,;])/)) return 'operator';
  if (stream.match(/^[[\](){}]/)) return 'bracket';
  const word = stream.match(/^[^\s"'`()[\]{}.,;:=<>!+\-*/%&|?@#^~$]+/) as RegExpMatchArray | null;
  if (word) {
    if (KEYWORDS.has(word[0])) return 'keyword';
    if (ATOMS.has(word[0])) return 'atom';
    return 'propertyName';
  }
  stream.next();
  return null;
}

export const jsonataParser: StreamParser<State> = {
  name: 'jsonata',
  startState: () => ({ comment: false, quote: null }),
  copyState: (s) => ({ ...s }),
  token,
  languageData: { commentTokens: { block: { open: '/*', close: '*/' } }, closeBrackets: { brackets: ['(', '[', '{', '"', "'"] } },
};

export const jsonataLanguage = StreamLanguage.define(jsonataParser);

/** Colours with at least 4.5:1 contrast on white. */
export const jsonataHighlight = syntaxHighlighting(
  HighlightStyle.define([
    { tag: t.comment, color: '#5f6b7a', fontStyle: 'italic' },
    { tag: t.string, color: '#0b6e24' },
    { tag: t.number, color: '#8a3b00' },
    { tag: [t.bool, t.null, t.atom], color: '#8a3b00', fontWeight: '600' },
    { tag: t.keyword, color: '#7a1fa2', fontWeight: '600' },
    { tag: t.function(t.variableName), color: '#1f4f99', fontWeight: '600' },
    { tag: t.variableName, color: '#1f4f99' },
    { tag: t.propertyName, color: '#1b1f24' },
    { tag: t.operator, color: '#a3141e' },
    { tag: t.bracket, color: '#4a5260' },
  ]),
);
