/**
 * Every keyboard shortcut of the editor, in one table: the key handler dispatches from it and the help overlay
 * (`?`) lists it, so the two can never disagree.
 */
export type EditorAction =
  | 'tool-select' | 'tool-polygon' | 'tool-freehand' | 'tool-brush' | 'tool-eraser' | 'tool-threshold' | 'tool-wand'
  | 'brush-smaller' | 'brush-larger'
  | 'class-ggo' | 'class-c'
  | 'toggle-ggo' | 'toggle-c' | 'toggle-proposals' | 'accept-proposals'
  | 'opacity-down' | 'opacity-up'
  | 'window-lung' | 'window-mediastinal' | 'window-default'
  | 'fit' | 'undo' | 'redo' | 'delete' | 'finish' | 'cancel'
  | 'slice-previous' | 'slice-next' | 'copy-previous' | 'copy-next' | 'interpolate'
  | 'next-slice' | 'submit' | 'help';

export interface Shortcut {
  action: EditorAction;
  keys: string;
  description: string;
  matches(e: KeyboardEvent): boolean;
}

const plain = (key: string) => (e: KeyboardEvent) => !e.ctrlKey && !e.metaKey && !e.altKey && e.key.toLowerCase() === key;
const mod = (e: KeyboardEvent) => e.ctrlKey || e.metaKey;

export const SHORTCUTS: Shortcut[] = [
  { action: 'tool-select', keys: 'V', description: 'Select / edit tool', matches: plain('v') },
  { action: 'tool-polygon', keys: 'P', description: 'Polygon tool (click vertices)', matches: plain('p') },
  { action: 'tool-freehand', keys: 'F', description: 'Freehand tool (drag to trace)', matches: plain('f') },
  { action: 'tool-brush', keys: 'B', description: 'Brush: paint the active class (drag)', matches: plain('b') },
  { action: 'tool-eraser', keys: 'E', description: 'Eraser: remove from any polygon (drag); inside one it cuts a hole, across one it splits it', matches: plain('e') },
  { action: 'tool-threshold', keys: 'H', description: 'Threshold brush: paints only pixels within the value range (HU on CT)', matches: plain('h') },
  { action: 'tool-wand', keys: 'G', description: 'Magic wand: click to grow a region of similar value (tolerance in the toolbar)', matches: plain('g') },
  { action: 'brush-smaller', keys: '{ (Shift+[)', description: 'Smaller brush', matches: (e) => !mod(e) && e.key === '{' },
  { action: 'brush-larger', keys: '} (Shift+])', description: 'Larger brush', matches: (e) => !mod(e) && e.key === '}' },
  { action: 'class-ggo', keys: '1', description: 'Class GGO (new polygons, or the selected one)', matches: plain('1') },
  { action: 'class-c', keys: '2', description: 'Class C — consolidation', matches: plain('2') },
  { action: 'toggle-ggo', keys: 'Shift+1', description: 'Show / hide GGO', matches: (e) => e.shiftKey && e.code === 'Digit1' },
  { action: 'toggle-c', keys: 'Shift+2', description: 'Show / hide C', matches: (e) => e.shiftKey && e.code === 'Digit2' },
  { action: 'toggle-proposals', keys: 'T', description: 'Show / hide model proposals', matches: plain('t') },
  { action: 'accept-proposals', keys: 'A', description: 'Accept all model proposals into the annotation', matches: plain('a') },
  { action: 'opacity-down', keys: '[', description: 'Less fill opacity', matches: plain('[') },
  { action: 'opacity-up', keys: ']', description: 'More fill opacity', matches: plain(']') },
  { action: 'window-lung', keys: 'L', description: 'Lung window W1500 / L−600 (CT); on 8-bit slices the image as stored', matches: plain('l') },
  { action: 'window-mediastinal', keys: 'M', description: 'Mediastinal window W350 / L50 (CT); on 8-bit slices more contrast', matches: plain('m') },
  { action: 'window-default', keys: 'W', description: 'The slice’s own window', matches: plain('w') },
  { action: 'fit', keys: '0', description: 'Fit the slice to the screen', matches: plain('0') },
  { action: 'undo', keys: 'Ctrl/Cmd+Z', description: 'Undo', matches: (e) => mod(e) && !e.shiftKey && e.key.toLowerCase() === 'z' },
  { action: 'redo', keys: 'Ctrl/Cmd+Shift+Z, Ctrl+Y', description: 'Redo', matches: (e) => mod(e) && ((e.shiftKey && e.key.toLowerCase() === 'z') || e.key.toLowerCase() === 'y') },
  { action: 'delete', keys: 'Delete / Backspace', description: 'Delete the selected vertex, else the selected polygon; while drawing, the last vertex', matches: (e) => e.key === 'Delete' || e.key === 'Backspace' },
  { action: 'finish', keys: 'Enter', description: 'Close the polygon being drawn', matches: (e) => e.key === 'Enter' && !mod(e) },
  { action: 'cancel', keys: 'Esc', description: 'Cancel drawing / clear the selection', matches: (e) => e.key === 'Escape' },
  { action: 'submit', keys: 'Ctrl/Cmd+Enter', description: 'Submit for review and go to the next slice', matches: (e) => mod(e) && e.key === 'Enter' },
  { action: 'slice-previous', keys: '↑ / Page Up', description: 'Previous slice in this study', matches: (e) => !e.shiftKey && !mod(e) && (e.key === 'ArrowUp' || e.key === 'PageUp') },
  { action: 'slice-next', keys: '↓ / Page Down', description: 'Next slice in this study', matches: (e) => !e.shiftKey && !mod(e) && (e.key === 'ArrowDown' || e.key === 'PageDown') },
  { action: 'copy-previous', keys: 'Shift+↑', description: 'Copy the outlines of the previous slice into this one', matches: (e) => e.shiftKey && !mod(e) && e.key === 'ArrowUp' },
  { action: 'copy-next', keys: 'Shift+↓', description: 'Copy the outlines of the next slice into this one', matches: (e) => e.shiftKey && !mod(e) && e.key === 'ArrowDown' },
  { action: 'interpolate', keys: 'I', description: 'Interpolate the lesions between the previous and next slices into this one', matches: plain('i') },
  { action: 'next-slice', keys: 'N', description: 'Skip to the next slice in the queue', matches: plain('n') },
  { action: 'help', keys: '?', description: 'This help', matches: (e) => e.key === '?' },
];

/** Mouse gestures, listed in the help next to the keys. */
export const MOUSE_HELP: [string, string][] = [
  ['Wheel', 'Zoom around the cursor'],
  ['Shift + wheel', 'Previous / next slice in this study'],
  ['Space + drag, middle drag', 'Pan'],
  ['Right drag', 'Window / level (horizontal = width, vertical = level)'],
  ['Click an edge of the selected polygon', 'Insert a vertex'],
  ['Alt + click a vertex', 'Delete that vertex'],
  ['Double-click, or click the first vertex', 'Close the polygon being drawn'],
];

export function actionFor(e: KeyboardEvent): EditorAction | null {
  // Redo before undo: both match Ctrl+Z with different shift states, and the table order decides.
  const hit = SHORTCUTS.find((s) => s.action === 'redo' && s.matches(e)) ?? SHORTCUTS.find((s) => s.matches(e));
  return hit?.action ?? null;
}
