// The code editor of the tutorial's cells: CodeMirror 6 with Python highlighting, set up once here.
// Not served as is: the build bundles this file and the CodeMirror packages it imports (bare npm specifiers)
// into one self-hosted ES module, dist/vendor/codemirror/code_editor.js (buildtools/editor_bundle.py), which
// learn_cells.js imports on first use.
import { EditorState } from "@codemirror/state";
import { EditorView, keymap, lineNumbers, highlightActiveLine, drawSelection } from "@codemirror/view";
import { defaultKeymap, history, historyKeymap } from "@codemirror/commands";
import {
  bracketMatching, indentOnInput, syntaxHighlighting, defaultHighlightStyle, HighlightStyle,
} from "@codemirror/language";
import { python } from "@codemirror/lang-python";

// CodeMirror's default colours, except two that are too pale on the editor's white paper (style.css keeps it
// white in both colour schemes): WCAG AA asks 4.5:1 for text, #e40 has 3.8:1 and #f00 4.0:1.
const READABLE = { "#e40": "#b33000", "#f00": "#c00" };
const highlightStyle = HighlightStyle.define(
  defaultHighlightStyle.specs.map((spec) => (spec.color in READABLE ? { ...spec, color: READABLE[spec.color] } : spec)),
);

/**
 * An editor for one cell inside `parent`.
 * @param {HTMLElement} parent where the editor goes
 * @param {{doc: string, label: string, onRun: () => void}} options the code, the accessible name of its
 *   editable text ("Code cell 3"), and what Shift+Enter / Ctrl+Enter does (run the cell)
 * @returns {{text: () => string, setText: (s: string) => void, focus: () => void, view: EditorView}}
 */
export function createEditor(parent, { doc, label, onRun }) {
  const run = () => {
    onRun();
    return true;
  };
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc,
      extensions: [
        lineNumbers(),
        history(),
        drawSelection(),
        highlightActiveLine(),
        indentOnInput(),
        bracketMatching(),
        syntaxHighlighting(highlightStyle),
        python(),
        // Tab is left to the browser so that keyboard users can leave the editor; Shift+Enter runs, as in Jupyter.
        keymap.of([{ key: "Shift-Enter", run }, { key: "Mod-Enter", run }, ...defaultKeymap, ...historyKeymap]),
        // tabindex: a read-only cell (not contenteditable) must still be reachable to read and scroll
        EditorView.contentAttributes.of({ "aria-label": label, tabindex: "0" }),
      ],
    }),
  });
  return {
    view,
    text: () => view.state.doc.toString(),
    setText: (s) => view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: s } }),
    focus: () => view.focus(),
  };
}
