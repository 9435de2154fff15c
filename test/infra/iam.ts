/**
 * Reads identity-based permissions out of a synthesized template, so tests can
 * ask "which roles may do X to resource Y" across inline role policies,
 * AWS::IAM::Policy resources and customer managed policies alike.
 */
import type { Template } from 'aws-cdk-lib/assertions';

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

interface RawResource {
  Type: string;
  Properties?: Record<string, unknown>;
}

/** One Allow statement and the role it applies to. */
export interface RoleStatement {
  role: string;
  actions: string[];
  resource: unknown;
}

const list = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

function roleIds(refs: unknown): string[] {
  return list(refs as { Ref?: string } | { Ref?: string }[]).flatMap((r) => (r.Ref ? [r.Ref] : []));
}

function statementsOf(document: unknown): Statement[] {
  return list((document as { Statement?: Statement | Statement[] } | undefined)?.Statement).filter(
    (s) => s.Effect === 'Allow',
  );
}

/** Every Allow statement that applies to a role, wherever it is defined. */
export function roleStatements(template: Template): RoleStatement[] {
  const resources = template.toJSON().Resources as Record<string, RawResource>;
  const out: RoleStatement[] = [];
  const add = (role: string, document: unknown) => {
    for (const s of statementsOf(document)) out.push({ role, actions: list(s.Action), resource: s.Resource });
  };
  for (const [id, r] of Object.entries(resources)) {
    const p = r.Properties ?? {};
    if (r.Type === 'AWS::IAM::Role') {
      for (const policy of list(p.Policies as { PolicyDocument: unknown }[] | undefined))
        add(id, policy.PolicyDocument);
    }
    if (r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy') {
      for (const role of roleIds(p.Roles)) add(role, p.PolicyDocument);
    }
  }
  return out;
}

/** IAM action matching: `*`, `service:*` and `service:Prefix*` wildcards. */
export function actionMatches(pattern: string, action: string): boolean {
  const re = new RegExp(
    `^${pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
    'i',
  );
  return re.test(action);
}

/** Whether a statement's Resource names the resource with this logical id (or everything). */
function resourceCovers(resource: unknown, logicalId: string): boolean {
  return list(resource).some((r) => r === '*' || JSON.stringify(r).includes(`"${logicalId}"`));
}

/** Roles that may perform `action` on the resource with `logicalId`. */
export function rolesAllowed(template: Template, action: string, logicalId: string): string[] {
  const roles = roleStatements(template)
    .filter((s) => s.actions.some((a) => actionMatches(a, action)) && resourceCovers(s.resource, logicalId))
    .map((s) => s.role);
  return [...new Set(roles)].sort();
}
