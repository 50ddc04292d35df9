/** How a form field's string becomes the value the API schema expects. */
export type FormFieldKind = 'text' | 'text-or-empty' | 'int' | 'yes-no' | 'list';

/**
 * Shapes an HTML form body for an API schema: blank text becomes null (or '' for
 * `text-or-empty`, where the schema wants a string), yes/no radios become
 * booleans (undefined when unanswered, so the schema names the field), whole numbers become
 * numbers (left as typed when they are not, so the schema refuses them), and repeated
 * checkboxes become a list. Fields not in `spec` (the CSRF token) are left out.
 */
export function fromForm(body: unknown, spec: Record<string, FormFieldKind>): Record<string, unknown> {
  const values = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [name, kind] of Object.entries(spec)) {
    const raw = values[name];
    const text = typeof raw === 'string' ? raw.trim() : '';
    switch (kind) {
      case 'text':
        out[name] = text === '' ? null : text;
        break;
      case 'text-or-empty':
        out[name] = text;
        break;
      case 'int':
        out[name] = text === '' ? null : /^-?\d+$/.test(text) ? Number(text) : text;
        break;
      case 'yes-no':
        out[name] = raw === 'yes' ? true : raw === 'no' ? false : undefined;
        break;
      case 'list':
        out[name] = raw === undefined ? [] : [raw].flat().filter((v): v is string => typeof v === 'string');
        break;
    }
  }
  return out;
}

/** A form's posted text field: trimmed, blank as undefined, anything that is not one string as undefined. */
export function formText(body: Record<string, unknown>, name: string): string | undefined {
  const raw = body[name];
  return typeof raw === 'string' && raw.trim() !== '' ? raw.trim() : undefined;
}
