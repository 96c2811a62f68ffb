() => {
  // Words broken inside table cells: a run of non-space characters laid out on
  // more than one line, except a compound broken right after a hyphen that
  // follows a word of letters ("Human-in-the-Loop"), never a date or a code.
  const broken = [];
  const open = [...document.querySelectorAll('details:not([open])')];
  open.forEach(d => d.open = true);
  for (const cell of document.querySelectorAll('td, th')) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    let node;
    while ((node = walker.nextNode())) {
      const words = /\S+/g; let m;
      while ((m = words.exec(node.data))) {
        const pieces = m[0].split(/(?<=\p{L}{2}-)(?=\p{L})/u);
        let offset = m.index;
        for (const piece of pieces) {
          const range = document.createRange();
          range.setStart(node, offset); range.setEnd(node, offset + piece.length);
          offset += piece.length;
          const tops = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
          if (tops.size > 1) broken.push(m[0]);
        }
      }
    }
  }
  const openWidth = document.documentElement.scrollWidth;
  open.forEach(d => d.open = false);
  return {width: Math.max(openWidth, document.documentElement.scrollWidth), viewport: window.innerWidth, broken: broken.slice(0, 10)};
}
