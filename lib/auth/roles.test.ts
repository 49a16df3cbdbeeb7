import { describe, expect, it } from 'vitest';
import { navigationFor, NAV_ITEMS } from './navigation';
import { hasRole, rolesBelow, ROLES } from './roles';

describe('role order annotator < reviewer < admin', () => {
  it('grants a role everything at or below it and nothing above', () => {
    expect(hasRole('ANNOTATOR', 'ANNOTATOR')).toBe(true);
    expect(hasRole('ANNOTATOR', 'REVIEWER')).toBe(false);
    expect(hasRole('REVIEWER', 'ANNOTATOR')).toBe(true);
    expect(hasRole('REVIEWER', 'ADMIN')).toBe(false);
    expect(hasRole('ADMIN', 'REVIEWER')).toBe(true);
  });

  it('lists the roles a guard must refuse', () => {
    expect(rolesBelow('ANNOTATOR')).toEqual([]);
    expect(rolesBelow('REVIEWER')).toEqual(['ANNOTATOR']);
    expect(rolesBelow('ADMIN')).toEqual(['ANNOTATOR', 'REVIEWER']);
  });

  it('shows each role exactly the menu items it may use', () => {
    expect(navigationFor('ANNOTATOR').map((i) => i.label)).toEqual(['Annotate', 'Slices', 'My work', 'Dashboard']);
    expect(navigationFor('REVIEWER').map((i) => i.label)).toEqual(['Annotate', 'Slices', 'My work', 'Dashboard', 'Review']);
    expect(navigationFor('ADMIN').map((i) => i.label)).toEqual(['Annotate', 'Slices', 'My work', 'Dashboard', 'Review', 'Admin']);
    expect(navigationFor('ADMIN')).toEqual(NAV_ITEMS);
    for (const role of ROLES) for (const item of navigationFor(role)) expect(hasRole(role, item.role)).toBe(true);
  });
});
