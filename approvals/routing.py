"""Route resolution: which steps a claim needs and who approves each. No writes.

Reads only attributes of the objects passed in (claim.applicant.manager, department.head/parent, rule fields),
so tests can use plain objects. Self-approval and repeats go *up the chain*:
- manager / named user → that person's manager;
- department head / director → the head of the next parent department.
A person already approving an earlier step is treated the same way, so the demo route for yamada
(manager sato, who also heads 営業1課) gives the department-head step to suzuki (head of 営業部).
A step nobody can take is kept as `skipped` with a note, visible in the route.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from approvals.models import ApproverKind, StepStatus

MAX_CHAIN = 20  # guards against cycles in manager / department data


@dataclass
class StepSpec:
    order: int
    name: str
    approver_kind: str
    approver: object | None = None
    approver_group: object | None = None
    is_accounting_check: bool = False
    status: str = StepStatus.WAITING
    note: str = ""
    extra: dict = field(default_factory=dict)


def rule_applies(rule, *, total: int, category_ids: set, project_ids: set, department_id) -> bool:
    """A rule with no conditions always applies; otherwise all / any of its filled conditions must hold."""
    checks = []
    if rule.min_amount is not None:
        checks.append(total >= rule.min_amount)
    if rule.max_amount is not None:
        checks.append(total <= rule.max_amount)
    if getattr(rule, "category_id", None) is not None:
        checks.append(rule.category_id in category_ids)
    if getattr(rule, "department_id", None) is not None:
        checks.append(rule.department_id == department_id)
    if getattr(rule, "project_id", None) is not None:
        checks.append(rule.project_id in project_ids)
    if not checks:
        return True
    return any(checks) if rule.match == "any" else all(checks)


def _head_chain(department) -> Iterable:
    """Heads of `department` and its ancestors, nearest first (skipping departments without a head)."""
    node, seen = department, set()
    while node is not None and len(seen) < MAX_CHAIN and id(node) not in seen:
        seen.add(id(node))
        if node.head is not None:
            yield node.head
        node = node.parent


def _manager_chain(user) -> Iterable:
    node, seen = user, set()
    while node is not None and len(seen) < MAX_CHAIN:
        node = node.manager
        if node is None or node.pk in seen:
            return
        seen.add(node.pk)
        yield node


def _candidates(rule, claim) -> Iterable:
    applicant = claim.applicant
    department = claim.department or applicant.department
    kind = rule.approver_kind
    if kind == ApproverKind.MANAGER:
        yield from _manager_chain(applicant)
    elif kind == ApproverKind.DEPARTMENT_HEAD:
        yield from _head_chain(department)
    elif kind == ApproverKind.DIRECTOR:
        yield from _head_chain(department.parent if department is not None else None)
    elif kind == ApproverKind.NAMED_USER:
        if rule.approver_user is not None:
            yield rule.approver_user
            yield from _manager_chain(rule.approver_user)


def build_steps(claim, lines, policy, rules) -> list[StepSpec]:
    """The route for `claim` under `policy` (rules in order). Amount is the claim total (integer yen)."""
    total = sum(line.amount for line in lines)
    category_ids = {line.category_id for line in lines}
    project_ids = {line.project_id for line in lines if line.project_id is not None}
    department_id = claim.department_id if claim.department_id is not None else claim.applicant.department_id
    used: set[int] = {claim.applicant.pk}  # the applicant, then everyone already on the route
    specs: list[StepSpec] = []
    for rule in sorted(rules, key=lambda r: (r.order, r.pk or 0)):
        if not rule_applies(rule, total=total, category_ids=category_ids, project_ids=project_ids,
                            department_id=department_id):
            continue
        spec = StepSpec(order=len(specs) + 1, name=rule.name, approver_kind=rule.approver_kind,
                        is_accounting_check=rule.is_accounting_check)
        if rule.approver_kind == ApproverKind.GROUP:
            # Any member may act except the applicant; that check happens when acting.
            spec.approver_group = rule.approver_group
        else:
            approver = next((c for c in _candidates(rule, claim) if c.pk not in used and c.is_active), None)
            if approver is None:
                spec.status = StepStatus.SKIPPED
                spec.note = _("承認者が見つからないためスキップしました（申請者本人・重複を除く）。")
            else:
                first = next(iter(_candidates(rule, claim)), None)
                if first is not None and first.pk != approver.pk:
                    spec.note = _("申請者本人または前のステップと重複するため、上位者に回付しました。")
                spec.approver = approver
                used.add(approver.pk)
        specs.append(spec)
    return specs
