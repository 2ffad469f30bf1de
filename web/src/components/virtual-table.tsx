import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';

const ROW = 28;
const HEIGHT = 448;

/**
 * A table that renders only the rows in view, so a million rows scroll as smoothly as ten.
 * Arrow keys, Page Up/Down, Home and End move the view when it has focus.
 */
export function VirtualTable<T>(props: {
  label: string;
  rows: readonly T[];
  columns: readonly { name: string; width: string; cell: (row: T) => ComponentChildren }[];
}) {
  const [top, setTop] = useState(0);
  const first = Math.floor(top / ROW);
  const count = Math.ceil(HEIGHT / ROW) + 2;
  const visible = props.rows.slice(first, first + count);
  const template = props.columns.map((c) => c.width).join(' ');
  const onKey = (e: KeyboardEvent) => {
    const el = e.currentTarget as HTMLDivElement;
    const step = { ArrowDown: ROW, ArrowUp: -ROW, PageDown: HEIGHT, PageUp: -HEIGHT }[e.key];
    if (step !== undefined) el.scrollTop += step;
    else if (e.key === 'Home') el.scrollTop = 0;
    else if (e.key === 'End') el.scrollTop = el.scrollHeight;
    else return;
    e.preventDefault();
  };
  return (
    <div role="table" aria-label={props.label} aria-rowcount={props.rows.length + 1} class="vtable">
      <div role="rowgroup">
        <div
          role="row"
          class="vrow vhead"
          style={{ gridTemplateColumns: template }}
          aria-rowindex={1}
        >
          {props.columns.map((c) => (
            <span role="columnheader" key={c.name}>
              {c.name}
            </span>
          ))}
        </div>
      </div>
      <div
        role="rowgroup"
        tabIndex={0}
        aria-label={`${props.rows.length} rows; use the arrow keys to scroll`}
        class="vbody"
        style={{ height: `${HEIGHT}px` }}
        onScroll={(e) => setTop((e.currentTarget as HTMLDivElement).scrollTop)}
        onKeyDown={onKey}
      >
        <div style={{ height: `${props.rows.length * ROW}px`, position: 'relative' }}>
          {visible.map((row, i) => (
            <div
              role="row"
              key={first + i}
              aria-rowindex={first + i + 2}
              class="vrow"
              style={{ gridTemplateColumns: template, top: `${(first + i) * ROW}px` }}
            >
              {props.columns.map((c) => (
                <span role="cell" key={c.name}>
                  {c.cell(row)}
                </span>
              ))}
            </div>
          ))}
        </div>
      </div>
    </div>
  );
}
