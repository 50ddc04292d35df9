import type { IsoDate } from '../shared/dates.js';
import type { OrganisationKind, WorkforceRole, WorkingPattern } from './people-schemas.js';

export interface Organisation {
  id: string;
  name: string;
  kind: OrganisationKind;
  odsCode: string | null;
  hostOrganisationId: string | null;
}

export interface Unit {
  id: string;
  organisationId: string;
  name: string;
  code: string | null;
  parentUnitId: string | null;
}

/** A workforce member: an officer, member of police staff, PCSO, special constable or volunteer. */
export interface Person {
  id: string;
  organisationId: string;
  staffNumber: string;
  collarNumber: string | null;
  givenName: string;
  familyName: string;
  dateOfBirth: IsoDate | null;
  nhsNumber: string | null;
  role: WorkforceRole;
  unitId: string | null;
  lineManagerId: string | null;
  serviceStartDate: IsoDate;
  leavingDate: IsoDate | null;
  workingPattern: WorkingPattern;
  /** CONF-3 */
  protectedIdentity: boolean;
  workEmail: string | null;
  personalEmail: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export type NewPerson = Omit<Person, 'createdAt' | 'updatedAt'>;

export interface PersonPage {
  items: Person[];
  total: number;
}
