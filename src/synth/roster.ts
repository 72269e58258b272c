/**
 * The synthetic organisation: departments, specialties, clinicians and their care teams, weekly
 * clinic templates and per-clinician habits. Everything here is decided once per generation.
 */
import { Rng, mixSeed, stratifiedLognormal } from './prng.ts';

/** Calibration groups: the published targets differ by these (Melnick 2021, Sinsky 2024). */
export type Group = 'primary' | 'medical' | 'surgical';

export interface Department {
  /** Short code used in workstation ids. */
  code: string;
  name: string;
  group: Group;
}

export const DEPARTMENTS = {
  north: { code: 'npc', name: 'Northside Primary Care', group: 'primary' },
  river: { code: 'rpc', name: 'Riverside Primary Care', group: 'primary' },
  down: { code: 'dpc', name: 'Downtown Primary Care', group: 'primary' },
  peds: { code: 'ped', name: "Children's Primary Care", group: 'primary' },
  heart: { code: 'hvc', name: 'Heart & Vascular', group: 'medical' },
  endo: { code: 'end', name: 'Diabetes & Endocrine', group: 'medical' },
  ortho: { code: 'ort', name: 'Orthopaedics', group: 'surgical' },
  gsurg: { code: 'gsu', name: 'General Surgery', group: 'surgical' },
} as const satisfies Record<string, Department>;
export type DepartmentKey = keyof typeof DEPARTMENTS;

/** The departments where the new tool goes live (the other primary-care ones are the controls). */
export const GO_LIVE_DEPARTMENTS: readonly DepartmentKey[] = ['north', 'river'];

export type Role = 'physician' | 'np' | 'pa';

/** Appointment slot lengths (minutes) and their weights, by specialty. */
export interface SlotMix {
  minutes: readonly number[];
  weights: readonly number[];
}

const SLOT_MIX: Record<string, SlotMix> = {
  'family medicine': { minutes: [20, 40], weights: [85, 15] },
  'internal medicine': { minutes: [20, 40], weights: [80, 20] },
  pediatrics: { minutes: [15, 20, 30], weights: [50, 35, 15] },
  cardiology: { minutes: [20, 30, 40], weights: [30, 45, 25] },
  endocrinology: { minutes: [20, 30, 40], weights: [25, 50, 25] },
  'orthopaedic surgery': { minutes: [15, 20, 30], weights: [50, 30, 20] },
  'general surgery': { minutes: [20, 30], weights: [60, 40] },
};

/**
 * The roster template, cycled: 12 of every 20 clinicians in primary care, 4 in medical and 4 in
 * surgical specialties, so that even a 20-clinician system has every group and both go-live and
 * control departments.
 */
const TEMPLATE: readonly [DepartmentKey, string, Role][] = [
  ['north', 'family medicine', 'physician'],
  ['river', 'family medicine', 'physician'],
  ['down', 'internal medicine', 'physician'],
  ['peds', 'pediatrics', 'physician'],
  ['heart', 'cardiology', 'physician'],
  ['ortho', 'orthopaedic surgery', 'physician'],
  ['north', 'internal medicine', 'physician'],
  ['river', 'internal medicine', 'physician'],
  ['down', 'family medicine', 'physician'],
  ['endo', 'endocrinology', 'physician'],
  ['gsurg', 'general surgery', 'physician'],
  ['north', 'family medicine', 'np'],
  ['peds', 'pediatrics', 'physician'],
  ['heart', 'cardiology', 'physician'],
  ['ortho', 'orthopaedic surgery', 'pa'],
  ['river', 'family medicine', 'physician'],
  ['down', 'internal medicine', 'np'],
  ['endo', 'endocrinology', 'physician'],
  ['gsurg', 'general surgery', 'physician'],
  ['river', 'internal medicine', 'pa'],
];

/** What a clinician does on a weekday: a full clinic day, a morning or afternoon, the OR, or nothing scheduled. */
export type DayKind = 'full' | 'am' | 'pm' | 'or' | 'off';

export interface Clinician {
  index: number;
  userId: string;
  role: Role;
  name: string;
  specialty: string;
  dept: Department;
  deptKey: DepartmentKey;
  group: Group;
  fte: number;
  slotMix: SlotMix;
  /** Monday … Friday (index 0 … 4). */
  weekly: DayKind[];
  /** Local second of the morning session start (the afternoon starts 5 h later). */
  clinicStart: number;
  /** False for the ~10% whose schedule export has appointments only (sessions must be derived). */
  hasSessionRows: boolean;
  /** Overall EHR-time multiplier (efficient ↔ heavy users); mean 1 within each calibration stratum. */
  ehrMult: number;
  /** Propensity for evening and weekend work; mean 1 within each stratum. */
  afterMult: number;
  /** Clicks per minute multiplier (events per credited minute). */
  pace: number;
  /** Share of this clinician's orders entered by a team member. */
  teamwork: number;
  /** Probability that an evening or weekend block is done on the phone app. */
  mobile: number;
  /** First and size of the patient-number range of this clinician's panel. */
  panelStart: number;
  panelSize: number;
  /** Team members (nurses, MAs) who enter orders for this clinician. */
  team: string[];
  /** Other clinicians of the same department (occasionally enter an order). */
  colleagues: string[];
  /** `channel,workstation,source` line ends at the desk, in the exam room and from home. */
  deskSuffix: string;
  roomSuffix: string;
  homeSuffix: string;
  /** In a go-live department. */
  goLive: boolean;
  /** Takes up the new tool (most do); `firstUse` is days after go-live. */
  adopter: boolean;
  firstUse: number;
}

const FIRST = [
  'Avery',
  'Jordan',
  'Priya',
  'Mateo',
  'Hannah',
  'Kwame',
  'Sofia',
  'Liam',
  'Mei',
  'Noah',
  'Amara',
  'Elias',
  'Fatima',
  'Gabriel',
  'Ingrid',
  'Jonah',
  'Keiko',
  'Lucia',
  'Marcus',
  'Nadia',
  'Omar',
  'Paula',
  'Rafael',
  'Sana',
  'Tobias',
  'Uma',
  'Victor',
  'Wen',
  'Ximena',
  'Yusuf',
  'Zoe',
  'Anika',
  'Bruno',
  'Chloe',
  'Dmitri',
  'Esther',
  'Felix',
  'Grace',
  'Hugo',
  'Isla',
];
const LAST = [
  'Abernathy',
  'Bergstrom',
  'Castellano',
  'Delacroix',
  'Eze',
  'Fairbanks',
  'Gallagher',
  'Hollis',
  'Iwasaki',
  'Jankowski',
  'Kowalczyk',
  'Lindqvist',
  'Moreau',
  'Nakamura',
  'Okafor',
  'Petrova',
  'Quintero',
  'Rasmussen',
  'Santoro',
  'Thorne',
  'Underwood',
  'Valdez',
  'Whitfield',
  'Xu',
  'Yamamoto',
  'Zielinski',
  'Achebe',
  'Brennan',
  'Chaudhry',
  'Dunmore',
  'Ellery',
  'Ferreira',
  'Gunawardena',
  'Haddad',
  'Ivanova',
  'Jensen',
  'Kaur',
  'Larsen',
  'Mbeki',
  'Novak',
];

const FTE_VALUES = [1.0, 0.9, 0.8, 0.6, 0.5];
const FTE_WEIGHTS = [55, 10, 15, 10, 10];

/** Patient numbers reserved per clinician panel. */
export const PANEL_STRIDE = 3000;

function weeklyTemplate(group: Group, fte: number, rng: Rng): DayKind[] {
  const days = rng.shuffle([0, 1, 2, 3, 4]);
  const weekly: DayKind[] = ['off', 'off', 'off', 'off', 'off'];
  if (group === 'surgical') {
    // Surgeons hold about one clinic half-day per 0.2 FTE; the other working days are OR days,
    // which are not patient-scheduled clinic time (Sinsky 2024 counts clinic sessions only).
    const sessions = Math.min(5, Math.max(2, Math.round(fte * 5)));
    const workDays = Math.min(5, Math.max(2, Math.round(fte * 5)));
    let i = 0;
    for (let k = 0; k < Math.floor(sessions / 2); k++) weekly[days[i++] as number] = 'full';
    if (sessions % 2 === 1) weekly[days[i++] as number] = 'am';
    const orDays = Math.max(1, workDays - i);
    for (let k = 0; k < orDays && i < 5; k++) weekly[days[i++] as number] = 'or';
    return weekly;
  }
  const sessions = Math.min(10, Math.max(4, Math.round(fte * 10)));
  let i = 0;
  for (let k = 0; k < Math.floor(sessions / 2); k++) weekly[days[i++] as number] = 'full';
  if (sessions % 2 === 1) weekly[days[i++] as number] = rng.chance(0.5) ? 'am' : 'pm';
  return weekly;
}

/** Builds a roster of `n` clinicians deterministically from `seed`. */
export function buildRoster(
  n: number,
  seed: number,
): { clinicians: Clinician[]; teamSize: number } {
  const rng = new Rng(mixSeed(seed, 0x5eed, n));
  const clinicians: Clinician[] = [];
  for (let i = 0; i < n; i++) {
    const [deptKey, specialty, role] = TEMPLATE[i % TEMPLATE.length] as [
      DepartmentKey,
      string,
      Role,
    ];
    const dept: Department = DEPARTMENTS[deptKey];
    const group = dept.group;
    const fte = FTE_VALUES[rng.weighted(FTE_WEIGHTS)] as number;
    const r = rng.next();
    const clinicStart = r < 0.7 ? 8 * 3600 : r < 0.85 ? 7.5 * 3600 : 8.5 * 3600;
    const goLive = GO_LIVE_DEPARTMENTS.includes(deptKey);
    clinicians.push({
      index: i,
      userId: `u${String(i + 1).padStart(4, '0')}`,
      role,
      name: `${rng.pick(FIRST)} ${rng.pick(LAST)}`,
      specialty,
      dept,
      deptKey,
      group,
      fte,
      slotMix: SLOT_MIX[specialty] as SlotMix,
      weekly: weeklyTemplate(group, fte, rng),
      clinicStart,
      hasSessionRows: true,
      ehrMult: 1,
      afterMult: 1,
      pace: rng.lognormal(0.12),
      teamwork: group === 'surgical' ? rng.range(0.35, 0.55) : rng.range(0.25, 0.5),
      mobile: rng.range(0.2, 0.8),
      panelStart: i * PANEL_STRIDE + 1,
      panelSize: group === 'primary' ? 1200 + rng.int(1200) : 800 + rng.int(1400),
      team: [],
      colleagues: [],
      deskSuffix: `desktop,ws-${dept.code}-${String(100 + rng.int(900))},synth,\n`,
      roomSuffix: `desktop,ws-${dept.code}-x${String(rng.int(40) + 1).padStart(2, '0')},synth,\n`,
      homeSuffix: `desktop,vdi-u${String(i + 1).padStart(4, '0')},synth,\n`,
      goLive,
      adopter: goLive && rng.chance(0.85),
      firstUse: Math.min(14, Math.floor(rng.exp(3))),
    });
  }

  // Per-clinician EHR-time and after-hours multipliers, stratified within each (group, full-time?)
  // stratum so that the strata the calibration targets speak about keep their mean.
  const strata = new Map<string, Clinician[]>();
  for (const c of clinicians) {
    const key = `${c.group}/${c.fte === 1 ? 'ft' : 'pt'}`;
    const list = strata.get(key) ?? [];
    list.push(c);
    strata.set(key, list);
  }
  for (const key of [...strata.keys()].sort()) {
    const list = strata.get(key) as Clinician[];
    const ehr = stratifiedLognormal(list.length, 0.2, rng);
    const after = stratifiedLognormal(list.length, 0.45, rng);
    list.forEach((c, k) => {
      c.ehrMult = ehr[k] as number;
      c.afterMult = after[k] as number;
    });
  }

  // About 10% export appointments but no session rows: the metrics must derive their sessions.
  const noSessions = Math.round(n * 0.1);
  const order = rng.shuffle(clinicians.map((c) => c.index));
  for (let k = 0; k < noSessions; k++)
    (clinicians[order[k] as number] as Clinician).hasSessionRows = false;

  // Care teams: about one nurse or medical assistant per two clinicians of a department.
  let team = 0;
  for (const key of Object.keys(DEPARTMENTS) as DepartmentKey[]) {
    const members = clinicians.filter((c) => c.deptKey === key);
    if (members.length === 0) continue;
    const ids: string[] = [];
    const size = Math.max(2, Math.ceil(members.length / 2));
    for (let k = 0; k < size; k++) ids.push(`t${String(++team).padStart(4, '0')}`);
    members.forEach((c, k) => {
      // Each clinician works mostly with two of the department's team members.
      c.team = [ids[k % ids.length] as string, ids[(k + 1) % ids.length] as string];
      c.colleagues = members.filter((o) => o !== c).map((o) => o.userId);
    });
  }
  return { clinicians, teamSize: team };
}
