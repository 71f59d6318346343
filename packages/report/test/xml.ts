// A small well-formedness check for the SVG/HTML this package writes: balanced tags, quoted
// attributes, and no bare `<` or `&` in text or attribute values.
export function checkXml(text: string, voidElements: readonly string[] = []): { tags: Map<string, number> } {
  const stack: string[] = [];
  const tags = new Map<string, number>();
  const tagRe = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|<!DOCTYPE html>/gy;
  let p = 0;
  const checkText = (s: string, where: number) => {
    if (/<|&(?!(amp|lt|gt|quot|#39);)/.test(s)) throw new Error(`bare < or & near offset ${where}: ${s.slice(0, 60)}`);
  };
  while (p < text.length) {
    const lt = text.indexOf('<', p);
    if (lt < 0) {
      checkText(text.slice(p), p);
      break;
    }
    checkText(text.slice(p, lt), p);
    tagRe.lastIndex = lt;
    const m = tagRe.exec(text);
    if (!m) throw new Error(`malformed tag at offset ${lt}: ${text.slice(lt, lt + 60)}`);
    p = tagRe.lastIndex;
    if (!m[2]) continue; // doctype
    const [, close, name, attrs, selfClose] = m;
    for (const a of attrs.matchAll(/="([^"]*)"/g)) checkText(a[1], lt);
    if (close) {
      const open = stack.pop();
      if (open !== name) throw new Error(`</${name}> closes <${open}> at offset ${lt}`);
    } else {
      tags.set(name, (tags.get(name) ?? 0) + 1);
      if (!selfClose && !voidElements.includes(name)) stack.push(name);
    }
  }
  if (stack.length > 0) throw new Error(`unclosed: ${stack.join(', ')}`);
  return { tags };
}
