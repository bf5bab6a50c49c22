import type { Page } from '@playwright/test';

/**
 * Layout assertions (not pixel diffs), evaluated in the page on what is currently shown. Each
 * returns a readable line per problem:
 *
 * - the page scrolls sideways;
 * - a control (input, select, textarea, button, progress, tab) sticks out of its panel (the
 *   nearest `.panel`, the header, a fieldset or a dialog);
 * - text in the header, a badge or a pill is cut (clipped or ellipsised);
 * - a badge or pill wraps onto a second line;
 * - a badge touches the text before it (less than 3 px between them);
 * - a label sits far from its own control on the same line (more than 48 px beyond the column
 *   its group's longest label makes);
 * - a chart legend shows no value ("--" until hovered) although its chart has data.
 */
export function layoutProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const doc = document.documentElement;
    if (doc.scrollWidth > window.innerWidth + 0.5) problems.push(`the page scrolls sideways (${doc.scrollWidth} px wide in a ${window.innerWidth} px window)`);

    // Visually hidden text for screen readers (1 px, clipped) is not "shown".
    const shown = (el: Element) => {
      const r = el.getBoundingClientRect();
      return r.width > 1 && r.height > 1 && getComputedStyle(el).visibility !== 'hidden' && !el.closest('[hidden]');
    };
    const nameOf = (el: Element) => {
      const id = el.getAttribute('data-testid') ?? el.id ?? '';
      const text = (el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 40);
      return `<${el.tagName.toLowerCase()}${id ? ` ${id}` : ''}>${text ? ` "${text}"` : ''}`;
    };

    for (const el of document.querySelectorAll('input, select, textarea, button, progress, [role="tab"]')) {
      if (!shown(el) || (el as HTMLInputElement).type === 'hidden') continue;
      const box = el.parentElement?.closest('.panel, .app-header, fieldset, dialog');
      if (!box) continue;
      const r = el.getBoundingClientRect();
      const b = box.getBoundingClientRect();
      if (r.left < b.left - 0.5 || r.right > b.right + 0.5) problems.push(`${nameOf(el)} sticks out of ${nameOf(box).slice(0, 60)} (${Math.round(r.left)}–${Math.round(r.right)} vs ${Math.round(b.left)}–${Math.round(b.right)})`);
    }

    for (const el of document.querySelectorAll('.app-header *, .badge, .pill')) {
      if (!shown(el)) continue;
      const s = getComputedStyle(el);
      const clips = s.overflowX === 'hidden' || s.overflowX === 'clip' || s.textOverflow === 'ellipsis';
      if (clips && el.scrollWidth > el.clientWidth + 1) problems.push(`${nameOf(el)} is cut (${el.scrollWidth} px of text in ${el.clientWidth} px)`);
    }

    for (const el of document.querySelectorAll('.badge, .pill')) {
      if (!shown(el)) continue;
      const lineHeight = parseFloat(getComputedStyle(el).lineHeight) || parseFloat(getComputedStyle(el).fontSize) * 1.3;
      if (el.getClientRects().length > 1 || el.getBoundingClientRect().height > lineHeight * 1.6 + 4) problems.push(`${nameOf(el)} wraps onto two lines`);
      // The nearest thing before it on the same line: an element or a text node.
      let prev: Node | null = el.previousSibling;
      while (prev && prev.nodeType === Node.TEXT_NODE && !(prev.textContent ?? '').trim()) prev = prev.previousSibling;
      if (!prev) continue;
      let pr: DOMRect;
      if (prev.nodeType === Node.TEXT_NODE) {
        const range = document.createRange();
        range.selectNodeContents(prev);
        const rects = range.getClientRects();
        if (!rects.length) continue;
        pr = rects[rects.length - 1]!;
      } else if (prev instanceof Element && shown(prev)) pr = prev.getBoundingClientRect();
      else continue;
      const r = el.getBoundingClientRect();
      const sameLine = pr.bottom > r.top + 2 && pr.top < r.bottom - 2;
      if (sameLine && r.left - pr.right < 3) problems.push(`${nameOf(el)} touches the text before it (${(r.left - pr.right).toFixed(1)} px)`);
    }

    // A label's own text (its first text node with content) and its control.
    const labelled = [...document.querySelectorAll('label')].flatMap((label) => {
      const control = label.htmlFor ? document.getElementById(label.htmlFor) : label.querySelector('input, select, textarea');
      if (!control || !shown(label) || !shown(control)) return [];
      if (control instanceof HTMLInputElement && (control.type === 'checkbox' || control.type === 'radio')) return [];
      const walker = document.createTreeWalker(label, NodeFilter.SHOW_TEXT);
      let text: Node | null = walker.nextNode();
      while (text && !(text.textContent ?? '').trim()) text = walker.nextNode();
      if (!text || control.contains(text)) return [];
      const range = document.createRange();
      range.selectNodeContents(text);
      return [{ label, control, text: (text.textContent ?? '').trim(), t: range.getBoundingClientRect(), group: label.parentElement?.closest('fieldset, details, .panel, form') ?? null }];
    });
    for (const { control, text, t, group } of labelled) {
      const c = control.getBoundingClientRect();
      if (!(t.bottom > c.top && t.top < c.bottom)) continue; // label above its control
      // Controls aligned in a column after the group's longest label are fine; beyond that,
      // more than 48 px between a label and its control reads as two unrelated things.
      const widest = Math.max(...labelled.filter((l) => l.group === group).map((l) => l.t.width));
      const allowed = widest - t.width + 48;
      if (c.left - t.right > allowed) problems.push(`label "${text}" is ${Math.round(c.left - t.right)} px from its control`);
    }

    for (const fig of document.querySelectorAll('figure[data-points]')) {
      if (!shown(fig) || Number(fig.getAttribute('data-points')) === 0) continue;
      const values = [...fig.querySelectorAll('.u-legend .u-value')].slice(1).map((v) => (v.textContent ?? '').trim());
      if (values.length && !values.some((v) => /\d/.test(v))) problems.push(`the legend of ${nameOf(fig).slice(0, 60)} shows no value (${values.join(', ')}) although the chart has data`);
    }
    return problems;
  });
}
