// Azure's action matching, as Resource Manager applies role definitions: `*` matches any run of
// characters, case-insensitively; an entry grants an action when one of its actions matches it and none
// of its notActions does (dataActions / notDataActions for data actions).

export interface Permission { actions: string[]; notActions: string[]; dataActions?: string[]; notDataActions?: string[] }

export function actionMatches(pattern: string, action: string): boolean {
  const re = new RegExp('^' + pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$', 'i');
  return re.test(action);
}

/** Whether `permissions` grant `action` (a data action when `data`). */
export function allows(permissions: Permission[], action: string, data = false): boolean {
  return permissions.some((p) => {
    const grant = data ? p.dataActions ?? [] : p.actions;
    const deny = data ? p.notDataActions ?? [] : p.notActions;
    return grant.some((a) => actionMatches(a, action)) && !deny.some((a) => actionMatches(a, action));
  });
}
