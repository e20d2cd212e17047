import { AppError } from '../../platform/errors.ts';
import { type DepartmentType, departmentName, type Level } from './organisation.catalogue.ts';
import type { CentreDto, DepartmentDto, OrgNode } from './organisation.schema.ts';

/**
 * Checks a jurisdiction tree: unique codes, one city root, every other node's parent present
 * and one level up, and every path equal to the parent's path plus the node's code.
 */
export function checkNodes(nodes: OrgNode[]): Map<string, OrgNode> {
  const byCode = new Map<string, OrgNode>();
  for (const node of nodes) {
    if (byCode.has(node.code)) throw invalidNode(node, 'appears twice');
    byCode.set(node.code, node);
  }
  const roots = nodes.filter((n) => n.parentCode === null);
  if (roots.length !== 1 || roots[0]?.level !== 'city') {
    throw new AppError('invalid_data', 'the jurisdiction tree needs exactly one root, at level city', {
      roots: roots.map((r) => r.code),
    });
  }
  const below: Record<Level, Level | undefined> = { city: undefined, district: 'city', street: 'district' };
  for (const node of nodes) {
    const parent = node.parentCode === null ? undefined : byCode.get(node.parentCode);
    if (node.parentCode !== null && !parent)
      throw invalidNode(node, `has unknown parent '${node.parentCode}'`);
    if (parent && below[node.level] !== parent.level)
      throw invalidNode(node, `is a ${node.level} under a ${parent.level}`);
    const expected = parent ? `${parent.path}/${node.code}` : node.code;
    if (node.path !== expected) throw invalidNode(node, `has path '${node.path}', expected '${expected}'`);
  }
  return byCode;
}

function invalidNode(node: OrgNode, problem: string): AppError {
  return new AppError('invalid_data', `jurisdiction node '${node.code}' ${problem}`, { code: node.code });
}

/** Every department the type file gives each node: the government and each type with a counterpart at its level. */
export function departmentsFor(nodes: OrgNode[], types: DepartmentType[]): DepartmentDto[] {
  const out: DepartmentDto[] = [];
  for (const node of nodes) {
    for (const type of types) {
      const name = departmentName(type, node.level, node.name);
      if (name === undefined) continue;
      out.push({
        code: departmentCode(node.code, type.code),
        type: type.code,
        name,
        level: node.level,
        jurisdictionCode: node.code,
        jurisdictionPath: node.path,
      });
    }
  }
  return out;
}

/** The code of the department of `type` at a node. */
export function departmentCode(jurisdictionCode: string, type: string): string {
  return `${jurisdictionCode}:${type}`;
}

const CENTRE_NAMES: Record<Level, string> = {
  city: '城市运行管理指挥中心',
  district: '城市运行管理中心',
  street: '社会治理综合服务中心',
};

/** One governance centre per node: the city hub, district sub-centres and street/town ("141") workstations. */
export function centresFor(nodes: OrgNode[]): CentreDto[] {
  return nodes.map((node) => ({
    code: `${node.code}:centre`,
    name: `${node.name}${CENTRE_NAMES[node.level]}`,
    level: node.level,
    jurisdictionCode: node.code,
    jurisdictionPath: node.path,
    point: { lon: node.point[0], lat: node.point[1] },
  }));
}
